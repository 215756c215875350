import Foundation
import KubeClient

/// Validation of object contents that create and update share (the kinds' strategies'
/// Validate / ValidateUpdate), beyond names and namespaces.
enum SpecValidation {
    static func validate(_ obj: JSONValue, _ rt: ResourceType) throws(APIError) {
        var errors = ownerReferenceErrors(obj)
        if rt.group == "apps", ["deployments", "replicasets", "daemonsets", "statefulsets"].contains(rt.plural) {
            errors += selectorErrors(obj, kind: rt.kind)
        }
        if !errors.isEmpty { throw .invalid(rt, name: obj.name, errors) }
        if rt.group == "coordination.k8s.io", rt.plural == "leases" { try leaseTimes(obj, rt) }
    }

    /// apimachinery/pkg/api/validation/objectmeta.go ValidateOwnerReferences: apiVersion
    /// with a version, kind, name and uid required; one controller at most. The field path
    /// is `metadata.ownerReferences` for every entry (no index), as upstream.
    static func ownerReferenceErrors(_ obj: JSONValue) -> [FieldError] {
        let refs = obj["metadata"]?["ownerReferences"]?.arrayValue ?? []
        let path = "metadata.ownerReferences"
        var errors: [FieldError] = []
        var firstController = ""
        for ref in refs {
            let apiVersion = ref["apiVersion"]?.stringValue ?? ""
            // schema.FromAPIVersionAndKind: "a/b/c" fails to parse and gives no version.
            let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
            let version = parts.count > 2 ? "" : String(parts.last ?? "")
            if version.isEmpty { errors.append(.invalid("\(path).apiVersion", value: JSONBytes.quote(apiVersion), "version must not be empty")) }
            for (field, what) in [("kind", "kind"), ("name", "name"), ("uid", "uid")] where (ref[field]?.stringValue ?? "").isEmpty {
                errors.append(.invalid("\(path).\(field)", value: JSONBytes.quote(ref[field]?.stringValue ?? ""), "\(what) must not be empty"))
            }
            if ref["controller"]?.boolValue == true {
                let current = (ref["kind"]?.stringValue ?? "") + "/" + (ref["name"]?.stringValue ?? "")
                if firstController.isEmpty {
                    firstController = current
                } else {
                    errors.append(.invalid(path, value: GoValue.ownerReferences(refs),
                        "Only one reference can have Controller set to true. Found \"true\" in references for \(firstController) and \(current)"))
                }
            }
        }
        return errors
    }

    /// pkg/apis/apps/validation/validation.go ValidateDeploymentSpec (and the ReplicaSet,
    /// DaemonSet, StatefulSet twins): a non-empty selector that selects the template.
    static func selectorErrors(_ obj: JSONValue, kind: String) -> [FieldError] {
        guard let spec = obj["spec"] else { return [] }
        guard let selector = spec["selector"], case .object(let sel) = selector else {
            return [.required("spec.selector", "")]
        }
        if (sel["matchLabels"]?.objectValue ?? [:]).isEmpty, (sel["matchExpressions"]?.arrayValue ?? []).isEmpty {
            return [.invalid("spec.selector", value: GoValue.labelSelector(selector), "empty selector is invalid for \(kind.lowercased())")]
        }
        let labels = (spec["template"]?["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        guard !SpecSelector(selector).matches(labels) else { return [] }
        let shown = labels.isEmpty ? "map[string]string(nil)"
            : "map[string]string{" + labels.keys.sorted().map { "\(JSONBytes.quote($0)):\(JSONBytes.quote(labels[$0] ?? ""))" }.joined(separator: ", ") + "}"
        return [.invalid("spec.template.metadata.labels", value: shown, "`selector` does not match template `labels`")]
    }

    /// Lease times are metav1.MicroTime: decoding parses them with RFC3339Micro
    /// ("2006-01-02T15:04:05.000000Z07:00", exactly six fractional digits); a failure is a
    /// decode error, 400 (endpoints/handlers/rest.go transformDecodeError).
    static func leaseTimes(_ obj: JSONValue, _ rt: ResourceType) throws(APIError) {
        for field in ["acquireTime", "renewTime"] {
            guard let value = obj["spec"]?[field], value != .null else { continue }
            let text = value.stringValue ?? ""
            if let rest = microTimeError(text) {
                throw .badRequest("\(rt.kind) in version \"\(rt.version)\" cannot be handled as a \(rt.kind): parsing time \(JSONBytes.quote(text)) as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \(JSONBytes.quote(rest)) as \".000000\"")
            }
        }
    }

    /// nil when `s` is date, time, a dot, six digits and a zone; else the unparsed rest.
    static func microTimeError(_ s: String) -> String? {
        let b = Array(s.utf8)
        let digits = Set(UInt8(ascii: "0")...UInt8(ascii: "9"))
        let shape = "dddd-dd-ddTdd:dd:dd"
        guard b.count >= shape.utf8.count else { return s }
        for (i, c) in shape.utf8.enumerated() where c == UInt8(ascii: "d") ? !digits.contains(b[i]) : b[i] != c { return s }
        let rest = Array(b[19...])
        guard rest.count >= 7, rest[0] == UInt8(ascii: "."), rest[1...6].allSatisfy(digits.contains) else {
            return String(decoding: rest, as: UTF8.self)
        }
        let zone = String(decoding: rest[7...], as: UTF8.self)
        let offset = zone.utf8.count == 6 && (zone.hasPrefix("+") || zone.hasPrefix("-")) && zone.dropFirst(3).hasPrefix(":")
        return zone == "Z" || offset ? nil : String(decoding: rest, as: UTF8.self)
    }
}

extension GoValue {
    /// `%#v` of []metav1.OwnerReference; the *bool pointers print as addresses upstream,
    /// shown here as a fixed placeholder.
    static func ownerReferences(_ refs: [JSONValue]) -> String {
        func ptr(_ v: JSONValue?) -> String { v?.boolValue == nil ? "(*bool)(nil)" : "(*bool)(0xc000000000)" }
        return "[]v1.OwnerReference{" + refs.map { r in
            "v1.OwnerReference{APIVersion:\(JSONBytes.quote(r["apiVersion"]?.stringValue ?? "")), Kind:\(JSONBytes.quote(r["kind"]?.stringValue ?? "")), "
                + "Name:\(JSONBytes.quote(r["name"]?.stringValue ?? "")), UID:\(JSONBytes.quote(r["uid"]?.stringValue ?? "")), "
                + "Controller:\(ptr(r["controller"])), BlockOwnerDeletion:\(ptr(r["blockOwnerDeletion"]))}"
        }.joined(separator: ", ") + "}"
    }
}
