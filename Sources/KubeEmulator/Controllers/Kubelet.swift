import Foundation
import KubeClient
import Synchronization

/// A stand-in for the kubelets: a pod bound to a Node becomes Running and Ready after
/// `readyAfterSteps` passes; a terminating pod is removed after `terminateAfterSteps`
/// passes once its finalizers are gone (the kubelet's final status write with grace 0).
enum Kubelet {
    static func run(_ step: inout ControllerStep) {
        guard let podType = step.type("pods") else { return }
        let nodeType = step.type("nodes")
        var nodeIndex: [String: (index: Int, ip: String)] = [:]
        if let nodeType {
            for (i, node) in step.list(nodeType).enumerated() {
                let ip = (node["status"]?["addresses"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "InternalIP" }?["address"]?.stringValue
                nodeIndex[node.name] = (i, ip ?? "10.0.\(i / 250).\(i % 250 + 1)")
            }
        }
        for pod in step.list(podType) {
            let nodeName = pod["spec"]?["nodeName"]?.stringValue ?? ""
            if let exec = step.exec, exec.executable(for: pod) != nil {
                if pod.isTerminating { exec.stop(pod.uid) }
                if let outcome = exec.takeOutcome(pod.uid) {
                    step.updateStatus(podType, pod, status: KubeletExec.terminatedStatus(pod, outcome))
                    continue
                }
            }
            if pod.isTerminating {
                let passes = (step.memory.kubeletPasses[pod.uid] ?? 0) + 1
                step.memory.kubeletPasses[pod.uid] = passes
                if passes >= step.settings.terminateAfterSteps || nodeName.isEmpty, pod.finalizers.isEmpty {
                    step.removeNow(podType, pod)
                }
                continue
            }
            guard !nodeName.isEmpty, pod["status"]?["phase"]?.stringValue == "Pending" else { continue }
            let passes = (step.memory.kubeletPasses[pod.uid] ?? 0) + 1
            step.memory.kubeletPasses[pod.uid] = passes
            guard passes >= step.settings.readyAfterSteps else { continue }
            step.memory.kubeletPasses[pod.uid] = nil
            let node = nodeIndex[nodeName] ?? (0, "10.0.0.1")
            var status = runningStatus(pod, hostIP: node.ip, nodeIndex: node.index, &step.memory.rng)
            if let exec = step.exec, exec.executable(for: pod) != nil {
                var running = pod
                running["status"] = status
                if let failure = exec.start(running, lookup: { resource, ns, name in
                    step.type(resource).flatMap { step.get($0, namespace: ns, name: name) } }) {
                    status = KubeletExec.startFailedStatus(pod, message: failure)
                }
            }
            step.updateStatus(podType, pod, status: status)
        }
    }

    /// The status a kubelet reports for a started pod whose containers are all ready.
    static func runningStatus(_ pod: JSONValue, hostIP: String, nodeIndex: Int, _ rng: inout SplitMix64, now: String = ServerStamp.now()) -> JSONValue {
        let podIP = "10.244.\(nodeIndex % 256).\(rng.int(2...254))"
        func condition(_ type: String) -> JSONValue {
            ["type": .string(type), "status": "True", "lastProbeTime": nil, "lastTransitionTime": .string(now)]
        }
        let containers = pod["spec"]?["containers"]?.arrayValue ?? []
        let statuses: [JSONValue] = containers.map { c in
            let image = c["image"]?.stringValue ?? ""
            return ["name": c["name"] ?? "", "image": .string(image), "imageID": .string(imageID(image)),
                    "containerID": .string("containerd://\(rng.hex(64))"), "ready": true, "started": true, "restartCount": 0,
                    "state": ["running": ["startedAt": .string(now)]], "lastState": [:]]
        }
        let resources = containers.compactMap { $0["resources"] }
        let qos: String = resources.isEmpty || resources.allSatisfy({ $0["requests"] == nil && $0["limits"] == nil }) ? "BestEffort"
            : resources.allSatisfy({ $0["limits"] != nil && $0["limits"] == ($0["requests"] ?? $0["limits"]) }) ? "Guaranteed" : "Burstable"
        return ["phase": "Running",
                "conditions": .array(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(condition)),
                "hostIP": .string(hostIP), "hostIPs": [["ip": .string(hostIP)]],
                "podIP": .string(podIP), "podIPs": [["ip": .string(podIP)]],
                "startTime": .string(now), "qosClass": .string(qos), "containerStatuses": .array(statuses)]
    }

    /// A digest reference for an image, stable per image name.
    static func imageID(_ image: String) -> String {
        // The generator asks once per container of 150k pods, for a few hundred images.
        if let known = imageIDs.withLock({ $0[image] }) { return known }
        let id = digestReference(image)
        imageIDs.withLock { $0[image] = id }
        return id
    }

    private static let imageIDs = Mutex<[String: String]>([:])

    private static func digestReference(_ image: String) -> String {
        var rng = SplitMix64(seed: UInt64(FNV32a.hash(Array(image.utf8))))
        let repo = image.split(separator: ":").first.map(String.init) ?? image
        let qualified = repo.contains("/") ? (repo.split(separator: "/").first!.contains(".") ? repo : "docker.io/\(repo)") : "docker.io/library/\(repo)"
        return "\(qualified)@sha256:\(rng.hex(64))"
    }
}
