import KubeClient

/// pkg/controller/disruption/disruption.go: PodDisruptionBudget status from the pods its
/// selector matches (getExpectedPodCount, countHealthyPods, updatePdbStatus).
enum DisruptionController {
    struct ScaleError: Error { var message: String }

    static func run(_ step: inout ControllerStep) {
        guard let pdbType = step.type("poddisruptionbudgets.policy"), let podType = step.type("pods") else { return }
        for pdb in step.list(pdbType) {
            let selector = SpecSelector(pdb["spec"]?["selector"])
            let pods = step.list(podType, namespace: pdb.namespace).filter { selector.matches($0.labels) }
            var status = pdb["status"]?.objectValue ?? [:]
            var conditions = status["conditions"]?.arrayValue ?? []
            status["observedGeneration"] = pdb["metadata"]?["generation"] ?? 1
            do {
                let (expected, desired) = try expectedCount(pdb, pods, &step)
                // countHealthyPods: Ready pods that are not being deleted.
                let healthy = pods.filter { !$0.isTerminating && $0.isPodReady }.count
                var allowed = healthy - desired
                if expected <= 0 || allowed <= 0 { allowed = 0 }
                status["expectedPods"] = .number(Double(expected))
                status["desiredHealthy"] = .number(Double(desired))
                status["currentHealthy"] = .number(Double(healthy))
                status["disruptionsAllowed"] = .number(Double(allowed))
                conditions = allowed > 0
                    ? Conditions.set(conditions, type: "DisruptionAllowed", status: "True", reason: "SufficientPods", message: "",
                                     extra: ["observedGeneration": status["observedGeneration"] ?? 1])
                    : Conditions.set(conditions, type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "",
                                     extra: ["observedGeneration": status["observedGeneration"] ?? 1])
            } catch {
                // failSafe: no disruptions while the budget cannot be computed.
                status["disruptionsAllowed"] = 0
                conditions = Conditions.set(conditions, type: "DisruptionAllowed", status: "False", reason: "SyncFailed",
                                            message: error.message, extra: ["observedGeneration": status["observedGeneration"] ?? 1])
            }
            // PodDisruptionBudgetStatus's counts are int32 without omitempty: always written, 0 included.
            for field in ["disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"] where status[field] == nil {
                status[field] = 0
            }
            status["conditions"] = .array(conditions)
            step.updateStatus(pdbType, pdb, status: .object(status))
        }
    }

    /// getExpectedPodCount: maxUnavailable (int or %) and minAvailable % use the scale of
    /// the pods' controllers; an integer minAvailable uses the number of matched pods.
    static func expectedCount(_ pdb: JSONValue, _ pods: [JSONValue], _ step: inout ControllerStep) throws(ScaleError) -> (Int, Int) {
        if let maxUnavailable = pdb["spec"]?["maxUnavailable"] {
            let expected = try expectedScale(pods, &step)
            let unavailable = IntOrPercent.scaled(maxUnavailable, total: expected, roundUp: true, default: "0")
            return (expected, max(0, expected - unavailable))
        }
        if let minAvailable = pdb["spec"]?["minAvailable"] {
            if let n = minAvailable.intValue { return (pods.count, n) }
            let expected = try expectedScale(pods, &step)
            return (expected, IntOrPercent.scaled(minAvailable, total: expected, roundUp: true, default: "0"))
        }
        return (pods.count, 0)
    }

    /// getExpectedScale: the sum of the scales of the distinct controllers of the pods;
    /// pods without a controller are unmanaged and ignored; a controller of a kind
    /// without a scale (DaemonSet) fails the sync, as the scale lookup does.
    static func expectedScale(_ pods: [JSONValue], _ step: inout ControllerStep) throws(ScaleError) -> Int {
        var seen: [String: Int] = [:]
        for pod in pods {
            guard let ref = pod.controllerRef, let uid = ref["uid"]?.stringValue, seen[uid] == nil else { continue }
            let kind = ref["kind"]?.stringValue ?? "", name = ref["name"]?.stringValue ?? ""
            switch kind {
            case "ReplicaSet":
                guard let rsType = step.type("replicasets.apps"),
                      let rs = step.get(rsType, namespace: pod.namespace, name: name), rs.uid == uid else { continue }
                // A ReplicaSet owned by a Deployment counts the Deployment's scale.
                if let dRef = rs.controllerRef, dRef["kind"]?.stringValue == "Deployment", let dType = step.type("deployments.apps"),
                   let d = step.get(dType, namespace: pod.namespace, name: dRef["name"]?.stringValue ?? ""), d.uid == dRef["uid"]?.stringValue {
                    seen[d.uid] = d.specReplicas
                } else {
                    seen[uid] = rs.specReplicas
                }
            case "StatefulSet":
                guard let t = step.type("statefulsets.apps"), let sts = step.get(t, namespace: pod.namespace, name: name), sts.uid == uid else { continue }
                seen[uid] = sts.specReplicas
            default:
                throw ScaleError(message: "found no controllers for pod \"\(pod.name)\"")
            }
        }
        return seen.values.reduce(0, +)
    }
}
