#!/usr/bin/env bash
# kubectl apply --dry-run=server of the chart's renders and of jobs/ against kube-emulator:
# the API server's own validation answers for every object, and nothing is stored.
# Usage: check-emulator-apply.sh BIN_DIR (holding kube-emulator)
set -euo pipefail
cd "$(dirname "$0")/.."
bin_dir=${1:?usage: check-emulator-apply.sh BIN_DIR}
. .ci/emulator-env.sh
start_emulator

kubectl create namespace kreconcile > /dev/null
"$helm" template r helm/kreconcile --namespace kreconcile > "$work/default.yaml"
"$helm" template r helm/kreconcile --namespace kreconcile --set shards=3 --set teardown.enabled=true > "$work/sharded-teardown.yaml"
n=0
for f in "$work/default.yaml" "$work/sharded-teardown.yaml" jobs/*.yaml; do
    kubectl apply --dry-run=server -f "$f" > "$work/apply.txt" 2>&1 || { cat "$work/apply.txt"; echo "check-emulator-apply: $f refused" >&2; exit 1; }
    n=$((n + $(grep -c 'created (server dry run)' "$work/apply.txt" || true)))
done
# Dry runs store nothing.
stored=$(kubectl get cronjobs,jobs,configmaps,serviceaccounts,roles,rolebindings -n kreconcile -o name; kubectl get clusterroles,clusterrolebindings -o name | grep kreconcile || true)
if [ -n "$stored" ]; then echo "check-emulator-apply: a dry run stored: $stored" >&2; exit 1; fi
echo "check-emulator-apply: $n objects accepted by kubectl apply --dry-run=server, none stored"

# A real helm install and uninstall (Helm v4: server-side apply) of the chart, without the
# teardown hook (check-helm-teardown.sh runs that one end to end).
"$helm" install r helm/kreconcile --namespace kreconcile --timeout 60s > "$work/install.txt" 2>&1 || { cat "$work/install.txt"; exit 1; }
for o in cronjob/r-kreconcile configmap/r-kreconcile serviceaccount/r-kreconcile role/r-kreconcile-lock rolebinding/r-kreconcile-lock; do
    kubectl get -n kreconcile "$o" -o name > /dev/null || { echo "check-emulator-apply: helm install left no $o" >&2; exit 1; }
done
kubectl get clusterrole/r-kreconcile clusterrolebinding/r-kreconcile -o name > /dev/null
"$helm" uninstall r --namespace kreconcile --timeout 60s > "$work/uninstall.txt" 2>&1 || { cat "$work/uninstall.txt"; exit 1; }
left=$(kubectl get cronjobs,configmaps,roles,rolebindings -n kreconcile -o name | grep r-kreconcile || true; kubectl get clusterroles -o name | grep r-kreconcile || true)
if [ -n "$left" ]; then echo "check-emulator-apply: helm uninstall left $left" >&2; exit 1; fi
echo "check-emulator-apply: helm install and helm uninstall of the chart against kube-emulator"
