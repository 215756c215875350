import Foundation
import KubeClient

/// One invalid input file and the field its one-line error must name.
struct BadInput: Sendable {
    /// What is wrong, for failure messages: "budgets.maxChanges = -1".
    var name: String
    /// The file's text; `@SERVER@` becomes the emulator's URL, `@DIR@` the case's directory.
    var content: String
    /// The error line must contain this (a field path like `budgets.maxChanges`).
    var field: String

    init(_ name: String, field: String, content: String) {
        self.name = name
        self.field = field
        self.content = content
    }

    /// `document` with the value at `path` replaced (nil: removed), as JSON (valid YAML).
    init(_ name: String, field: String, _ document: JSONValue, setting path: [PathStep], to value: JSONValue?) {
        self.init(name, field: field, content: document.replacing(path, with: value).jsonString())
    }
}

/// A step into a JSON document: an object key or an array index.
enum PathStep: Hashable, Sendable, CustomStringConvertible {
    case key(String)
    case index(Int)

    var description: String {
        switch self {
        case .key(let k): return k
        case .index(let i): return "[\(i)]"
        }
    }

    /// `a.b[0].c`, as the parsers print a field's path.
    static func render(_ path: [PathStep]) -> String {
        var out = ""
        for step in path {
            switch step {
            case .key(let k): out += out.isEmpty ? k : ".\(k)"
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }
}

extension PathStep: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    init(stringLiteral value: String) { self = .key(value) }
    init(integerLiteral value: Int) { self = .index(value) }
}

extension JSONValue {
    /// Every node under this one (not itself), each with its path, parents before children.
    func nodes(under prefix: [PathStep] = []) -> [(path: [PathStep], value: JSONValue)] {
        var out: [(path: [PathStep], value: JSONValue)] = []
        if let object = objectValue {
            for key in object.keys.sorted() {
                let path = prefix + [.key(key)]
                out.append((path, object[key]!))
                out += object[key]!.nodes(under: path)
            }
        } else if let items = arrayValue {
            for (i, item) in items.enumerated() {
                let path = prefix + [.index(i)]
                out.append((path, item))
                out += item.nodes(under: path)
            }
        }
        return out
    }

    /// A copy with the value at `path` replaced, or removed when `value` is nil.
    func replacing(_ path: [PathStep], with value: JSONValue?) -> JSONValue {
        guard let first = path.first else { return value ?? .null }
        let rest = Array(path.dropFirst())
        switch (first, self) {
        case (.key(let k), .object(var object)):
            if rest.isEmpty { object[k] = value } else { object[k] = (object[k] ?? .object([:])).replacing(rest, with: value) }
            return .object(object)
        case (.index(let i), .array(var items)) where items.indices.contains(i):
            if rest.isEmpty {
                if let value { items[i] = value } else { items.remove(at: i) }
            } else {
                items[i] = items[i].replacing(rest, with: value)
            }
            return .array(items)
        default:
            return self
        }
    }

    /// The value at `path`, nil when absent.
    func at(_ path: [PathStep]) -> JSONValue? {
        var current: JSONValue? = self
        for step in path {
            switch step {
            case .key(let k): current = current?[k]
            case .index(let i): current = current?[i]
            }
        }
        return current
    }
}

/// The wrong-type values the generated cases put in place of a node: every parser reads a
/// scalar, a list or a mapping, and each of these is invalid for one of a different shape.
enum WrongType {
    static let mapping: JSONValue = ["zz-wrong-type": "x"]
    static let list: JSONValue = ["x", "y"]
    static let word: JSONValue = "not-a-number"

    /// For a node of this shape, values of another shape.
    static func instead(of value: JSONValue) -> [JSONValue] {
        switch value {
        case .object: return [word]
        case .array: return [mapping, word]
        case .null: return [mapping, list]
        default: return [mapping, list]
        }
    }
}
