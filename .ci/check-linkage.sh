#!/usr/bin/env bash
# Proves the kreconcile binary links no SwiftNIO/Hummingbird code: neither in the
# objects SwiftPM linked into it nor as symbols in the binary, nor as shared libraries.
set -euo pipefail
bin_dir=${1:?usage: check-linkage.sh BIN_DIR}
exe="$bin_dir/kreconcile"
[ -x "$exe" ] || { echo "check-linkage: $exe not built" >&2; exit 1; }
fail=0
link_list="$bin_dir/kreconcile.product/Objects.LinkFileList"
if [ -f "$link_list" ] && grep -Eiq '/(C?NIO[A-Za-z0-9]*|Hummingbird[A-Za-z]*)\.build/' "$link_list"; then
    echo "check-linkage: kreconcile links NIO/Hummingbird objects:" >&2
    grep -Ei '/(C?NIO[A-Za-z0-9]*|Hummingbird[A-Za-z]*)\.build/' "$link_list" | head >&2
    fail=1
fi
# grep -c reads all of nm's output (grep -q would close the pipe early and, under
# pipefail, turn a match into a failed pipeline).
nio_symbols=$(nm "$exe" 2>/dev/null | grep -Ec '(7NIOCore|8NIOPosix|11Hummingbird)' || true)
if [ "${nio_symbols:-0}" -gt 0 ]; then
    echo "check-linkage: kreconcile contains NIO/Hummingbird symbols" >&2
    fail=1
fi
if [ "$(ldd "$exe" | grep -Eic 'nio|hummingbird' || true)" -gt 0 ]; then
    echo "check-linkage: kreconcile loads a NIO/Hummingbird shared library" >&2
    fail=1
fi
[ $fail -eq 0 ] && echo "check-linkage: kreconcile links no SwiftNIO/Hummingbird code ($(ldd "$exe" | grep -c '=>') shared libraries, libcurl: $(ldd "$exe" | grep -c libcurl))"
exit $fail
