import KubeClient

/// metav1.LabelSelector as found in specs (matchLabels + matchExpressions), evaluated like
/// metav1.LabelSelectorAsSelector. A nil selector matches nothing; an empty one everything.
struct SpecSelector {
    private var requirements: [(key: String, op: String, values: Set<String>)] = []
    let matchesNothing: Bool

    init(_ selector: JSONValue?) {
        guard let selector, case .object = selector else { matchesNothing = true; return }
        matchesNothing = false
        for (k, v) in selector["matchLabels"]?.objectValue ?? [:] {
            requirements.append((k, "In", [v.stringValue ?? ""]))
        }
        for e in selector["matchExpressions"]?.arrayValue ?? [] {
            requirements.append((e["key"]?.stringValue ?? "", e["operator"]?.stringValue ?? "",
                                 Set((e["values"]?.arrayValue ?? []).compactMap(\.stringValue))))
        }
    }

    func matches(_ labels: [String: String]) -> Bool {
        if matchesNothing { return false }
        return requirements.allSatisfy { r in
            switch r.op {
            case "In": return labels[r.key].map(r.values.contains) ?? false
            case "NotIn": return labels[r.key].map { !r.values.contains($0) } ?? true
            case "Exists": return labels[r.key] != nil
            case "DoesNotExist": return labels[r.key] == nil
            default: return false
            }
        }
    }
}

/// Small readers shared by the controllers.
extension JSONValue {
    var uid: String { meta("uid") ?? "" }
    var isTerminating: Bool { meta("deletionTimestamp") != nil }
    var ownerReferences: [JSONValue] { self["metadata"]?["ownerReferences"]?.arrayValue ?? [] }
    var finalizers: [String] { (self["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue) }

    /// The ownerReference with controller: true, if any.
    var controllerRef: JSONValue? { ownerReferences.first { $0["controller"]?.boolValue == true } }

    func isControlled(by owner: JSONValue) -> Bool { controllerRef?["uid"]?.stringValue == owner.uid }

    /// podutil.IsPodReady: condition Ready is True.
    var isPodReady: Bool {
        (self["status"]?["conditions"]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
    }

    /// controller.FilterActivePods: not terminating, not Succeeded/Failed.
    var isActivePod: Bool {
        let phase = self["status"]?["phase"]?.stringValue
        return !isTerminating && phase != "Succeeded" && phase != "Failed"
    }

    var specReplicas: Int { self["spec"]?["replicas"]?.intValue ?? 1 }

    /// An ownerReference to this object, as controllers write them.
    func ownerReference(controller: Bool = true) -> JSONValue {
        var ref: JSONValue = ["apiVersion": self["apiVersion"] ?? "", "kind": self["kind"] ?? "",
                              "name": .string(name), "uid": .string(uid)]
        if controller {
            ref["controller"] = true
            ref["blockOwnerDeletion"] = true
        }
        return ref
    }
}

/// Status conditions keep their lastTransitionTime while their status stays the same
/// (apimachinery meta.SetStatusCondition), so a settled object stops changing.
enum Conditions {
    static func set(_ conditions: [JSONValue], type: String, status: String, reason: String, message: String,
                    extra: [String: JSONValue] = [:]) -> [JSONValue] {
        var out = conditions
        let existing = out.firstIndex { $0["type"]?.stringValue == type }
        let previous = existing.map { out[$0] }
        var c: JSONValue = ["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message)]
        for (k, v) in extra { c[k] = v }
        let sameStatus = previous?["status"]?.stringValue == status
        let sameAll = sameStatus && previous?["reason"] == c["reason"] && previous?["message"] == c["message"]
        let now = JSONValue.string(ServerStamp.now())
        c["lastTransitionTime"] = sameStatus ? previous?["lastTransitionTime"] ?? now : now
        if extra["lastUpdateTime"] != nil || previous?["lastUpdateTime"] != nil {
            c["lastUpdateTime"] = sameAll ? previous?["lastUpdateTime"] ?? now : now
        }
        if let existing { out[existing] = c } else { out.append(c) }
        return out
    }
}
