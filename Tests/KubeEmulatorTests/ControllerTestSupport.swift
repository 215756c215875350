import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

func node(_ name: String, labels: [String: String] = [:], taints: [JSONValue] = [], unschedulable: Bool = false) -> JSONValue {
    var spec: JSONValue = [:]
    if !taints.isEmpty { spec["taints"] = .array(taints) }
    if unschedulable { spec["unschedulable"] = true }
    return ["apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": .object(labels.mapValues { .string($0) })], "spec": spec,
            "status": ["addresses": [["type": "InternalIP", "address": .string("192.168.0.\(name.count)")]]]]
}

func podTemplate(_ app: String, image: String = "nginx:1") -> JSONValue {
    ["metadata": ["labels": ["app": .string(app)]],
     "spec": ["containers": [["name": "app", "image": .string(image), "resources": ["requests": ["cpu": "10m"]]]]]]
}

func deploymentSpec(_ name: String, replicas: Int, image: String = "nginx:1", strategy: JSONValue? = nil) -> JSONValue {
    var spec: JSONValue = ["replicas": .number(Double(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
                           "template": podTemplate(name, image: image)]
    if let strategy { spec["strategy"] = strategy }
    return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": "default"], "spec": spec]
}

extension KubeEmulator {
    /// Pods of the namespace that are not being deleted.
    func livePods(_ namespace: String = "default") -> [JSONValue] {
        objects("pods", namespace: namespace).filter { $0["metadata"]?["deletionTimestamp"] == nil }
    }

    func condition(_ obj: JSONValue?, _ type: String) -> JSONValue? {
        obj?["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }
}

func isReady(_ pod: JSONValue) -> Bool {
    (pod["status"]?["conditions"]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
}
