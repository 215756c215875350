import KubeClient

/// Strategic merge patch for built-in kinds (k8s.io/apimachinery/pkg/util/strategicpatch):
/// maps merge, lists merge by their merge key or replace, with the `$patch`,
/// `$retainKeys`, `$deleteFromPrimitiveList/` and `$setElementOrder/` directives.
enum StrategicMergePatch {
    static func apply(_ patch: JSONValue, to original: JSONValue) throws(APIError) -> JSONValue {
        guard case .object(let p) = patch else {
            throw .badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
        }
        return try mergeMap(original.objectValue ?? [:], p).map(JSONValue.object) ?? .object([:])
    }

    /// nil = the map itself is deleted (`$patch: delete`).
    private static func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue]) throws(APIError) -> [String: JSONValue]? {
        var patch = patch
        if let directive = patch.removeValue(forKey: "$patch")?.stringValue {
            switch directive {
            case "delete": return nil
            case "replace": return stripDirectives(patch)
            case "merge": break
            default: throw .badRequest("unknown patch type: \(directive) in map: \(patch)")
            }
        }
        var result = original
        if let retain = patch.removeValue(forKey: "$retainKeys")?.arrayValue {
            let keep = Set(retain.compactMap(\.stringValue))
            result = result.filter { keep.contains($0.key) }
        }
        var orders: [String: [JSONValue]] = [:]
        for (key, value) in patch {
            if key.hasPrefix("$setElementOrder/") {
                orders[String(key.dropFirst("$setElementOrder/".count))] = value.arrayValue ?? []
            } else if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let remove = value.arrayValue ?? []
                if let list = result[field]?.arrayValue { result[field] = .array(list.filter { !remove.contains($0) }) }
            }
        }
        for (key, value) in patch where !key.hasPrefix("$") {
            if value.isNull { result[key] = nil; continue }
            switch (result[key], value) {
            case (.object(let o)?, .object(let p)):
                if let merged = try mergeMap(o, p) { result[key] = .object(merged) } else { result[key] = nil }
            case (_, .object(let p)):
                if let merged = try mergeMap([:], p) { result[key] = .object(merged) } else { result[key] = nil }
            case (.array(let o)?, .array(let p)):
                result[key] = .array(try mergeList(field: key, o, p))
            case (_, .array(let p)):
                result[key] = .array(try mergeList(field: key, [], p))
            default:
                result[key] = value
            }
        }
        for (field, order) in orders {
            if let list = result[field]?.arrayValue { result[field] = .array(reorder(field: field, list, by: order)) }
        }
        return result
    }

    private static func mergeList(field: String, _ original: [JSONValue], _ patch: [JSONValue]) throws(APIError) -> [JSONValue] {
        // A `{"$patch": "replace"}` item replaces the whole list with the other items.
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return patch.filter { $0["$patch"]?.stringValue != "replace" }.map(stripDirectives)
        }
        switch PatchMergeKeys.strategy(field: field, original: original, patch: patch) {
        case .replace:
            return patch.map(stripDirectives)
        case .mergePrimitives:
            var result = original
            for item in patch where !result.contains(item) { result.append(item) }
            return result
        case .mergeByKey(let mergeKey):
            var result = original
            for item in patch {
                guard case .object(var p) = item else { result.append(item); continue }
                let keyValue = p[mergeKey]
                let index = keyValue.flatMap { k in result.firstIndex(where: { $0[mergeKey] == k }) }
                if p["$patch"]?.stringValue == "delete" {
                    p["$patch"] = nil
                    if let keyValue { result.removeAll { $0[mergeKey] == keyValue } }
                    continue
                }
                if let index, case .object(let o) = result[index] {
                    if let merged = try mergeMap(o, p) { result[index] = .object(merged) } else { result.remove(at: index) }
                } else if let merged = try mergeMap([:], p) {
                    result.append(.object(merged))
                }
            }
            return result
        }
    }

    /// Items named in `$setElementOrder` come first in that order; the rest keep theirs.
    private static func reorder(field: String, _ list: [JSONValue], by order: [JSONValue]) -> [JSONValue] {
        let key: String? = order.first?.objectValue?.keys.first
        func identity(_ v: JSONValue) -> JSONValue { key.flatMap { v[$0] } ?? v }
        let wanted = order.map { o in key.flatMap { o[$0] } ?? o }
        var first: [JSONValue] = []
        for w in wanted { if let item = list.first(where: { identity($0) == w }) { first.append(item) } }
        let rest = list.filter { !wanted.contains(identity($0)) }
        return first + rest
    }

    private static func stripDirectives(_ value: JSONValue) -> JSONValue {
        guard case .object(let o) = value else { return value }
        return .object(stripDirectives(o))
    }

    private static func stripDirectives(_ o: [String: JSONValue]) -> [String: JSONValue] {
        o.filter { !$0.key.hasPrefix("$") }.mapValues(stripDirectives)
    }
}
