import Foundation
import KubeClient
@testable import Reconciler

/// Small hand-built cluster pieces for the checks' and planner's tests.
enum Fixture {
    static func meta(_ name: String, ns: String? = "kubearmor", uid: String? = nil, rv: String = "10", generation: Int? = nil,
                     labels: [String: String] = [:], annotations: [String: String] = [:], owners: [OwnerReference] = []) -> MetaRecord {
        MetaRecord(name: name, namespace: ns, uid: uid ?? "uid-\(ns ?? "cluster")-\(name)", resourceVersion: rv, generation: generation,
                   labels: labels, annotations: annotations, ownerReferences: owners)
    }

    static func object(_ kind: String, _ name: String, apiVersion: String = "v1", ns: String? = "kubearmor",
                       labels: [String: String] = [:], owners: [OwnerReference] = [], spec: JSONValue? = nil) -> ObjectRecord {
        ObjectRecord(apiVersion: apiVersion, kind: kind, meta: meta(name, ns: ns, uid: "uid-\(kind)-\(ns ?? "cluster")-\(name)", labels: labels, owners: owners), spec: spec)
    }

    static func namespace(_ name: String, labels: [String: String] = [:], annotations: [String: String] = [:]) -> ObjectRecord {
        ObjectRecord(apiVersion: "v1", kind: "Namespace", meta: meta(name, ns: nil, labels: labels, annotations: annotations))
    }

    /// A settled, available Deployment (status matches spec).
    static func deployment(_ name: String, ns: String = "kubearmor", replicas: Int = 1, generation: Int = 1,
                           labels: [String: String] = [:], owners: [OwnerReference] = [],
                           containers: [ContainerRecord] = [], status: WorkloadStatus? = nil) -> WorkloadRecord {
        WorkloadRecord(kind: "Deployment", meta: meta(name, ns: ns, generation: generation, labels: labels, owners: owners),
                       replicas: replicas, containers: containers,
                       status: status ?? WorkloadStatus(observedGeneration: generation, replicas: replicas, readyReplicas: replicas,
                                                        availableReplicas: replicas, updatedReplicas: replicas))
    }

    static func daemonSet(_ name: String, ns: String = "kubearmor", generation: Int = 1, labels: [String: String] = [:],
                          containers: [ContainerRecord] = [], initContainers: [ContainerRecord] = [], status: WorkloadStatus? = nil) -> WorkloadRecord {
        WorkloadRecord(kind: "DaemonSet", meta: meta(name, ns: ns, generation: generation, labels: labels),
                       containers: containers, initContainers: initContainers,
                       status: status ?? WorkloadStatus(observedGeneration: generation, desiredNumberScheduled: 3, numberAvailable: 3,
                                                        numberUnavailable: 0, updatedNumberScheduled: 3))
    }

    static func statefulSet(_ name: String, ns: String = "default", replicas: Int = 2, status: WorkloadStatus) -> WorkloadRecord {
        WorkloadRecord(kind: "StatefulSet", meta: meta(name, ns: ns, generation: 1), replicas: replicas, status: status)
    }

    static let operatorDeployment = deployment("kubearmor-operator", labels: ["kubearmor-app": "kubearmor-operator"])

    static func ownerRef(_ w: WorkloadRecord) -> OwnerReference {
        OwnerReference(apiVersion: "apps/v1", kind: w.kind, name: w.meta.name, uid: w.meta.uid)
    }

    /// The JSON-patch operations of a request body.
    static func patchOps(_ request: KubeRequest) throws -> [JSONValue] {
        try JSONValue.parse(request.body ?? Data()).arrayValue ?? []
    }

    static func settings(_ yaml: String) throws -> Settings { try Settings.load(yaml: yaml, path: "test.yaml") }

    /// A finding with an action of `cls` on `target`, for planner tests.
    static func finding(_ name: String, ns: String? = "default", cls: ActionClass = .metadata, nodes: [String] = [],
                        check: String = "test-check", uid: String? = nil) -> Finding {
        let ref = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: name, uid: uid ?? "uid-\(ns ?? "")-\(name)", resourceVersion: "1")
        let request = KubeRequest(method: "PATCH", path: "/api/v1/namespaces/\(ns ?? "")/configmaps/\(name)")
        return Finding(check: check, object: ref, reason: "test \(name)",
                       action: Action(actionClass: cls, target: ref, summary: "fix \(name)", request: request, disruptedNodes: nodes))
    }

    static func reportOnly(_ name: String, ns: String? = "default") -> Finding {
        Finding(check: "test-check", object: ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: name, uid: "uid-\(name)", resourceVersion: "1"),
                reason: "report \(name)", action: nil)
    }
}
