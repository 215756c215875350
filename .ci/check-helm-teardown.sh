#!/usr/bin/env bash
# End to end with the real helm: `helm install` the chart with the teardown hook enabled into
# kube-emulator holding a KubeArmor install, then `helm uninstall --wait`. The emulator's
# Job controller runs the pre-delete hook Job and its kubelet runs the Job's pod as the local
# kreconcile binary (--exec-image); helm waits for the Job with watches. Asserted from the
# emulator's request log: the teardown deleted KubeArmor in the kubearmor profile's order,
# the hook Job was deleted (hook-succeeded) only after the teardown's last request, and the
# release's own objects only after that.
# Usage: check-helm-teardown.sh BIN_DIR (holding kube-emulator and kreconcile)
set -euo pipefail
cd "$(dirname "$0")/.."
bin_dir=$(cd "${1:?usage: check-helm-teardown.sh BIN_DIR}" && pwd)
. .ci/emulator-env.sh
fail() { echo "check-helm-teardown: $*" >&2; exit 1; }

image=$(sed -n 's/^  repository: //p' helm/kreconcile/values.yaml)
mkdir "$work/logs"
start_emulator --controllers auto --step-interval 50 \
    --exec-image "$image=$bin_dir/kreconcile" --exec-timeout 90 --exec-log-dir "$work/logs" \
    --seed examples/cluster.yaml --seed Tests/Fixtures/teardown-install-extras.yaml

# The seeded workloads run before the install (their pods are what the teardown waits out).
controller_pods() { kubectl get pods -n kubearmor -l kubearmor-app=kubearmor-controller -o name; }
for _ in $(seq 1 100); do [ -n "$(controller_pods)" ] && break; sleep 0.1; done
[ -n "$(controller_pods)" ] || fail "the seeded KubeArmor controller has no pod"
kubectl create namespace kreconcile > /dev/null
"$helm" install r helm/kreconcile --namespace kreconcile --set teardown.enabled=true --set teardown.profile=kubearmor \
    --timeout 60s > "$work/install.txt" 2>&1 || { cat "$work/install.txt"; fail "helm install failed"; }
started=$(date +%s)
"$helm" uninstall r --namespace kreconcile --wait --timeout 90s --debug > "$work/uninstall.txt" 2>&1 \
    || { tail -40 "$work/uninstall.txt"; cat "$work/emulator.log" "$work"/logs/* 2>/dev/null; fail "helm uninstall failed"; }
seconds=$(( $(date +%s) - started ))

grep -q '^exec: pod kreconcile/r-kreconcile-teardown-.* exited 0$' "$work/emulator.log" \
    || { cat "$work/emulator.log" "$work"/logs/* 2>/dev/null; fail "the hook Job's pod did not run kreconcile to exit 0"; }
[ -z "$(kubectl get deployments,secrets -n kubearmor -o name)" ] || fail "KubeArmor objects are left: $(kubectl get all -n kubearmor -o name)"
kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > "$work/ca.pem"
curl -sf --cacert "$work/ca.pem" -H 'Authorization: Bearer ci' "$server/_emulator/requests" > "$work/requests.json"
python3 - "$work/requests.json" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
assert log["dropped"] == 0, "the request log dropped records"
items = log["items"]
def where(pred):
    return [i for i, r in enumerate(items) if pred(r)]
def fail(msg):
    sys.exit("check-helm-teardown: " + msg)
kre = where(lambda r: (r.get("userAgent") or "").startswith("kreconcile/"))
if not kre: fail("no request from kreconcile in the log (user agents: %s)" % sorted({r.get('userAgent') for r in items}))
deletes = [(i, f'{items[i]["resource"]}/{items[i]["name"]}') for i in kre if items[i]["method"] == "DELETE"]
# The kubearmor profile's order (the teardown e2e tests hold the same list).
expected = [
    "mutatingwebhookconfigurations/kubearmor-controller-mutating-webhook-configuration",
    "deployments/kubearmor-controller", "deployments/kubearmor-relay", "daemonsets/kubearmor-apparmor-containerd-98c2c",
    "services/kubearmor", "services/kubearmor-controller-webhook-service", "secrets/kubearmor-controller-webhook-server-cert",
    "configmaps/kubearmor-config", "serviceaccounts/kubearmor", "serviceaccounts/kubearmor-relay",
    "serviceaccounts/kubearmor-controller", "serviceaccounts/kubearmor-snitch",
    "roles/kubearmor-controller-leader-election-role", "rolebindings/kubearmor-controller-leader-election-rolebinding",
    "clusterrolebindings/kubearmor-clusterrolebinding", "clusterrolebindings/kubearmor-relay-clusterrolebinding",
    "clusterrolebindings/kubearmor-controller-clusterrolebinding", "clusterrolebindings/kubearmor-snitch-binding",
    "clusterroles/kubearmor-clusterrole", "clusterroles/kubearmor-relay-clusterrole", "clusterroles/kubearmor-controller-clusterrole",
    "clusterroles/kubearmor-snitch", "kubearmorconfigs/kubearmorconfig-default", "deployments/kubearmor-operator",
]
got = [d for _, d in deletes]
if got != expected: fail("teardown deletes out of order:\n  got      %s\n  expected %s" % (got, expected))
helm = lambda r: (r.get("userAgent") or "").lower().startswith("helm/")
job_create = where(lambda r: helm(r) and r["resource"] == "jobs" and r["method"] in ("PATCH", "POST") and r["status"] < 300)
job_delete = where(lambda r: helm(r) and r["resource"] == "jobs" and r["method"] == "DELETE" and r["status"] < 300)
release_deletes = where(lambda r: helm(r) and r["method"] == "DELETE" and r["status"] < 300 and r["name"] in ("r-kreconcile", "r-kreconcile-lock"))
job_watches = where(lambda r: helm(r) and r["resource"] == "jobs" and r["verb"] == "watch")
if len(job_create) != 1 or len(job_delete) != 1: fail(f"expected one hook Job create and delete by helm, got {job_create} {job_delete}")
if not job_watches or min(job_watches) > job_create[0] + 5: fail("helm did not watch the hook Job")
if not (job_create[0] < kre[0] and kre[-1] < job_delete[0]): fail(f"the hook Job was deleted before the teardown finished: {job_create} {kre[0]}..{kre[-1]} {job_delete}")
if len(release_deletes) != 7 or min(release_deletes) < job_delete[0]: fail(f"the release's objects were deleted before the hook finished: {release_deletes}")
w = items[job_watches[0]]["query"]
print("check-helm-teardown: helm watched the hook Job with", "&".join(f"{k}={v[0]}" for k, v in sorted(w.items())))
print(f"check-helm-teardown: {len(got)} teardown deletes in the profile's order between the hook Job's create (#{job_create[0]}) "
      f"and its delete (#{job_delete[0]}); the release's {len(release_deletes)} objects deleted after it")
PY
echo "check-helm-teardown: helm uninstall ran the pre-delete teardown hook in ${seconds}s"
