import Foundation
import KubeClient
@testable import Reconciler

/// A small cluster where KubeArmor enforces AppArmor on node-1 and node-2 (node-3 is not
/// labelled), its controller is available and its webhook configuration exists; tests
/// add application workloads and pods.
struct AppArmorCluster {
    var pods: [PodRecord] = []
    var workloads: [WorkloadRecord] = []
    var objects: [ObjectRecord] = []
    var takenAt = Date(timeIntervalSince1970: 1_780_000_000)

    init(webhook: Bool = true, controllerAvailable: Int = 1) {
        for (i, node) in ["node-1", "node-2", "node-3"].enumerated() {
            let labels = i < 2 ? ["kubearmor.io/enforcer": "apparmor"] : [:]
            objects.append(ObjectRecord(apiVersion: "v1", kind: "Node", meta: Fixture.meta(node, ns: nil, labels: labels)))
            if i < 2 {
                pods.append(PodRecord(meta: Fixture.meta("kubearmor-\(node)", ns: "kubearmor", labels: ["kubearmor-app": "kubearmor"]),
                                      nodeName: node, containers: [PodContainerRecord(name: "kubearmor")]))
            }
        }
        workloads.append(Fixture.deployment("kubearmor-controller", labels: ["kubearmor-app": "kubearmor-controller"],
                                            status: WorkloadStatus(observedGeneration: 1, replicas: 1, readyReplicas: controllerAvailable,
                                                                   availableReplicas: controllerAvailable, updatedReplicas: 1)))
        if webhook {
            objects.append(ObjectRecord(apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration",
                                        meta: Fixture.meta("kubearmor-controller-mutating-webhook-configuration", ns: nil)))
        }
        for ns in ["kubearmor", "shop", "blog", "kube-system"] { objects.append(Fixture.namespace(ns)) }
    }

    static func annotation(_ container: String) -> String { AppArmorProfiles.annotationPrefix + container }

    /// A pod with `containers`, owned by `owner` (controller reference) when given.
    static func pod(_ name: String, ns: String = "shop", node: String = "node-1", containers: [String] = ["app"],
                    annotations: [String: String] = [:], labels: [String: String] = [:], owner: OwnerReference? = nil,
                    created: String = "2026-03-01T10:00:00Z") -> PodRecord {
        PodRecord(meta: Fixture.meta(name, ns: ns, labels: labels, annotations: annotations, owners: owner.map { [$0] } ?? []),
                  created: created, nodeName: node, containers: containers.map { PodContainerRecord(name: $0) })
    }

    /// A Deployment, its ReplicaSet and `pods` pods (on `nodes`, round robin), unprotected.
    @discardableResult
    mutating func deployment(_ name: String, ns: String = "shop", pods count: Int = 2, nodes: [String] = ["node-1"],
                             paused: Bool = false, created: String = "2026-03-01T10:00:00Z", labels: [String: String]? = nil,
                             status: WorkloadStatus? = nil) -> WorkloadRecord {
        var d = Fixture.deployment(name, ns: ns, replicas: count, status: status)
        d.paused = paused
        d.templateLabels = labels ?? ["app": name]
        let rs = ObjectRecord(apiVersion: "apps/v1", kind: "ReplicaSet",
                              meta: Fixture.meta("\(name)-abc", ns: ns, owners: [OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: name, uid: d.meta.uid, controller: true)]))
        workloads.append(d)
        objects.append(rs)
        for i in 0..<count {
            pods.append(Self.pod("\(name)-abc-\(i)", ns: ns, node: nodes[i % nodes.count], containers: [name],
                                 owner: OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.meta.name, uid: rs.meta.uid, controller: true),
                                 created: created))
        }
        return d
    }

    mutating func pdb(_ name: String, ns: String = "shop", selector: JSONValue, allowed: Int) {
        objects.append(ObjectRecord(apiVersion: "policy/v1", kind: "PodDisruptionBudget", meta: Fixture.meta(name, ns: ns),
                                    spec: ["selector": selector, "minAvailable": 1], status: ["disruptionsAllowed": .number(Double(allowed))]))
    }

    var snapshot: Snapshot {
        var s = Snapshot(pods: pods, workloads: workloads, objects: objects)
        s.takenAt = takenAt
        return s
    }

    func evaluate(_ settings: Settings = .defaults) -> CheckReport {
        AppArmorUnprotectedPodsCheck().evaluate(snapshot, settings)
    }

    func plan(_ settings: Settings = .defaults) -> Plan {
        Planner.plan([evaluate(settings)], snapshot: snapshot, settings: settings, shard: nil)
    }
}
