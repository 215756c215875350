import KubeClient

extension LabelSelector {
    /// A `metav1.LabelSelector` object (`matchLabels` + `matchExpressions`), as
    /// LabelSelectorAsSelector converts it; nil when an operator is unknown or In/NotIn
    /// has no values (the conversion fails upstream).
    init?(object: JSONValue?) {
        self.requirements = []
        guard let object, case .object = object else { return }
        for (key, value) in (object["matchLabels"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let v = value.stringValue else { return nil }
            requirements.append(.equals(key, v))
        }
        for expression in object["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = Set((expression["values"]?.arrayValue ?? []).compactMap(\.stringValue))
            switch expression["operator"]?.stringValue {
            case "In"? where !values.isEmpty: requirements.append(.isIn(key, values))
            case "NotIn"? where !values.isEmpty: requirements.append(.notIn(key, values))
            case "Exists"? where values.isEmpty: requirements.append(.exists(key))
            case "DoesNotExist"? where values.isEmpty: requirements.append(.notExists(key))
            default: return nil
            }
        }
    }
}
