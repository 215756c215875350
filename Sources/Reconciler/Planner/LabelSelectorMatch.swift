import KubeClient

/// `metav1.LabelSelector` as JSON (matchLabels + matchExpressions) against a label set,
/// as apimachinery's LabelSelectorAsSelector reads it: every term must hold; an empty
/// selector selects everything (a PodDisruptionBudget's empty selector: every pod of its
/// namespace, policy/v1).
enum LabelSelectorMatch {
    /// nil when the selector is malformed (an unknown operator): the caller decides.
    /// The label keys a selector reads: `matches` gives the same answer on labels with
    /// only these keys.
    static func keys(of selector: JSONValue?) -> Set<String> {
        var keys = Set((selector?["matchLabels"]?.objectValue ?? [:]).keys)
        for expression in selector?["matchExpressions"]?.arrayValue ?? [] {
            if let key = expression["key"]?.stringValue { keys.insert(key) }
        }
        return keys
    }

    static func matches(_ selector: JSONValue?, _ labels: [String: String]) -> Bool? {
        guard let selector else { return true }
        for (key, value) in selector["matchLabels"]?.objectValue ?? [:] {
            guard labels[key] == value.stringValue else { return false }
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            guard let key = expression["key"]?.stringValue, let op = expression["operator"]?.stringValue else { return nil }
            let values = Set((expression["values"]?.arrayValue ?? []).compactMap(\.stringValue))
            let value = labels[key]
            switch op {
            case "In": guard let value, values.contains(value) else { return false }
            case "NotIn": if let value, values.contains(value) { return false }
            case "Exists": guard value != nil else { return false }
            case "DoesNotExist": guard value == nil else { return false }
            default: return nil
            }
        }
        return true
    }
}
