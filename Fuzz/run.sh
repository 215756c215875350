#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer harnesses (Fuzz/Package.swift, with the fuzzer and
# address sanitizers) and runs each for FUZZ_SECONDS (default 60) from the committed seed
# corpus Fuzz/corpus/<target>/, FUZZ_JOBS (default 2) at a time. FUZZ_CONFIG=debug (the
# default) builds in about half the time of release, which runs 1.3-2x more inputs a
# second: release pays off from a few minutes per target. New inputs go to a
# temporary directory (the committed corpus is only read); a crash is kept in
# .build-fuzz/artifacts/<target>/ and its input printed in base64 in the log. Prints
# executions and executions/s per target; exits 1 if any target found a crash.
#
#   FUZZ_SECONDS=600 FUZZ_CONFIG=release FUZZ_TARGETS="list-page settings" make fuzz
#   .build-fuzz/debug/FuzzSettings .build-fuzz/artifacts/settings/crash-...   # replay one
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
parallel=${FUZZ_JOBS:-2}
targets=${FUZZ_TARGETS:-list-page kubeconfig settings snapshot-files location-path}
# lld: gold fails with an internal error on the sanitized objects.
flags=(-c "${FUZZ_CONFIG:-debug}" --package-path Fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

start=$(date +%s)
if ! swift build "${flags[@]}" >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    echo "fuzz: build failed" >&2
    exit 1
fi
bin=$(swift build "${flags[@]}" --show-bin-path)
echo "fuzz: built in $(( $(date +%s) - start )) s ($bin)"

# list-page -> FuzzListPage
program() { local name="" part; IFS=- read -ra parts <<<"$1"; for part in "${parts[@]}"; do name+="${part^}"; done; echo "$bin/Fuzz$name"; }

run() {
    local target=$1 dir="$work/$1"
    mkdir -p "$dir/corpus" ".build-fuzz/artifacts/$target"
    # The Swift runtime's backtracer would hold a crashing run for up to 30 s: libFuzzer reports.
    # No leak checks: Foundation itself leaks (4 KB per String(contentsOfFile:) of an empty file).
    if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$(program "$target")" "$dir/corpus" "Fuzz/corpus/$target" \
        -max_total_time="$seconds" -timeout=20 -detect_leaks=0 -print_final_stats=1 \
        -artifact_prefix=".build-fuzz/artifacts/$target/" >"$dir/log" 2>&1; then
        echo ok >"$dir/status"
    else
        echo failed >"$dir/status"
    fi
}

for target in $targets; do
    [ -d "Fuzz/corpus/$target" ] || { echo "fuzz: no target $target (Fuzz/corpus/$target)" >&2; exit 2; }
    run "$target" &
    while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
done
wait

failed=0
printf '%-16s %12s %10s %8s %8s\n' target executions "exec/s" "corpus+" "rss MB"
for target in $targets; do
    log="$work/$target/log"
    stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
    printf '%-16s %12s %10s %8s %8s\n' "$target" "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
        "$(stat new_units_added)" "$(stat peak_rss_mb)"
    if [ "$(cat "$work/$target/status")" != ok ]; then
        failed=1
        echo "fuzz: $target FAILED; its log ends:" >&2
        grep -v "^#[0-9]" "$log" | tail -60 >&2
    fi
done
echo "fuzz: ${seconds} s per target, $(( $(date +%s) - start )) s in all"
exit "$failed"
