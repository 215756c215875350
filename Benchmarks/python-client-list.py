#!/usr/bin/env python3
"""What a user would script instead of kreconcile: page through the kinds kubectl lists
(pods, ReplicaSets, Deployments, DaemonSets) with the official Python client (PyPI
`kubernetes`), 500 per page, keeping the models the client builds, then count what an
AppArmor audit would look at. Run by compare.py with KUBECONFIG set.
"""
import sys

from kubernetes import client, config


def every(list_fn):
    items, token = [], None
    while True:
        page = list_fn(limit=500, _continue=token) if token else list_fn(limit=500)
        items.extend(page.items)
        token = page.metadata._continue
        if not token:
            return items


def main():
    config.load_kube_config()
    core, apps = client.CoreV1Api(), client.AppsV1Api()
    pods = every(core.list_pod_for_all_namespaces)
    replica_sets = every(apps.list_replica_set_for_all_namespaces)
    deployments = every(apps.list_deployment_for_all_namespaces)
    daemon_sets = every(apps.list_daemon_set_for_all_namespaces)
    prefix = "container.apparmor.security.beta.kubernetes.io/"
    unprotected = sum(
        1 for p in pods
        if not any(k.startswith(prefix) for k in (p.metadata.annotations or {}))
        and not (p.spec.security_context and p.spec.security_context.app_armor_profile))
    print(f"pods={len(pods)} replicasets={len(replica_sets)} deployments={len(deployments)} "
          f"daemonsets={len(daemon_sets)} without-apparmor={unprotected}")


if __name__ == "__main__":
    sys.exit(main())
