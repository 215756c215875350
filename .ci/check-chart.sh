#!/usr/bin/env bash
# The chart, verified with a real helm (offline): lint, schema, render for each supported
# Kubernetes version validated by kubernetes-validate --strict (any warning fails), hook
# annotations, and jobs/ up to date. Tools are cached in .build-tools/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.build-tools
helm=$tools/helm
[ -x "$helm" ] || python3 .ci/fetch-helm.py "$helm"
if [ ! -x "$tools/venv/bin/kubernetes-validate" ]; then
    python3 -m venv "$tools/venv"
    "$tools/venv/bin/pip" install --quiet kubernetes-validate==1.37.0
fi
py=$tools/venv/bin/python
chart=helm/kreconcile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Value sets that together reach every template branch.
overrides=(
    ""
    "--set shards=3 --set dryRun=server --set metrics.pushgateway=http://pushgateway.monitoring:9091 --set notify.secretName=kreconcile-webhook --set notify.format=slack"
    "--set teardown.enabled=true --set teardown.deleteCRDs=true --set teardown.removeFinalizers=true"
    "--set teardown.enabled=true --set teardown.profile=gatekeeper --set checks.kubearmor-image-drift.enabled=false"
    "--set runOnce=true --set dryRun=client"
)

for o in "${overrides[@]}"; do
    # shellcheck disable=SC2086
    "$helm" lint --strict "$chart" $o --quiet > "$work/lint.txt" || { cat "$work/lint.txt"; echo "check-chart: helm lint --strict $o failed" >&2; exit 1; }
done
echo "check-chart: helm lint --strict: ${#overrides[@]} value sets"

# The schema must refuse bad values with a message naming the field.
expect_refused() {  # PATTERN -- helm arguments
    local pattern=$1; shift 2
    if "$helm" template r "$chart" "$@" > "$work/out.txt" 2>&1; then
        echo "check-chart: helm accepted $*" >&2; exit 1
    fi
    grep -q -- "$pattern" "$work/out.txt" || { cat "$work/out.txt"; echo "check-chart: refusal of $* does not say '$pattern'" >&2; exit 1; }
}
expect_refused "/budgets/maxChanges" -- --set budgets.maxChanges=abc
expect_refused "/dryRun" -- --set dryRun=yes
expect_refused "/shards" -- --set shards=0
expect_refused "must be shorter than scheduleIntervalSeconds" -- --set job.activeDeadlineSeconds=300
expect_refused "checks.no-such-check: unknown check" -- --set checks.no-such-check.enabled=true
echo "check-chart: bad values refused with their field named"

for v in 1.28 1.30 1.32 1.34; do
    n=0
    for o in "${overrides[@]}"; do
        n=$((n + 1))
        # shellcheck disable=SC2086
        "$helm" template r "$chart" --namespace kreconcile --kube-version "$v.0" $o > "$work/r-$v-$n.yaml"
    done
    # One process per version: its start (loading the schemas) is most of its time.
    "$py" -m kubernetes_validate --strict -k "$v.0" "$work"/r-"$v"-*.yaml > "$work/kv.txt" 2>&1 || { cat "$work/kv.txt"; exit 1; }
    if grep -Eqv '^INFO ' "$work/kv.txt"; then
        cat "$work/kv.txt"; echo "check-chart: kubernetes-validate $v printed more than passes" >&2; exit 1
    fi
    "$py" .ci/check-hooks.py "$work"/r-"$v"-*.yaml > /dev/null
    echo "check-chart: Kubernetes $v: ${#overrides[@]} renders, $(grep -c passed "$work/kv.txt") objects valid (kubernetes-validate --strict), hook annotations valid"
done
# Helm refuses a cluster older than the chart's kubeVersion.
expect_refused "kubeVersion" -- --kube-version 1.27.0

HELM=$helm .ci/gen-jobs.sh --check

# The umbrella example, without its remote dependency (CI has no chart repository): the
# kreconcile subchart with the umbrella's values renders the teardown hook.
umbrella=$work/umbrella
cp -r examples/umbrella "$umbrella"
"$py" - "$umbrella/Chart.yaml" "$(pwd)/helm/kreconcile" <<'PY'
import sys, yaml
path, chart = sys.argv[1], sys.argv[2]
doc = yaml.safe_load(open(path))
doc["dependencies"] = [dict(d, repository=f"file://{chart}") for d in doc["dependencies"] if d["name"] == "kreconcile"]
yaml.safe_dump(doc, open(path, "w"))
PY
"$helm" dependency build "$umbrella" > /dev/null
"$helm" lint --strict "$umbrella" --quiet > /dev/null
"$helm" template kubearmor "$umbrella" --namespace kubearmor > "$work/umbrella.yaml"
"$py" .ci/check-hooks.py "$work/umbrella.yaml" > /dev/null
grep -q -- '- --profile=kubearmor' "$work/umbrella.yaml" || { echo "check-chart: the umbrella renders no teardown hook" >&2; exit 1; }
echo "check-chart: examples/umbrella renders kreconcile with its pre-delete teardown hook"
