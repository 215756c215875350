import KubeClient

/// The JSON-patch operations that turn `old` into `new` under `base` (a JSON pointer):
/// objects are compared member by member, lists of equal length element by element, and
/// anything else is replaced whole. Used to write a mutator's result into a pod template.
func jsonPatchDiff(_ old: JSONValue, _ new: JSONValue, at base: String) -> [JSONPatchOperation] {
    if old == new { return [] }
    switch (old, new) {
    case (.object(let a), .object(let b)):
        var ops: [JSONPatchOperation] = []
        for key in b.keys.sorted() {
            let path = base + "/" + JSONPatchOperation.escape(key)
            if let av = a[key] { ops += jsonPatchDiff(av, b[key]!, at: path) } else { ops.append(.add(path, b[key]!)) }
        }
        for key in a.keys.sorted() where b[key] == nil { ops.append(.remove(base + "/" + JSONPatchOperation.escape(key))) }
        return ops
    case (.array(let a), .array(let b)) where a.count == b.count:
        return a.indices.flatMap { jsonPatchDiff(a[$0], b[$0], at: base + "/\($0)") }
    case (.array(let a), .array(let b)) where b.count > a.count && Array(b.prefix(a.count)) == a:
        return b[a.count...].map { .add(base + "/-", $0) }
    default:
        return [.replace(base, new)]
    }
}
