import Foundation
import KubeClient

/// Invalid snapshot files. One object per shape the loader decodes (pod, workload kinds,
/// plain object), each holding every field the records read; every node gets a value of the
/// wrong type, then the rules below (required fields, numbers, files that are not YAML).
enum SnapshotTable {
    static let meta: JSONValue = [
        "name": "x", "namespace": "default", "uid": "u-1", "resourceVersion": "1", "generation": 1,
        "labels": ["app": "a"], "annotations": ["note": "n"], "deletionTimestamp": "2026-01-01T00:00:00Z",
        "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u-2", "controller": true, "blockOwnerDeletion": true]],
    ]
    static let appArmor: JSONValue = ["appArmorProfile": ["type": "Localhost", "localhostProfile": "p"]]

    static let pod: JSONValue = [
        "apiVersion": "v1", "kind": "Pod", "metadata": meta.replacing(["creationTimestamp"], with: "2026-01-01T00:00:00Z"),
        "spec": ["nodeName": "n", "securityContext": appArmor, "containers": [["name": "c", "securityContext": appArmor]],
                 "initContainers": [["name": "i"]], "ephemeralContainers": [["name": "e"]]],
        "status": ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]],
    ]

    static func workload(_ kind: String, status: JSONValue) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": .string(kind), "metadata": meta,
            "spec": [
                "replicas": 1, "paused": false, "selector": ["matchLabels": ["app": "a"]],
                "template": [
                    "metadata": ["labels": ["app": "a"], "annotations": ["note": "n"]],
                    "spec": ["containers": [["name": "c", "image": "i:1", "env": [["name": "RELATED_IMAGE_X", "value": "i:2"]], "securityContext": appArmor]],
                             "initContainers": [["name": "i", "image": "i:1"]]],
                ],
            ],
            "status": status,
        ]
    }

    static let deployment = workload("Deployment", status: [
        "observedGeneration": 1, "replicas": 1, "readyReplicas": 1, "availableReplicas": 1, "unavailableReplicas": 0, "updatedReplicas": 1,
    ])
    static let statefulSet = workload("StatefulSet", status: ["replicas": 1, "currentRevision": "r1", "updateRevision": "r1"])
    static let daemonSet = workload("DaemonSet", status: [
        "desiredNumberScheduled": 1, "numberAvailable": 1, "numberUnavailable": 0, "updatedNumberScheduled": 1,
    ])
    static let namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": meta.replacing(["namespace"], with: nil)]

    static var cases: [BadInput] {
        var out: [BadInput] = []
        for doc in [pod, deployment, statefulSet, daemonSet, namespace] {
            let kind = doc["kind"]?.stringValue ?? "?"
            for (path, value) in doc.nodes() {
                for wrong in WrongType.instead(of: value) {
                    let field = PathStep.render(path)
                    out.append(BadInput("\(kind): \(field) = \(wrong.jsonString())", field: field, doc, setting: path, to: wrong))
                }
            }
            for (path, value, field) in [
                (["metadata"] as [PathStep], nil as JSONValue?, "metadata"),
                (["metadata", "name"], nil, "metadata.name"),
                (["apiVersion"], nil, "apiVersion"),
                (["kind"], nil, "kind"),
                (["metadata", "generation"], 1.5, "metadata.generation"),
            ] {
                out.append(BadInput("\(kind): \(PathStep.render(path)) = \(value?.jsonString() ?? "(removed)")", field: field, doc, setting: path, to: value))
            }
        }
        out.append(BadInput("replicas 1.5", field: "spec.replicas", deployment, setting: ["spec", "replicas"], to: 1.5))
        // In a List, in the second document of a multi-document file.
        let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": [namespace, pod.replacing(["metadata", "uid"], with: 7)]]
        out.append(BadInput("an item of a List", field: "document 1 (Pod x): metadata.uid", content: list.jsonString()))
        out.append(BadInput("the second document", field: "document 2 (Pod x): spec.nodeName",
                            content: namespace.jsonString() + "\n---\n" + pod.replacing(["spec", "nodeName"], with: ["a"]).jsonString()))
        out.append(BadInput("the second YAML document", field: "document 2 (Pod x): spec.nodeName", content: """
            apiVersion: v1
            kind: Namespace
            metadata: {name: ns}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: x, namespace: ns}
            spec: {nodeName: {a: b}}
            """))
        out.append(BadInput("YAML syntax error", field: "line ", content: "apiVersion: v1\nkind: [Pod\n"))
        out.append(BadInput("JSON syntax error", field: "not valid JSON or YAML: line ", content: "{\"apiVersion\": \"v1\", \"kind\": \"Pod\""))
        return out
    }
}
