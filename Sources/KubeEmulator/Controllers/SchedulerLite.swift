import KubeClient

/// A stand-in for kube-scheduler: binds pending pods to schedulable Nodes round robin,
/// honouring `spec.nodeSelector` and `spec.unschedulable`. Does nothing without Nodes.
enum SchedulerLite {
    static func run(_ step: inout ControllerStep) {
        guard let podType = step.type("pods"), let nodeType = step.type("nodes") else { return }
        let nodes = step.list(nodeType).filter { $0["spec"]?["unschedulable"]?.boolValue != true }
        guard !nodes.isEmpty else { return }
        for var pod in step.list(podType) where pod.isActivePod && (pod["spec"]?["nodeName"]?.stringValue ?? "").isEmpty {
            let selector = (pod["spec"]?["nodeSelector"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            let fits = nodes.filter { node in
                selector.allSatisfy { node.labels[$0.key] == $0.value } && DaemonSetController.eligible(node, template: pod)
            }
            guard !fits.isEmpty else { continue }
            let node = fits[step.memory.nextNode % fits.count]
            step.memory.nextNode += 1
            // The binding subresource sets nodeName; the scheduler reports PodScheduled.
            pod["spec"]?["nodeName"] = .string(node.name)
            var status = pod["status"] ?? [:]
            status["conditions"] = .array(Conditions.set(status["conditions"]?.arrayValue ?? [], type: "PodScheduled", status: "True",
                                                         reason: "", message: "", extra: ["lastProbeTime": nil]))
            pod["status"] = status
            step.update(podType, pod)
        }
    }
}
