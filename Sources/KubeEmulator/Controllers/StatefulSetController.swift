import KubeClient

/// pkg/controller/statefulset (stateful_set_control.go), simplified: pods `<sts>-0..N-1`,
/// OrderedReady (one pod at a time, the next only when the previous is Running and Ready)
/// or Parallel, scale down from the highest ordinal, RollingUpdate from the highest
/// ordinal down to `partition`. No ControllerRevision objects or PVCs.
enum StatefulSetController {
    static let revisionLabel = "controller-revision-hash"

    static func run(_ step: inout ControllerStep) {
        guard let stsType = step.type("statefulsets.apps"), let podType = step.type("pods") else { return }
        for sts in step.list(stsType) { sync(sts, &step, stsType, podType) }
    }

    static func ordinal(_ pod: JSONValue, _ sts: JSONValue) -> Int? {
        let prefix = sts.name + "-"
        guard pod.name.hasPrefix(prefix) else { return nil }
        return Int(pod.name.dropFirst(prefix.count))
    }

    private static func sync(_ sts: JSONValue, _ step: inout ControllerStep, _ stsType: ResourceType, _ podType: ResourceType) {
        let updateRevision = "\(sts.name)-\(DeploymentController.templateHash(sts["spec"]?["template"] ?? [:]))"
        var currentRevision = sts["status"]?["currentRevision"]?.stringValue ?? updateRevision
        let replicas = sts.specReplicas
        let parallel = sts["spec"]?["podManagementPolicy"]?.stringValue == "Parallel"
        var pods: [Int: JSONValue] = [:]
        for pod in step.list(podType, namespace: sts.namespace) where pod.isControlled(by: sts) {
            if let i = ordinal(pod, sts) { pods[i] = pod }
        }

        if !sts.isTerminating {
            manage(sts, &pods, replicas: replicas, parallel: parallel, currentRevision: currentRevision,
                   updateRevision: updateRevision, &step, podType)
        }

        let live = pods.values.filter { !$0.isTerminating }
        let ready = live.filter(\.isPodReady).count
        let updated = live.filter { $0.labels[revisionLabel] == updateRevision }.count
        if updated == replicas, ready == replicas, live.count == replicas { currentRevision = updateRevision }
        let current = live.filter { $0.labels[revisionLabel] == currentRevision }.count
        let status: JSONValue = [
            "replicas": .number(Double(live.count)),
            "readyReplicas": .number(Double(ready)),
            "availableReplicas": .number(Double(ready)),
            "currentReplicas": .number(Double(current)),
            "updatedReplicas": .number(Double(updated)),
            "currentRevision": .string(currentRevision),
            "updateRevision": .string(updateRevision),
            "observedGeneration": sts["metadata"]?["generation"] ?? 1,
            "collisionCount": 0,
        ]
        step.updateStatus(stsType, sts, status: status)
    }

    private static func manage(_ sts: JSONValue, _ pods: inout [Int: JSONValue], replicas: Int, parallel: Bool,
                               currentRevision: String, updateRevision: String, _ step: inout ControllerStep, _ podType: ResourceType) {
        // Create missing ordinals in order; OrderedReady waits on each one.
        for i in 0..<replicas {
            if let pod = pods[i] {
                if pod.isTerminating || !pod.isPodReady { if !parallel { return } }
                continue
            }
            // A pod being replaced keeps the revision it is updated to.
            let pod = newPod(sts, ordinal: i, revision: updateRevision)
            step.create(podType, pod)
            pods[i] = step.get(podType, namespace: sts.namespace, name: pod.name)
            if !parallel { return }
        }
        // Scale down: highest ordinal first, one at a time unless Parallel.
        let extra = pods.keys.filter { $0 >= replicas }.sorted(by: >)
        for i in extra {
            guard let pod = pods[i] else { continue }
            if pod.isTerminating { if !parallel { return } else { continue } }
            step.delete(podType, pod)
            if !parallel { return }
        }
        guard extra.isEmpty else { return }
        // RollingUpdate: once all are Ready, replace the highest ordinal not yet updated.
        let strategy = sts["spec"]?["updateStrategy"]
        guard (strategy?["type"]?.stringValue ?? "RollingUpdate") == "RollingUpdate" else { return }
        guard (0..<replicas).allSatisfy({ pods[$0].map { !$0.isTerminating && $0.isPodReady } ?? false }) else { return }
        let partition = strategy?["rollingUpdate"]?["partition"]?.intValue ?? 0
        for i in stride(from: replicas - 1, through: partition, by: -1) {
            guard let pod = pods[i], pod.labels[revisionLabel] != updateRevision else { continue }
            step.delete(podType, pod)
            return
        }
    }

    static func newPod(_ sts: JSONValue, ordinal: Int, revision: String) -> JSONValue {
        let template = sts["spec"]?["template"] ?? [:]
        var meta = template["metadata"]?.objectValue ?? [:]
        var labels = meta["labels"]?.objectValue ?? [:]
        labels[revisionLabel] = .string(revision)
        labels["statefulset.kubernetes.io/pod-name"] = .string("\(sts.name)-\(ordinal)")
        labels["apps.kubernetes.io/pod-index"] = .string(String(ordinal))
        meta["labels"] = .object(labels)
        meta["name"] = .string("\(sts.name)-\(ordinal)")
        meta["namespace"] = .string(sts.namespace)
        meta["ownerReferences"] = [sts.ownerReference()]
        var spec = template["spec"] ?? [:]
        spec["hostname"] = .string("\(sts.name)-\(ordinal)")
        if let service = sts["spec"]?["serviceName"]?.stringValue, !service.isEmpty { spec["subdomain"] = .string(service) }
        return ["metadata": .object(meta), "spec": spec]
    }
}
