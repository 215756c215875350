import KubeClient

/// `metav1.LabelSelector`: matchLabels and matchExpressions (In, NotIn, Exists,
/// DoesNotExist), all ANDed; an empty selector matches everything.
public struct LabelSelector: Sendable, Equatable {
    public struct Requirement: Sendable, Equatable {
        public var key: String
        public var op: String
        public var values: [String]
    }
    public var matchLabels: [String: String]
    public var expressions: [Requirement]

    /// nil with a problem for an operator Kubernetes does not know.
    public init(_ json: JSONValue) throws(MutatorProblem) {
        matchLabels = (json["matchLabels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        expressions = try (json["matchExpressions"]?.arrayValue ?? []).map { e throws(MutatorProblem) in
            let op = e["operator"]?.stringValue ?? ""
            guard ["In", "NotIn", "Exists", "DoesNotExist"].contains(op) else {
                throw MutatorProblem("labelSelector operator \"\(op)\" is not In, NotIn, Exists or DoesNotExist")
            }
            return Requirement(key: e["key"]?.stringValue ?? "", op: op,
                               values: (e["values"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
    }

    public func matches(_ labels: [String: String]) -> Bool {
        matchLabels.allSatisfy { labels[$0.key] == $0.value } && expressions.allSatisfy { r in
            switch r.op {
            case "In": return labels[r.key].map(r.values.contains) ?? false
            case "NotIn": return labels[r.key].map { !r.values.contains($0) } ?? true
            case "Exists": return labels[r.key] != nil
            default: return labels[r.key] == nil
            }
        }
    }
}
