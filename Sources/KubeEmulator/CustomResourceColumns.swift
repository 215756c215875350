import Foundation
import KubeClient

/// Table columns of a custom resource: Name plus the CRD version's
/// additionalPrinterColumns (apiextensions-apiserver pkg/registry/customresource/
/// tableconvertor). A CRD without columns gets the defaulted `Age` column.
enum CustomResourceColumns {
    struct Column {
        var name: String
        var type: String
        var format: String
        var description: String
        var priority: Int
        var path: String
    }

    static func columns(crd: JSONValue?, version: String) -> [Column] {
        let versions = crd?["spec"]?["versions"]?.arrayValue ?? []
        let declared = versions.first { $0["name"]?.stringValue == version }?["additionalPrinterColumns"]?.arrayValue ?? []
        // v1 defaulting (SetDefaults_CustomResourceDefinitionSpec): no columns means an Age column.
        let raw: [JSONValue] = declared.isEmpty
            ? [["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]] : declared
        return raw.map { c in
            let path = c["jsonPath"]?.stringValue ?? ""
            let doc = c["description"]?.stringValue ?? ""
            return Column(name: c["name"]?.stringValue ?? "", type: c["type"]?.stringValue ?? "string",
                          format: c["format"]?.stringValue ?? "",
                          description: doc.isEmpty ? "Custom resource definition column (in JSONPath format): \(path)" : doc,
                          priority: c["priority"]?.intValue ?? 0, path: path)
        }
    }

    static func printer(crd: JSONValue?, version: String) -> TablePrinter {
        let cols = columns(crd: crd, version: version)
        let defs = [TableColumn.name] + cols.map {
            TableColumn(name: $0.name, type: $0.type, format: $0.format, description: $0.description, priority: $0.priority)
        }
        return TablePrinter(columns: defs) { o in
            [.string(o.name)] + cols.map { c in
                let found = SimpleJSONPath.evaluate(c.path, in: o)
                guard !found.isEmpty else { return .null }
                if c.type == "date" {
                    return .string(HumanDuration.since(found[0].stringValue))
                }
                if found.count == 1 { return found[0] }
                return .string(found.map(SimpleJSONPath.text).joined(separator: ","))
            }
        }
    }
}

/// The JSONPath forms CRD printer columns use: `.a.b`, `.a[0]`, `.a[*].b` and
/// `.a[?(@.type=="Ready")].status`. Anything else finds nothing (an empty cell).
enum SimpleJSONPath {
    static func evaluate(_ path: String, in root: JSONValue) -> [JSONValue] {
        var text = path.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("{"), text.hasSuffix("}") { text = String(text.dropFirst().dropLast()) }
        if text.hasPrefix("$") { text.removeFirst() }
        var current: [JSONValue] = [root]
        var i = text.startIndex
        while i < text.endIndex, !current.isEmpty {
            if text[i] == "." {
                i = text.index(after: i)
                let end = text[i...].firstIndex { $0 == "." || $0 == "[" } ?? text.endIndex
                let key = String(text[i..<end])
                if !key.isEmpty { current = current.compactMap { $0[key] } }
                i = end
            } else if text[i] == "[" {
                guard let close = bracketEnd(text, from: i) else { return [] }
                let inner = String(text[text.index(after: i)..<close])
                current = current.flatMap { select(inner, $0) }
                i = text.index(after: close)
            } else {
                return []
            }
        }
        return current
    }

    private static func bracketEnd(_ s: String, from start: String.Index) -> String.Index? {
        var depth = 0
        var i = start
        while i < s.endIndex {
            if s[i] == "[" { depth += 1 } else if s[i] == "]" { depth -= 1; if depth == 0 { return i } }
            i = s.index(after: i)
        }
        return nil
    }

    private static func select(_ inner: String, _ value: JSONValue) -> [JSONValue] {
        guard let items = value.arrayValue else { return [] }
        if inner == "*" { return items }
        if let n = Int(inner) {
            let index = n < 0 ? items.count + n : n
            return items.indices.contains(index) ? [items[index]] : []
        }
        // ?(@.field=="value") or ?(@.field)
        guard inner.hasPrefix("?(@."), inner.hasSuffix(")") else { return [] }
        let expr = inner.dropFirst(4).dropLast()
        if let eq = expr.range(of: "==") {
            let field = expr[..<eq.lowerBound].trimmingCharacters(in: .whitespaces)
            var want = expr[eq.upperBound...].trimmingCharacters(in: .whitespaces)
            if want.count >= 2, let q = want.first, q == "\"" || q == "'", want.last == q { want = String(want.dropFirst().dropLast()) }
            return items.filter { item in
                evaluate("." + field, in: item).first.map(text) == want
            }
        }
        let field = expr.trimmingCharacters(in: .whitespaces)
        return items.filter { !evaluate("." + field, in: $0).isEmpty }
    }

    /// A value as JSONPath text output prints it.
    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .number(let n): return n.rounded() == n && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .bool(let b): return b ? "true" : "false"
        case .null: return ""
        default: return v.jsonString()
        }
    }
}
