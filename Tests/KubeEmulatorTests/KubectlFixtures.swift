import Foundation
import KubeClient

@testable import KubeEmulator

/// Objects the kubectl tests seed.
enum KubectlFixtures {
    static func node(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Node",
         "metadata": ["name": .string(name), "labels": ["node-role.kubernetes.io/worker": "", "kubernetes.io/hostname": .string(name)]],
         "spec": [:],
         "status": ["conditions": [["type": "Ready", "status": "True"]],
                    "addresses": [["type": "InternalIP", "address": "10.0.0.7"]],
                    "nodeInfo": ["kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12", "kernelVersion": "6.1.0",
                                 "containerRuntimeVersion": "containerd://1.7.0"]]]
    }

    /// A running, ready pod; `owner` is (kind, name) of its controller.
    static func pod(_ name: String, namespace: String = "default", node: String = "node-1", owner: (String, String)? = nil,
                    labels: [String: String] = [:], emptyDir: Bool = false, restarts: Int = 0) -> JSONValue {
        var meta: JSONValue = ["name": .string(name), "namespace": .string(namespace),
                               "labels": .object(labels.mapValues { .string($0) })]
        if let (kind, ownerName) = owner {
            meta["ownerReferences"] = [["apiVersion": "apps/v1", "kind": .string(kind), "name": .string(ownerName),
                                        "uid": .string("uid-\(ownerName)"), "controller": true]]
        }
        var spec: JSONValue = ["nodeName": .string(node), "containers": [["name": "app", "image": "nginx:1"]]]
        if emptyDir { spec["volumes"] = [["name": "scratch", "emptyDir": [:]]] }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec,
                "status": ["phase": "Running", "podIP": "10.1.0.5",
                           "conditions": [["type": "Ready", "status": "True"]],
                           "containerStatuses": [["name": "app", "ready": true, "restartCount": .number(Double(restarts)),
                                                  "state": ["running": ["startedAt": "2024-01-01T00:00:00Z"]]]]]]
    }

    static func pdb(_ name: String, selector: [String: String], allowed: Int) -> JSONValue {
        ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
         "metadata": ["name": .string(name), "namespace": "default"],
         "spec": ["minAvailable": 1, "selector": ["matchLabels": .object(selector.mapValues { .string($0) })]],
         "status": ["observedGeneration": 1, "disruptionsAllowed": .number(Double(allowed)), "currentHealthy": 1, "desiredHealthy": 1, "expectedPods": 1]]
    }

    static let widgetType = ResourceType(group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true)

    /// The CRD of `widgetType`, with one extra printer column.
    static let widgetCRD: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.example.com"],
        "spec": ["group": "example.com", "scope": "Namespaced",
                 "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"],
                 "versions": [["name": "v1", "served": true, "storage": true,
                               "additionalPrinterColumns": [["name": "Size", "type": "integer", "jsonPath": ".spec.size"],
                                                            ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]]]]],
    ]

    static let deploymentYAML = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: default
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: app
                image: nginx:1
                env:
                - {name: A, value: "1"}

        """
}
