#!/usr/bin/env bash
# Emulator scale benchmark: generate a large cluster in kube-emulator (release build),
# then report load time, resident memory, the throughput of a full paginated pod list
# over HTTP (limit=500, every page, one curl per page as a client would page), and with
# one keep-alive client (list-client.py): one page per shape (full, metadata-only, Table),
# every page per shape, gzip; then the same cluster over TLS for HTTP/1.1 vs HTTP/2.
#
#   Benchmarks/emulator-scale.sh                 # 150,000 pods
#   PODS=20000 Benchmarks/emulator-scale.sh      # smaller run
#   TLS=0 Benchmarks/emulator-scale.sh           # skip the second (TLS, h2) server
#
# Targets (DESIGN: 2-core machine): load <= 20 s, RSS <= 3 GB, list >= 100 MB/s with one
# curl per page and >= 150 MB/s with one keep-alive client; a metadata-only or Table page
# costs at most a full page.
set -euo pipefail
cd "$(dirname "$0")/.."

PODS=${PODS:-150000}
NODES=${NODES:-500}
NAMESPACES=${NAMESPACES:-50}
SCRATCH=${SCRATCH:-.build-release}
CONFIG=${CONFIG:-release}  # CONFIG=debug SCRATCH=.build: a quick look with the debug build
LIMIT=${LIMIT:-500}
TLS=${TLS:-1}
CLIENT="python3 Benchmarks/list-client.py"

if [[ ! -x "$SCRATCH/$CONFIG/kube-emulator" || "${REBUILD:-0}" == 1 ]]; then
    swift build -c "$CONFIG" --scratch-path "$SCRATCH" --product kube-emulator >&2
fi
BIN="$SCRATCH/$CONFIG/kube-emulator"

work=$(mktemp -d)
pid=""
cleanup() {
    if [[ -n "$pid" ]]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# start_server [extra serve flags]: sets pid and url.
start_server() {
    "$BIN" serve --request-log-size 1000 --generate "pods=$PODS,nodes=$NODES,namespaces=$NAMESPACES,seed=1,problems=0.02" "$@" >"$work/out" 2>&1 &
    pid=$!
    for _ in $(seq 1 6000); do  # up to 10 min (a debug build loads slowly)
        grep -q '^serving on ' "$work/out" && break
        kill -0 "$pid" 2>/dev/null || { cat "$work/out" >&2; exit 1; }
        sleep 0.1
    done
    url=$(sed -n 's/^serving on //p' "$work/out")
    [[ -n "$url" ]] || { echo "kube-emulator did not start" >&2; cat "$work/out" >&2; exit 1; }
}
stop_server() { kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

start_server
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

echo "-- one keep-alive client (list-client.py), HTTP/1.1, median of 5 for one page"
for shape in full metadata table; do $CLIENT "$url" page $shape; done
$CLIENT "$url" page full --gzip
echo "-- every page, one keep-alive client"
for shape in full metadata table; do $CLIENT "$url" pages $shape; done
$CLIENT "$url" pages full --gzip
stop_server

if [[ "$TLS" == 1 ]]; then
    start_server --tls
    echo "-- over TLS ($url): HTTP/1.1 (list-client.py) and HTTP/2 (curl, 20 requests on one connection)"
    $CLIENT "$url" page full
    $CLIENT "$url" pages full
    for v in --http1.1 --http2; do
        # One curl process, the same first page 20 times on one connection.
        urls=(); for _ in $(seq 1 20); do urls+=(-o /dev/null "$url/api/v1/pods?limit=$LIMIT"); done
        curl -sk "$v" -w '%{http_version} %{time_total} %{size_download}\n' "${urls[@]}" >"$work/h2"
        median=$(awk '{ print $2 }' "$work/h2" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
        awk -v v="$v" -v median="$median" '{ t += $2; b += $3; ver = $1 } END { printf "curl %s: HTTP/%s, %d pages, median %.4f s, mean %.4f s per page, %.0f MB/s\n", v, ver, NR, median, t / NR, b / 1e6 / t }' "$work/h2"
        curl -sk "$v" --compressed -w '%{http_version} %{time_total} %{size_download}\n' "${urls[@]}" >"$work/h2"
        awk -v v="$v" '{ t += $2; b += $3; ver = $1 } END { printf "curl %s --compressed: HTTP/%s, %.4f s per page, %.0f KB on the wire per page\n", v, ver, t / NR, b / 1e3 / NR }' "$work/h2"
    done
    stop_server
fi
