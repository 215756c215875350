# Sourced by the checks that drive kube-emulator with helm and kubectl (needs $bin_dir):
# fetches the pinned helm, makes $work (removed on exit, with the emulator stopped), and
# defines start_emulator ARGS…: `kube-emulator serve --tls --token ci` plus ARGS, logging to
# $work/emulator.log; it returns once the server listens, with $server and KUBECONFIG set.
helm=${HELM:-.build-tools/helm}
[ -x "$helm" ] || python3 .ci/fetch-helm.py "$helm"
work=$(mktemp -d)
emulator_pid=""
cleanup() {
    [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

start_emulator() {
    "$bin_dir/kube-emulator" serve --tls --token ci --kubeconfig-out "$work/kubeconfig" "$@" > "$work/emulator.log" 2>&1 &
    emulator_pid=$!
    for _ in $(seq 1 100); do grep -q '^serving on' "$work/emulator.log" && break; sleep 0.1; done
    grep -q '^serving on' "$work/emulator.log" || { cat "$work/emulator.log"; echo "$(basename "$0"): kube-emulator did not start" >&2; exit 1; }
    server=$(sed -n 's/^serving on //p' "$work/emulator.log")
    export KUBECONFIG=$work/kubeconfig
}
