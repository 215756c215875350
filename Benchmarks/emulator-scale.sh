#!/usr/bin/env bash
# Emulator scale benchmark: generate a large cluster in kube-emulator (release build),
# then report load time, resident memory and the throughput of a full paginated pod list
# over HTTP (limit=500, every page, one curl per page as a client would page).
#
#   Benchmarks/emulator-scale.sh                 # 150,000 pods
#   PODS=20000 Benchmarks/emulator-scale.sh      # smaller run
#
# Targets (DESIGN: 2-core machine): load <= 20 s, RSS <= 3 GB, list >= 100 MB/s.
set -euo pipefail
cd "$(dirname "$0")/.."

PODS=${PODS:-150000}
NODES=${NODES:-500}
NAMESPACES=${NAMESPACES:-50}
SCRATCH=${SCRATCH:-.build-release}
LIMIT=${LIMIT:-500}

if [[ ! -x "$SCRATCH/release/kube-emulator" || "${REBUILD:-0}" == 1 ]]; then
    swift build -c release --scratch-path "$SCRATCH" --product kube-emulator >&2
fi
BIN="$SCRATCH/release/kube-emulator"

work=$(mktemp -d)
pid=""
cleanup() {
    if [[ -n "$pid" ]]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$BIN" serve --generate "pods=$PODS,nodes=$NODES,namespaces=$NAMESPACES,seed=1,problems=0.02" >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do
    grep -q '^serving on ' "$work/out" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/out" >&2; exit 1; }
    sleep 0.1
done
url=$(sed -n 's/^serving on //p' "$work/out")
[[ -n "$url" ]] || { echo "kube-emulator did not start" >&2; cat "$work/out" >&2; exit 1; }
grep '^generated ' "$work/out"
rss_loaded=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")

# Page through every pod; the continue token is in the list metadata at the head of each
# page. Only curl is forked per page (bash builtins do the rest) so the client adds little.
pages=0 bytes=0 items=0
cont=""
: >"$work/times"
start=$(date +%s.%N)
while :; do
    query="limit=$LIMIT"
    [[ -n "$cont" ]] && query="$query&continue=$cont"
    read -r size secs < <(curl -sS --fail -o "$work/page" -w '%{size_download} %{time_total}\n' "$url/api/v1/pods?$query")
    echo "$secs" >>"$work/times"
    pages=$((pages + 1))
    bytes=$((bytes + size))
    read -r -N 2048 head <"$work/page" || true
    if [[ $pages == 1 && $head =~ \"remainingItemCount\":([0-9]+) ]]; then items=$((LIMIT + BASH_REMATCH[1])); fi
    if [[ $head =~ \"continue\":\"([^\"]+)\" ]]; then cont=${BASH_REMATCH[1]}; else break; fi
done
end=$(date +%s.%N)
wall=$(echo "$end - $start" | bc -l)
curl_seconds=$(awk '{ t += $1 } END { print t }' "$work/times")
rss_peak=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
rss_after=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")

printf 'pods:                %d requested, %d listed in %d pages of %d\n' "$PODS" "$items" "$pages" "$LIMIT"
printf 'RSS after load:      %.0f MB\n' "$(echo "$rss_loaded / 1024" | bc -l)"
printf 'RSS after list:      %.0f MB (peak %.0f MB)\n' "$(echo "$rss_after / 1024" | bc -l)" "$(echo "$rss_peak / 1024" | bc -l)"
printf 'listed:              %.1f MB in %.2f s wall = %.0f MB/s (curl transfer time only: %.2f s = %.0f MB/s)\n' \
    "$(echo "$bytes / 1000000" | bc -l)" "$wall" "$(echo "$bytes / 1000000 / $wall" | bc -l)" \
    "$curl_seconds" "$(echo "$bytes / 1000000 / $curl_seconds" | bc -l)"
