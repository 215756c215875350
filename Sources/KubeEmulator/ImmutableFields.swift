import KubeClient

/// Update validation of fields that never change on an existing object. Runs on PUT and
/// PATCH of the main resource, not on `/status`.
enum ImmutableFields {
    static let appArmorPrefix = "container.apparmor.security.beta.kubernetes.io/"

    /// pkg/apis/core/validation/validation.go ValidatePodUpdate (message of 1.30+).
    static let podUpdatableFields = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
        + "`spec.tolerations` (only additions to existing tolerations),"
        + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"

    static func check(old: JSONValue, new: JSONValue, _ rt: ResourceType) throws(APIError) {
        var errors: [FieldError] = []
        if rt.isCorePods {
            errors += podAnnotationErrors(old: old, new: new)
            errors += podSpecErrors(old: old["spec"] ?? [:], new: new["spec"] ?? [:])
        } else if rt.group == "apps", ["deployments", "replicasets", "daemonsets", "statefulsets"].contains(rt.plural) {
            // apps validation ValidateDeploymentUpdate & co.: ValidateImmutableField(selector).
            let selector = new["spec"]?["selector"] ?? .null
            if selector != (old["spec"]?["selector"] ?? .null) {
                errors.append(.invalid("spec.selector", value: GoValue.labelSelector(selector), "field is immutable"))
            }
        }
        if rt.group.isEmpty, rt.plural == "configmaps" || rt.plural == "secrets" {
            errors += immutableDataErrors(old: old, new: new, secret: rt.plural == "secrets")
        }
        if !errors.isEmpty { throw .invalid(rt, name: new.name, errors) }
    }

    /// core validation ValidateConfigMapUpdate / ValidateSecretUpdate: a Secret's type never
    /// changes; with `immutable: true` neither the flag nor data/binaryData may change.
    static func immutableDataErrors(old: JSONValue, new: JSONValue, secret: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if secret, let type = new["type"]?.stringValue, type != (old["type"]?.stringValue ?? type) {
            errors.append(.invalid("type", value: JSONBytes.quote(type), "field is immutable"))
        }
        guard old["immutable"]?.boolValue == true else { return errors }
        let why = "field is immutable when `immutable` is set"
        if new["immutable"]?.boolValue != true { errors.append(.forbidden("immutable", why)) }
        if (new["data"] ?? .null) != (old["data"] ?? .null) { errors.append(.forbidden("data", why)) }
        if !secret, (new["binaryData"] ?? .null) != (old["binaryData"] ?? .null) { errors.append(.forbidden("binaryData", why)) }
        return errors
    }

    /// ValidatePodSpecificAnnotationUpdates: AppArmor annotations cannot be added, changed or
    /// removed on an existing pod.
    static func podAnnotationErrors(old: JSONValue, new: JSONValue) -> [FieldError] {
        let oldA = (old["metadata"]?["annotations"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let newA = (new["metadata"]?["annotations"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        var errors: [FieldError] = []
        for (k, v) in oldA.sorted(by: { $0.key < $1.key }) where newA[k] != v && k.hasPrefix(appArmorPrefix) {
            errors.append(.forbidden("metadata.annotations[\(k)]", "may not remove or update AppArmor annotations"))
        }
        for k in newA.keys.sorted() where oldA[k] == nil && k.hasPrefix(appArmorPrefix) {
            errors.append(.forbidden("metadata.annotations[\(k)]", "may not add AppArmor annotations"))
        }
        return errors
    }

    /// ValidatePodUpdate's spec rule: the new spec with the updatable fields taken from the
    /// old one must equal the old spec.
    static func podSpecErrors(old: JSONValue, new: JSONValue) -> [FieldError] {
        var munged = new
        for key in ["containers", "initContainers"] {
            guard var list = munged[key]?.arrayValue, let oldList = old[key]?.arrayValue else { continue }
            for i in list.indices where i < oldList.count { list[i]["image"] = oldList[i]["image"] }
            munged[key] = .array(list)
        }
        // activeDeadlineSeconds may be set or lowered, never removed (validated upstream separately).
        if let n = new["activeDeadlineSeconds"]?.intValue, old["activeDeadlineSeconds"].map({ ($0.intValue ?? 0) >= n }) ?? true {
            munged["activeDeadlineSeconds"] = old["activeDeadlineSeconds"]
        }
        let oldTolerations = old["tolerations"]?.arrayValue ?? []
        if let newTolerations = new["tolerations"]?.arrayValue, oldTolerations.allSatisfy(newTolerations.contains) {
            munged["tolerations"] = old["tolerations"]
        }
        if let o = old["terminationGracePeriodSeconds"]?.intValue, o < 0, new["terminationGracePeriodSeconds"]?.intValue == 1 {
            munged["terminationGracePeriodSeconds"] = old["terminationGracePeriodSeconds"]
        }
        guard munged != old else { return [] }
        // Upstream appends a cmp.Diff of the internal PodSpec; this lists the changed fields.
        let keys = Set((old.objectValue ?? [:]).keys).union((munged.objectValue ?? [:]).keys)
        let diff = keys.sorted().filter { old[$0] != munged[$0] }.map { key in
            "-\t\(key): \(old[key].map { String(decoding: $0.jsonData(), as: UTF8.self) } ?? "nil"),\n"
                + "+\t\(key): \(munged[key].map { String(decoding: $0.jsonData(), as: UTF8.self) } ?? "nil"),"
        }
        let text = "pod updates may not change fields other than \(podUpdatableFields)\n  core.PodSpec{\n\(diff.joined(separator: "\n"))\n  }\n"
        return [.forbidden("spec", text)]
    }
}

/// Values printed like Go's `%#v`, as field.Invalid shows them.
enum GoValue {
    static func labelSelector(_ s: JSONValue) -> String {
        guard case .object = s else { return "(*v1.LabelSelector)(nil)" }
        let labels = (s["matchLabels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let labelText = labels.isEmpty && s["matchLabels"] == nil ? "map[string]string(nil)"
            : "map[string]string{" + labels.keys.sorted().map { "\(JSONBytes.quote($0)):\(JSONBytes.quote(labels[$0] ?? ""))" }.joined(separator: ", ") + "}"
        let exprs = s["matchExpressions"]?.arrayValue ?? []
        let exprText = exprs.isEmpty ? "[]v1.LabelSelectorRequirement(nil)" : "[]v1.LabelSelectorRequirement{" + exprs.map { e in
            let values = (e["values"]?.arrayValue ?? []).compactMap(\.stringValue)
            let valueText = values.isEmpty ? "[]string(nil)" : "[]string{" + values.map(JSONBytes.quote).joined(separator: ", ") + "}"
            return "v1.LabelSelectorRequirement{Key:\(JSONBytes.quote(e["key"]?.stringValue ?? "")), Operator:\(JSONBytes.quote(e["operator"]?.stringValue ?? "")), Values:\(valueText)}"
        }.joined(separator: ", ") + "}"
        return "v1.LabelSelector{MatchLabels:\(labelText), MatchExpressions:\(exprText)}"
    }
}

extension FieldError {
    static func forbidden(_ field: String, _ why: String) -> FieldError {
        FieldError(type: "FieldValueForbidden", field: field, detail: "Forbidden: \(why)")
    }
}
