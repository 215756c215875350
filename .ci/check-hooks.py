#!/usr/bin/env python3
"""Fails on a Helm hook annotation Helm would silently ignore (a misspelled hook, weight or
delete policy), and on hook ordering the teardown relies on. Reads `helm template` output.

Values from Helm's pkg/release hook.go (HookEvent / HookDeletePolicy constants).
"""
import sys
import yaml

EVENTS = {"pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade",
          "post-upgrade", "pre-rollback", "post-rollback", "test", "test-success"}
POLICIES = {"before-hook-creation", "hook-succeeded", "hook-failed"}
KNOWN = {"helm.sh/hook", "helm.sh/hook-weight", "helm.sh/hook-delete-policy", "helm.sh/resource-policy",
         "helm.sh/hook-output-log-policy"}


def main(paths):
    problems, hooks = [], []
    for path in paths:
        for doc in yaml.safe_load_all(open(path)):
            if not doc:
                continue
            meta = doc.get("metadata", {})
            name = f"{path}: {doc.get('kind')}/{meta.get('name')}"
            ann = meta.get("annotations") or {}
            for key in ann:
                if key.startswith("helm.sh/") and key not in KNOWN:
                    problems.append(f"{name}: unknown annotation {key}")
            if "helm.sh/hook" not in ann:
                for key in ("helm.sh/hook-weight", "helm.sh/hook-delete-policy"):
                    if key in ann:
                        problems.append(f"{name}: {key} without helm.sh/hook")
                continue
            events = [e.strip() for e in str(ann["helm.sh/hook"]).split(",")]
            for e in events:
                if e not in EVENTS:
                    problems.append(f"{name}: helm.sh/hook: unknown event {e!r}")
            weight = ann.get("helm.sh/hook-weight", "0")
            if not isinstance(weight, str):
                problems.append(f"{name}: helm.sh/hook-weight must be a quoted string, got {weight!r}")
            try:
                weight = int(weight)
            except ValueError:
                problems.append(f"{name}: helm.sh/hook-weight {weight!r} is not an integer")
                weight = 0
            for p in str(ann.get("helm.sh/hook-delete-policy", "")).split(","):
                if p.strip() and p.strip() not in POLICIES:
                    problems.append(f"{name}: helm.sh/hook-delete-policy: unknown policy {p.strip()!r}")
            hooks.append((name, doc.get("kind"), events, weight))
    # The teardown Job must come after everything it runs with (its ServiceAccount and RBAC).
    for name, kind, events, weight in hooks:
        if kind != "Job" or "pre-delete" not in events:
            continue
        for other, okind, oevents, oweight in hooks:
            if okind != "Job" and "pre-delete" in oevents and oweight >= weight:
                problems.append(f"{other}: hook-weight {oweight} must be lower than the Job's {weight}")
    for p in problems:
        print(f"check-hooks: {p}", file=sys.stderr)
    if not problems:
        print(f"check-hooks: {len(hooks)} hook objects, annotations valid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
