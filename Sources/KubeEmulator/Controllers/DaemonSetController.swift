import KubeClient

/// pkg/controller/daemon (daemon_controller.go, update.go), simplified: one pod per
/// eligible Node with `spec.nodeName` set, RollingUpdate bounded by maxUnavailable.
enum DaemonSetController {
    static let revisionLabel = "controller-revision-hash"

    static func run(_ step: inout ControllerStep) {
        guard let dsType = step.type("daemonsets.apps"), let podType = step.type("pods"),
              let nodeType = step.type("nodes") else { return }
        let nodes = step.list(nodeType)
        for ds in step.list(dsType) {
            sync(ds, nodes, &step, dsType, podType)
        }
    }

    /// Node selector matches and every NoSchedule/NoExecute taint is tolerated
    /// (predicates of nodeShouldRunDaemonPod, without affinity).
    static func eligible(_ node: JSONValue, template: JSONValue?) -> Bool {
        let selector = (template?["spec"]?["nodeSelector"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        guard selector.allSatisfy({ node.labels[$0.key] == $0.value }) else { return false }
        let tolerations = template?["spec"]?["tolerations"]?.arrayValue ?? []
        for taint in node["spec"]?["taints"]?.arrayValue ?? [] {
            let effect = taint["effect"]?.stringValue ?? ""
            guard effect == "NoSchedule" || effect == "NoExecute" else { continue }
            if !tolerations.contains(where: { tolerates($0, taint) }) { return false }
        }
        return true
    }

    /// v1.Toleration.ToleratesTaint.
    static func tolerates(_ t: JSONValue, _ taint: JSONValue) -> Bool {
        if let e = t["effect"]?.stringValue, !e.isEmpty, e != taint["effect"]?.stringValue { return false }
        let key = t["key"]?.stringValue ?? ""
        if !key.isEmpty, key != taint["key"]?.stringValue { return false }
        switch t["operator"]?.stringValue ?? "Equal" {
        case "Exists": return true
        default: return key.isEmpty ? false : (t["value"]?.stringValue ?? "") == (taint["value"]?.stringValue ?? "")
        }
    }

    private static func sync(_ ds: JSONValue, _ nodes: [JSONValue], _ step: inout ControllerStep, _ dsType: ResourceType, _ podType: ResourceType) {
        let template = ds["spec"]?["template"]
        let hash = DeploymentController.templateHash(template ?? [:])
        let pods = step.list(podType, namespace: ds.namespace).filter { $0.isControlled(by: ds) }
        let eligibleNodes = nodes.filter { eligible($0, template: template) }
        let eligibleNames = Set(eligibleNodes.map(\.name))
        var byNode: [String: [JSONValue]] = [:]
        for pod in pods { byNode[pod["spec"]?["nodeName"]?.stringValue ?? "", default: []].append(pod) }

        if !ds.isTerminating {
            // Pods on nodes that should not run one, or extra pods on a node.
            for pod in pods where pod.isActivePod && !eligibleNames.contains(pod["spec"]?["nodeName"]?.stringValue ?? "") {
                step.delete(podType, pod)
            }
            for node in eligibleNodes {
                let active = (byNode[node.name] ?? []).filter(\.isActivePod)
                if active.isEmpty, !(byNode[node.name] ?? []).contains(where: \.isTerminating) {
                    step.create(podType, newPod(ds, node: node.name, hash: hash, &step))
                } else if active.count > 1 {
                    for pod in active.dropFirst() { step.delete(podType, pod) }
                }
            }
            rollingUpdate(ds, eligibleNodes, byNode, hash: hash, &step, podType)
        }

        let onEligible = pods.filter { $0.isActivePod && eligibleNames.contains($0["spec"]?["nodeName"]?.stringValue ?? "") }
        let ready = onEligible.filter(\.isPodReady).count
        let status: JSONValue = [
            "desiredNumberScheduled": .number(Double(eligibleNodes.count)),
            "currentNumberScheduled": .number(Double(Set(onEligible.compactMap { $0["spec"]?["nodeName"]?.stringValue }).count)),
            "numberMisscheduled": .number(Double(pods.filter { $0.isActivePod && !eligibleNames.contains($0["spec"]?["nodeName"]?.stringValue ?? "") }.count)),
            "numberReady": .number(Double(ready)),
            "numberAvailable": .number(Double(ready)),
            "numberUnavailable": .number(Double(max(0, eligibleNodes.count - ready))),
            "updatedNumberScheduled": .number(Double(onEligible.filter { $0.labels[revisionLabel] == hash }.count)),
            "observedGeneration": ds["metadata"]?["generation"] ?? 1,
        ]
        step.updateStatus(dsType, ds, status: status)
    }

    /// update.go rollingUpdate (maxSurge 0): old pods that are not available go at once;
    /// available old ones only while fewer than maxUnavailable nodes lack an available pod.
    private static func rollingUpdate(_ ds: JSONValue, _ nodes: [JSONValue], _ byNode: [String: [JSONValue]], hash: String,
                                      _ step: inout ControllerStep, _ podType: ResourceType) {
        guard (ds["spec"]?["updateStrategy"]?["type"]?.stringValue ?? "RollingUpdate") == "RollingUpdate" else { return }
        let maxUnavailable = max(1, IntOrPercent.scaled(ds["spec"]?["updateStrategy"]?["rollingUpdate"]?["maxUnavailable"],
                                                        total: nodes.count, roundUp: true, default: "1"))
        var unavailable = 0
        var oldAvailable: [JSONValue] = []
        for node in nodes {
            let active = (byNode[node.name] ?? []).filter(\.isActivePod)
            guard let pod = active.first, pod.isPodReady else {
                unavailable += 1
                if let pod = active.first, pod.labels[revisionLabel] != hash { step.delete(podType, pod) }
                continue
            }
            if pod.labels[revisionLabel] != hash { oldAvailable.append(pod) }
        }
        for pod in oldAvailable.prefix(max(0, maxUnavailable - unavailable)) { step.delete(podType, pod) }
    }

    static func newPod(_ ds: JSONValue, node: String, hash: String, _ step: inout ControllerStep) -> JSONValue {
        let template = ds["spec"]?["template"] ?? [:]
        var meta = template["metadata"]?.objectValue ?? [:]
        var labels = meta["labels"]?.objectValue ?? [:]
        labels[revisionLabel] = .string(hash)
        labels["pod-template-generation"] = .string(String(ds["metadata"]?["generation"]?.intValue ?? 1))
        meta["labels"] = .object(labels)
        meta["name"] = .string("\(ds.name)-\(step.memory.rng.nameSuffix())")
        meta["generateName"] = .string("\(ds.name)-")
        meta["namespace"] = .string(ds.namespace)
        meta["ownerReferences"] = [ds.ownerReference()]
        var spec = template["spec"] ?? [:]
        spec["nodeName"] = .string(node)
        return ["metadata": .object(meta), "spec": spec]
    }
}
