import Foundation
import KubeClient

/// A parsed `fieldSelector`: `path=v`, `path==v`, `path!=v`, comma = AND. Supports the
/// metadata fields every kind has, plus the pod fields the real server indexes.
struct FieldSelector: Sendable {
    struct Term: Sendable { var path: [String]; var value: String; var negated: Bool }
    var terms: [Term] = []
    var isEmpty: Bool { terms.isEmpty }

    private static let podFields: Set<String> = [
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
    ]

    init(parsing text: String, kind: String) throws(APIError) {
        for clause in text.split(separator: ",") {
            let c = String(clause).trimmingCharacters(in: .whitespaces)
            if c.isEmpty { continue }
            let (field, value, negated): (String, String, Bool)
            if let r = c.range(of: "!=") {
                (field, value, negated) = (String(c[..<r.lowerBound]), String(c[r.upperBound...]), true)
            } else if let r = c.range(of: "==") {
                (field, value, negated) = (String(c[..<r.lowerBound]), String(c[r.upperBound...]), false)
            } else if let r = c.range(of: "=") {
                (field, value, negated) = (String(c[..<r.lowerBound]), String(c[r.upperBound...]), false)
            } else {
                throw .badRequest("invalid selector: '\(text)'; can't understand '\(c)'")
            }
            let supported = field == "metadata.name" || field == "metadata.namespace"
                || (kind == "Pod" && Self.podFields.contains(field))
            // The real server answers an unindexed field label with 400 "field label not supported".
            guard supported else { throw .badRequest("field label not supported: \(field)") }
            terms.append(Term(path: field.split(separator: ".").map(String.init), value: value, negated: negated))
        }
    }

    /// The same test on stored bytes, reading only the selected fields (no tree).
    func matches(_ stored: StoredObject) -> Bool {
        terms.allSatisfy { t in ((stored.scalar(at: t.path) ?? "") == t.value) != t.negated }
    }

    func matches(_ object: JSONValue) -> Bool {
        terms.allSatisfy { t in
            let actual: String
            switch object.value(at: t.path) {
            case .string(let s)?: actual = s
            case .bool(let b)?: actual = b ? "true" : "false"
            default: actual = ""
            }
            return (actual == t.value) != t.negated
        }
    }
}
