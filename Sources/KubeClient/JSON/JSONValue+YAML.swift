import Foundation
import Yams

extension JSONValue {
    /// Reads what `kubectl get -o json|yaml` prints: one JSON document (an array counts as
    /// several), or YAML with `---` separators. Empty YAML documents are dropped; `List`s
    /// stay lists (the caller expands them).
    public static func parseDocuments(_ text: String) throws -> [JSONValue] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
            // Not one JSON document: JSON documents between `---` are YAML, and a syntax
            // error is then reported by the YAML reader, with its line and column.
            if let value = try? JSONValue.parse(Data(trimmed.utf8)) { return value.arrayValue ?? [value] }
        }
        var out: [JSONValue] = []
        // compose_all stops at a syntax error and keeps it in `error` rather than throwing:
        // read it, or a broken file would silently lose its remaining documents.
        var documents = try Yams.compose_all(yaml: text)
        while let node = documents.next() {
            let value = JSONValue(yaml: node)
            if !value.isNull { out.append(value) }
        }
        if let error = documents.error { throw error }
        return out
    }

    /// YAML to JSON the way sigs.k8s.io/yaml does: timestamps stay strings, plain scalars
    /// resolve to null/bool/int/float, quoted ones are strings.
    public init(yaml node: Node) {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { self = .string(scalar.string); return }
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: self = .null
            case .bool: self = node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: self = node.int.map { .number(Double($0)) } ?? .string(scalar.string)
            case .float: self = node.float.map(JSONValue.number) ?? .string(scalar.string)
            default: self = .string(scalar.string)
            }
        case .mapping(let mapping):
            var dict: [String: JSONValue] = [:]
            for (k, v) in mapping { dict[k.string ?? ""] = JSONValue(yaml: v) }
            self = .object(dict)
        case .sequence(let sequence):
            self = .array(sequence.map { JSONValue(yaml: $0) })
        case .alias:
            self = .null
        }
    }
}
