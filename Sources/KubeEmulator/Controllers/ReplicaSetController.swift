import KubeClient

/// pkg/controller/replicaset/replica_set.go, simplified: keeps `spec.replicas` active pods
/// controlled by each ReplicaSet (no adoption of orphans) and reports status.
enum ReplicaSetController {
    static func run(_ step: inout ControllerStep) {
        guard let rsType = step.type("replicasets.apps"), let podType = step.type("pods") else { return }
        for rs in step.list(rsType) {
            let pods = step.list(podType, namespace: rs.namespace).filter { $0.isControlled(by: rs) }
            let active = pods.filter(\.isActivePod)
            if !rs.isTerminating {
                let diff = active.count - rs.specReplicas
                if diff < 0 {
                    for _ in 0..<(-diff) { step.create(podType, newPod(rs, &step)) }
                } else if diff > 0 {
                    for pod in deletionOrder(active).prefix(diff) { step.delete(podType, pod) }
                }
            }
            // Status from the pods as they were at the start of this pass (the real
            // controller also reports what its cache saw).
            let templateLabels = (rs["spec"]?["template"]?["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            let ready = active.filter(\.isPodReady).count
            let status: JSONValue = [
                "replicas": .number(Double(active.count)),
                "fullyLabeledReplicas": .number(Double(active.filter { pod in templateLabels.allSatisfy { pod.labels[$0.key] == $0.value } }.count)),
                "readyReplicas": .number(Double(ready)),
                "availableReplicas": .number(Double(ready)),
                "observedGeneration": rs["metadata"]?["generation"] ?? 1,
            ]
            step.updateStatus(rsType, rs, status: status)
        }
    }

    /// The pod a ReplicaSet creates: template plus generateName `<rs>-` and a controller ref.
    static func newPod(_ rs: JSONValue, _ step: inout ControllerStep) -> JSONValue {
        let template = rs["spec"]?["template"] ?? [:]
        var meta = template["metadata"]?.objectValue ?? [:]
        meta["name"] = .string("\(rs.name)-\(step.memory.rng.nameSuffix())")
        meta["generateName"] = .string("\(rs.name)-")
        meta["namespace"] = .string(rs.namespace)
        meta["ownerReferences"] = [rs.ownerReference()]
        return ["metadata": .object(meta), "spec": template["spec"] ?? [:]]
    }

    /// controller.ActivePods ordering, the pods to delete first: unscheduled, then
    /// Pending < Unknown < Running, not ready before ready, newer before older.
    static func deletionOrder(_ pods: [JSONValue]) -> [JSONValue] {
        func rank(_ p: JSONValue) -> (Int, Int, Int) {
            let scheduled = (p["spec"]?["nodeName"]?.stringValue ?? "").isEmpty ? 0 : 1
            let phase = ["Pending": 0, "Unknown": 1, "Running": 2][p["status"]?["phase"]?.stringValue ?? "Pending"] ?? 0
            return (scheduled, phase, p.isPodReady ? 1 : 0)
        }
        return pods.sorted { a, b in
            let ra = rank(a), rb = rank(b)
            if ra != rb { return ra < rb }
            let ca = a.meta("creationTimestamp") ?? "", cb = b.meta("creationTimestamp") ?? ""
            if ca != cb { return ca > cb }
            return a.name > b.name
        }
    }
}
