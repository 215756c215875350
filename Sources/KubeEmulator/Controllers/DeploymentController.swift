import KubeClient

/// pkg/controller/deployment (sync.go, rolling.go, recreate.go, progress.go), simplified:
/// one ReplicaSet per pod template named `<deployment>-<pod-template-hash>`, rolling
/// updates bounded by maxSurge/maxUnavailable, Recreate, paused deployments left alone.
enum DeploymentController {
    static let revisionAnnotation = "deployment.kubernetes.io/revision"
    static let hashLabel = "pod-template-hash"

    static func run(_ step: inout ControllerStep) {
        guard let dType = step.type("deployments.apps"), let rsType = step.type("replicasets.apps") else { return }
        for d in step.list(dType) {
            sync(d, &step, dType, rsType)
        }
    }

    /// controller.ComputeHash: FNV-32a of the template, safe-encoded (the real one hashes
    /// Go's deep-printed struct; we hash the canonical JSON, so values differ but the
    /// shape and stability are the same).
    static func templateHash(_ template: JSONValue, collisionCount: Int = 0) -> String {
        var bytes = Array(JSONWriter.encode(template))
        if collisionCount > 0 { bytes += Array(String(collisionCount).utf8) }
        return FNV32a.safeEncoded(FNV32a.hash(bytes))
    }

    /// EqualIgnoreHash: templates equal once pod-template-hash is dropped from the labels.
    static func templateWithoutHash(_ template: JSONValue?) -> JSONValue {
        var t = template ?? [:]
        if var labels = t["metadata"]?["labels"]?.objectValue {
            labels[hashLabel] = nil
            t["metadata"]?["labels"] = labels.isEmpty ? nil : .object(labels)
            if t["metadata"]?.objectValue?.isEmpty == true { t["metadata"] = nil }
        }
        return t
    }

    private static func revision(_ rs: JSONValue) -> Int {
        Int(rs["metadata"]?["annotations"]?[revisionAnnotation]?.stringValue ?? "") ?? 0
    }

    private static func sync(_ d: JSONValue, _ step: inout ControllerStep, _ dType: ResourceType, _ rsType: ResourceType) {
        let owned = step.list(rsType, namespace: d.namespace).filter { $0.isControlled(by: d) }
        let template = templateWithoutHash(d["spec"]?["template"])
        var newRS = owned.first { templateWithoutHash($0["spec"]?["template"]) == template }
        let paused = d["spec"]?["paused"]?.boolValue == true

        if !d.isTerminating, !paused {
            if newRS == nil {
                newRS = createReplicaSet(d, template: template, revision: (owned.map(revision).max() ?? 0) + 1, &step, rsType)
            } else if let rs = newRS, revision(rs) < (owned.map(revision).max() ?? 0) {
                // Rolling back to an older template makes its ReplicaSet the newest revision.
                newRS = setAnnotation(rs, revisionAnnotation, String((owned.map(revision).max() ?? 0) + 1), &step, rsType)
            }
            let olds = step.list(rsType, namespace: d.namespace).filter { $0.isControlled(by: d) && $0.uid != newRS?.uid }
            if d["spec"]?["strategy"]?["type"]?.stringValue == "Recreate" {
                recreate(d, newRS!, olds, &step, rsType)
            } else {
                rolling(d, newRS!, olds, &step, rsType)
            }
            if let rs = newRS, let current = step.get(rsType, namespace: rs.namespace, name: rs.name) {
                newRS = current
                if d["metadata"]?["annotations"]?[revisionAnnotation]?.stringValue != String(revision(current)) {
                    _ = setAnnotation(d, revisionAnnotation, String(revision(current)), &step, dType)
                }
            }
        }
        updateStatus(d, newRS, &step, dType, rsType, paused: paused)
    }

    private static func setAnnotation(_ obj: JSONValue, _ key: String, _ value: String, _ step: inout ControllerStep, _ rt: ResourceType) -> JSONValue {
        var obj = step.get(rt, namespace: obj.namespace, name: obj.name) ?? obj
        var annotations = obj["metadata"]?["annotations"]?.objectValue ?? [:]
        annotations[key] = .string(value)
        obj.setMeta("annotations", .object(annotations))
        step.update(rt, obj)
        return step.get(rt, namespace: obj.namespace, name: obj.name) ?? obj
    }

    private static func createReplicaSet(_ d: JSONValue, template: JSONValue, revision: Int, _ step: inout ControllerStep, _ rsType: ResourceType) -> JSONValue {
        let hash = templateHash(template, collisionCount: d["status"]?["collisionCount"]?.intValue ?? 0)
        var t = template
        var labels = t["metadata"]?["labels"]?.objectValue ?? [:]
        labels[hashLabel] = .string(hash)
        if t["metadata"] == nil { t["metadata"] = [:] }
        t["metadata"]?["labels"] = .object(labels)
        var selector = d["spec"]?["selector"] ?? [:]
        var matchLabels = selector["matchLabels"]?.objectValue ?? [:]
        matchLabels[hashLabel] = .string(hash)
        selector["matchLabels"] = .object(matchLabels)
        let rs: JSONValue = [
            "metadata": ["name": .string("\(d.name)-\(hash)"), "namespace": .string(d.namespace), "labels": .object(labels),
                         "annotations": [revisionAnnotation: .string(String(revision)),
                                         "deployment.kubernetes.io/desired-replicas": .number(Double(d.specReplicas)).asString,
                                         "deployment.kubernetes.io/max-replicas": .number(Double(d.specReplicas + maxSurge(d))).asString],
                         "ownerReferences": [d.ownerReference()]],
            "spec": ["replicas": 0, "minReadySeconds": d["spec"]?["minReadySeconds"] ?? 0, "selector": selector, "template": t],
        ]
        step.create(rsType, rs)
        return step.get(rsType, namespace: d.namespace, name: "\(d.name)-\(hash)") ?? rs
    }

    static func maxSurge(_ d: JSONValue) -> Int {
        let ru = d["spec"]?["strategy"]?["rollingUpdate"]
        return IntOrPercent.scaled(ru?["maxSurge"], total: d.specReplicas, roundUp: true, default: "25%")
    }

    /// deploymentutil.ResolveFenceposts: surge rounds up, unavailable down; never both 0.
    static func maxUnavailable(_ d: JSONValue) -> Int {
        let ru = d["spec"]?["strategy"]?["rollingUpdate"]
        let unavailable = IntOrPercent.scaled(ru?["maxUnavailable"], total: d.specReplicas, roundUp: false, default: "25%")
        if unavailable == 0, maxSurge(d) == 0 { return 1 }
        return min(unavailable, d.specReplicas)
    }

    private static func scale(_ rs: JSONValue, to n: Int, _ step: inout ControllerStep, _ rsType: ResourceType) {
        guard var rs = step.get(rsType, namespace: rs.namespace, name: rs.name), rs.specReplicas != n else { return }
        rs["spec"]?["replicas"] = .number(Double(n))
        step.update(rsType, rs)
    }

    private static func replicasSum(_ sets: [JSONValue]) -> Int { sets.reduce(0) { $0 + $1.specReplicas } }
    private static func available(_ rs: JSONValue) -> Int { rs["status"]?["availableReplicas"]?.intValue ?? 0 }

    /// rolling.go rolloutRolling: scale the new ReplicaSet up within maxSurge, then old
    /// ones down while at least replicas - maxUnavailable pods stay available.
    private static func rolling(_ d: JSONValue, _ newRS: JSONValue, _ olds: [JSONValue], _ step: inout ControllerStep, _ rsType: ResourceType) {
        let replicas = d.specReplicas
        // reconcileNewReplicaSet (NewRSNewReplicas).
        if newRS.specReplicas > replicas {
            scale(newRS, to: replicas, &step, rsType)
        } else if newRS.specReplicas < replicas {
            let current = newRS.specReplicas + replicasSum(olds)
            let room = replicas + maxSurge(d) - current
            if room > 0 { scale(newRS, to: newRS.specReplicas + min(room, replicas - newRS.specReplicas), &step, rsType) }
        }
        // reconcileOldReplicaSets.
        let newNow = step.get(rsType, namespace: newRS.namespace, name: newRS.name) ?? newRS
        var olds = olds.map { step.get(rsType, namespace: $0.namespace, name: $0.name) ?? $0 }
        guard replicasSum(olds) > 0 else { return }
        let minAvailable = replicas - maxUnavailable(d)
        let all = olds + [newNow]
        let newUnavailable = max(0, newNow.specReplicas - available(newNow))
        var maxScaledDown = replicasSum(all) - minAvailable - newUnavailable
        guard maxScaledDown > 0 else { return }
        // cleanupUnhealthyReplicas: old pods that are not available go first, oldest set first.
        olds.sort { ($0.meta("creationTimestamp") ?? "", $0.name) < ($1.meta("creationTimestamp") ?? "", $1.name) }
        for (i, rs) in olds.enumerated() where maxScaledDown > 0 {
            let unhealthy = rs.specReplicas - available(rs)
            guard unhealthy > 0 else { continue }
            let n = min(maxScaledDown, unhealthy)
            scale(rs, to: rs.specReplicas - n, &step, rsType)
            olds[i]["spec"]?["replicas"] = .number(Double(rs.specReplicas - n))
            maxScaledDown -= n
        }
        // scaleDownOldReplicaSetsForRollingUpdate: only what keeps minAvailable.
        let availableNow = all.reduce(0) { $0 + available($1) }
        var total = min(availableNow - minAvailable, maxScaledDown)
        for rs in olds where total > 0 && rs.specReplicas > 0 {
            let n = min(rs.specReplicas, total)
            scale(rs, to: rs.specReplicas - n, &step, rsType)
            total -= n
        }
    }

    /// recreate.go: old ReplicaSets to zero, wait until their pods are gone, then the new one.
    private static func recreate(_ d: JSONValue, _ newRS: JSONValue, _ olds: [JSONValue], _ step: inout ControllerStep, _ rsType: ResourceType) {
        for rs in olds where rs.specReplicas > 0 { scale(rs, to: 0, &step, rsType) }
        guard let podType = step.type("pods") else { return }
        let oldUIDs = Set(olds.map(\.uid))
        let oldPodsLeft = step.list(podType, namespace: d.namespace).contains { pod in
            oldUIDs.contains(pod.controllerRef?["uid"]?.stringValue ?? "")
        }
        if !oldPodsLeft { scale(newRS, to: d.specReplicas, &step, rsType) }
    }

    /// sync.go calculateStatus and progress.go conditions.
    private static func updateStatus(_ d: JSONValue, _ newRS: JSONValue?, _ step: inout ControllerStep, _ dType: ResourceType,
                                     _ rsType: ResourceType, paused: Bool) {
        let sets = step.list(rsType, namespace: d.namespace).filter { $0.isControlled(by: d) }
        func sum(_ field: String) -> Int { sets.reduce(0) { $0 + ($1["status"]?[field]?.intValue ?? 0) } }
        let replicas = d.specReplicas
        let updated = newRS.flatMap { rs in sets.first { $0.uid == rs.uid } }?["status"]?["replicas"]?.intValue ?? 0
        let availableCount = sum("availableReplicas")
        var status = d["status"]?.objectValue ?? [:]
        status["observedGeneration"] = d["metadata"]?["generation"] ?? 1
        status["replicas"] = .number(Double(sum("replicas")))
        status["updatedReplicas"] = .number(Double(updated))
        status["readyReplicas"] = .number(Double(sum("readyReplicas")))
        status["availableReplicas"] = .number(Double(availableCount))
        status["unavailableReplicas"] = .number(Double(max(0, replicasSum(sets) - availableCount)))
        for key in ["replicas", "readyReplicas", "availableReplicas", "unavailableReplicas", "updatedReplicas"] where status[key]?.intValue == 0 {
            status[key] = nil  // omitempty, as the real status prints
        }
        var conditions = status["conditions"]?.arrayValue ?? []
        let stamp: [String: JSONValue] = ["lastUpdateTime": ""]
        if availableCount >= replicas - maxUnavailable(d) {
            conditions = Conditions.set(conditions, type: "Available", status: "True", reason: "MinimumReplicasAvailable",
                                        message: "Deployment has minimum availability.", extra: stamp)
        } else {
            conditions = Conditions.set(conditions, type: "Available", status: "False", reason: "MinimumReplicasUnavailable",
                                        message: "Deployment does not have minimum availability.", extra: stamp)
        }
        let rsName = newRS?.name ?? ""
        if paused {
            conditions = Conditions.set(conditions, type: "Progressing", status: "Unknown", reason: "DeploymentPaused",
                                        message: "Deployment is paused", extra: stamp)
        } else if updated == replicas, sum("replicas") == replicas, availableCount >= replicas {
            conditions = Conditions.set(conditions, type: "Progressing", status: "True", reason: "NewReplicaSetAvailable",
                                        message: "ReplicaSet \"\(rsName)\" has successfully progressed.", extra: stamp)
        } else {
            conditions = Conditions.set(conditions, type: "Progressing", status: "True", reason: "ReplicaSetUpdated",
                                        message: "ReplicaSet \"\(rsName)\" is progressing.", extra: stamp)
        }
        status["conditions"] = .array(conditions)
        step.updateStatus(dType, d, status: .object(status))
    }
}

extension JSONValue {
    /// An integer number as its decimal string (annotation values).
    var asString: JSONValue { .string(intValue.map(String.init) ?? "") }
}
