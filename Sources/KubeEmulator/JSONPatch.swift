import KubeClient

/// RFC 6902 JSON Patch. Decode errors are 400; any failed operation is upstream's
/// generic 422 (handlers/patch.go wraps evanphx/json-patch errors in
/// NewGenericServerResponse(422, ...)).
enum JSONPatch {
    struct Failure: Error { var message: String }

    static func apply(_ patchBytes: JSONValue, to document: JSONValue) throws(APIError) -> JSONValue {
        guard case .array(let ops) = patchBytes else {
            throw .badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        }
        var doc = document
        do {
            for op in ops { try applyOne(op, to: &doc) }
        } catch {
            throw .patchNotApplied()
        }
        return doc
    }

    private static func applyOne(_ op: JSONValue, to doc: inout JSONValue) throws {
        guard let kind = op["op"]?.stringValue else { throw Failure(message: "missing op") }
        guard let pathText = op["path"]?.stringValue else { throw Failure(message: "missing path") }
        let path = try pointer(pathText)
        switch kind {
        case "add":
            guard let value = op["value"] else { throw Failure(message: "missing value") }
            try add(&doc, path[...], value)
        case "remove":
            _ = try remove(&doc, path[...])
        case "replace":
            guard let value = op["value"] else { throw Failure(message: "missing value") }
            _ = try remove(&doc, path[...])
            try add(&doc, path[...], value)
        case "move":
            let from = try pointer(op["from"]?.stringValue ?? "")
            let value = try remove(&doc, from[...])
            try add(&doc, path[...], value)
        case "copy":
            let from = try pointer(op["from"]?.stringValue ?? "")
            guard let value = get(doc, from[...]) else { throw Failure(message: "copy from missing path") }
            try add(&doc, path[...], value)
        case "test":
            let expected = op["value"] ?? .null
            guard get(doc, path[...]) == expected else { throw Failure(message: "test failed") }
        default:
            throw Failure(message: "Unexpected kind: \(kind)")
        }
    }

    static func pointer(_ text: String) throws -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else { throw Failure(message: "invalid pointer \(text)") }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func get(_ doc: JSONValue, _ path: ArraySlice<String>) -> JSONValue? {
        guard let first = path.first else { return doc }
        switch doc {
        case .object(let o): return o[first].flatMap { get($0, path.dropFirst()) }
        case .array(let a):
            guard let i = Int(first), a.indices.contains(i) else { return nil }
            return get(a[i], path.dropFirst())
        default: return nil
        }
    }

    private static func add(_ doc: inout JSONValue, _ path: ArraySlice<String>, _ value: JSONValue) throws {
        guard let first = path.first else { doc = value; return }
        let rest = path.dropFirst()
        switch doc {
        case .object(var o):
            if rest.isEmpty {
                o[first] = value
            } else {
                guard var child = o[first] else { throw Failure(message: "missing path") }
                try add(&child, rest, value)
                o[first] = child
            }
            doc = .object(o)
        case .array(var a):
            if rest.isEmpty {
                if first == "-" { a.append(value) } else {
                    guard let i = Int(first), i >= 0, i <= a.count else { throw Failure(message: "index out of range") }
                    a.insert(value, at: i)
                }
            } else {
                guard let i = Int(first), a.indices.contains(i) else { throw Failure(message: "index out of range") }
                try add(&a[i], rest, value)
            }
            doc = .array(a)
        default:
            throw Failure(message: "cannot add into a scalar")
        }
    }

    private static func remove(_ doc: inout JSONValue, _ path: ArraySlice<String>) throws -> JSONValue {
        guard let first = path.first else { throw Failure(message: "cannot remove the root") }
        let rest = path.dropFirst()
        switch doc {
        case .object(var o):
            guard var child = o[first] else { throw Failure(message: "Unable to remove nonexistent key: \(first)") }
            let removed: JSONValue
            if rest.isEmpty { removed = child; o[first] = nil } else { removed = try remove(&child, rest); o[first] = child }
            doc = .object(o)
            return removed
        case .array(var a):
            guard let i = Int(first), a.indices.contains(i) else { throw Failure(message: "index out of range") }
            let removed: JSONValue
            if rest.isEmpty { removed = a.remove(at: i) } else { removed = try remove(&a[i], rest) }
            doc = .array(a)
            return removed
        default:
            throw Failure(message: "cannot remove from a scalar")
        }
    }
}
