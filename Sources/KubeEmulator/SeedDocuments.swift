import Foundation
import KubeClient
import Yams

/// Reads what `kubectl get -o json|yaml` prints (or multi-document YAML) into objects.
enum SeedDocuments {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// One JSON document, or YAML with `---` separators. Lists stay lists here.
    static func parse(_ text: String) throws -> [JSONValue] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
            let value = try JSONValue.parse(Data(trimmed.utf8))
            return value.arrayValue ?? [value]
        }
        var out: [JSONValue] = []
        for node in try Yams.compose_all(yaml: text) {
            let value = jsonValue(node)
            if !value.isNull { out.append(value) }
        }
        return out
    }

    /// YAML to JSON the way sigs.k8s.io/yaml does: timestamps stay strings, plain scalars
    /// resolve to null/bool/int/float, quoted ones are strings.
    static func jsonValue(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { .number(Double($0)) } ?? .string(scalar.string)
            case .float: return node.float.map(JSONValue.number) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var dict: [String: JSONValue] = [:]
            for (k, v) in mapping { dict[k.string ?? ""] = jsonValue(v) }
            return .object(dict)
        case .sequence(let sequence):
            return .array(sequence.map(jsonValue))
        case .alias:
            return .null
        }
    }
}
