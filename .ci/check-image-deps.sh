#!/usr/bin/env bash
# Proves the Dockerfile's runtime stage (debian:bookworm-slim + libcurl4 + ca-certificates + tzdata)
# is enough for the release binary, without Docker: every shared library the binary loads
# must belong to one of those packages or to what they pull in, or to the slim image's own
# packages (Essential: yes, and apt). Usage: check-image-deps.sh BINARY
set -euo pipefail
exe=${1:?usage: check-image-deps.sh BINARY}
[ -x "$exe" ] || { echo "check-image-deps: $exe not built" >&2; exit 1; }

allowed=$( {
    dpkg-query -W -f='${Package} ${Essential}\n' | awk '$2 == "yes" { print $1 }'
    apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances apt libcurl4 ca-certificates tzdata | grep -v '^ ' | grep -v '^<'
} | sed 's/:.*//' | sort -u)

fail=0
count=0
while read -r lib path; do
    count=$((count + 1))
    case "$path" in
        /*) ;;
        *) echo "check-image-deps: $lib is not found" >&2; fail=1; continue ;;
    esac
    # dpkg knows a file by the path its package ships (/lib or /usr/lib on a merged /usr).
    pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1 || true)
    [ -n "$pkg" ] || pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1 || true)
    if [ -z "$pkg" ]; then
        echo "check-image-deps: $lib ($path) belongs to no Debian package (a Swift runtime library? build with --static-swift-stdlib)" >&2
        fail=1
    elif ! grep -qx "$pkg" <<< "$allowed"; then
        echo "check-image-deps: $lib comes from $pkg, which the runtime stage does not install" >&2
        fail=1
    fi
done < <(ldd "$exe" | awk '/=>/ { print $1, $3 } !/=>/ && /^\t\// { print $1, $1 }')
[ $fail -eq 0 ] && echo "check-image-deps: the $count shared libraries of $(basename "$exe") all come from bookworm-slim + libcurl4 + ca-certificates + tzdata"
exit $fail
