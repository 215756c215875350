import KubeClient

/// The JSON patch that takes one JSON patch back, from the object just before and just
/// after it. It covers the smallest subtrees the forward ops touched (an array the run
/// appended to, a field it replaced) and starts with `test` ops holding what the run
/// wrote there, so it applies only while nobody has changed those fields since; a
/// controller updating the object's status does not stop it.
enum RevertPatch {
    static func ops(forward: [JSONValue], before: JSONValue, after: JSONValue) -> [JSONPatchOperation] {
        var roots: [[String]] = []
        for op in forward where op["op"]?.stringValue != "test" {
            for key in ["path", "from"] {
                guard let pointer = op[key]?.stringValue else { continue }
                var segments = Self.segments(pointer)
                // An array element (index or "-"): the array is the unit that changed.
                if let last = segments.last, last == "-" || (!last.isEmpty && last.allSatisfy(\.isNumber)) { segments.removeLast() }
                roots.append(segments)
            }
        }
        // Nested roots are covered by their ancestor.
        let distinct = Set(roots.map { $0.joined(separator: "\u{0}") }).map { $0.isEmpty ? [] : $0.components(separatedBy: "\u{0}") }
        let top = distinct.filter { r in !distinct.contains { $0.count < r.count && Array(r.prefix($0.count)) == $0 } }
            .sorted { $0.joined(separator: "/") < $1.joined(separator: "/") }
        var tests: [JSONPatchOperation] = [], changes: [JSONPatchOperation] = []
        for root in top {
            let path = pointer(root)
            let old = value(before, at: root), new = value(after, at: root)
            guard old != new else { continue }
            if let new { tests.append(.test(path, new)) }
            switch (old, new) {
            case (let old?, _?): changes.append(.replace(path, old))
            case (let old?, nil): changes.append(.add(path, old))
            case (nil, _?): changes.append(.remove(path))
            case (nil, nil): break
            }
        }
        return tests + changes
    }

    /// RFC 6901: "/a/b~1c" -> ["a", "b/c"].
    static func segments(_ pointer: String) -> [String] {
        pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func pointer(_ segments: [String]) -> String {
        segments.map { "/" + JSONPatchOperation.escape($0) }.joined()
    }

    static func value(_ root: JSONValue, at segments: [String]) -> JSONValue? {
        var current: JSONValue? = root
        for s in segments {
            switch current {
            case .object(let o)?: current = o[s]
            case .array(let a)?: current = Int(s).flatMap { a.indices.contains($0) ? a[$0] : nil }
            default: return nil
            }
        }
        return current
    }
}
