import KubeClient

/// The type of one per-check option, declared by the check so the settings loader can
/// validate it (unknown fields, types, ranges) without knowing the check.
public indirect enum OptionType: Sendable, Equatable {
    case bool
    case int(ClosedRange<Int>)
    case string
    case stringList
    /// A `key: value` mapping of strings (labels, a matchLabels selector).
    case stringMap
    case list(OptionType)
    case object([OptionField])
}

/// One field of an `.object` option.
public struct OptionField: Sendable, Equatable {
    public var name: String
    public var type: OptionType
    public var required: Bool

    public init(_ name: String, _ type: OptionType, required: Bool = false) {
        self.name = name
        self.type = type
        self.required = required
    }
}

/// One option a check declares: `kreconcile checks` lists these and
/// `config --print-defaults` writes them with their defaults.
public struct CheckOptionDoc: Sendable, Equatable {
    public var name: String
    public var type: OptionType
    /// The value used when the settings file does not set the option.
    public var defaultValue: JSONValue
    /// One line: what the option does.
    public var doc: String
    /// Optional YAML lines showing a non-default value, printed as comments in the defaults file.
    public var example: String?

    public init(name: String, type: OptionType, defaultValue: JSONValue, doc: String, example: String? = nil) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
        self.example = example
    }
}

/// Which checks run and with which options (defaults filled in for every enabled check).
public struct CheckSettings: Sendable, Equatable {
    public var enabled: Set<String>
    /// check name -> option name -> value.
    public var options: [String: [String: JSONValue]]

    public init(enabled: Set<String>, options: [String: [String: JSONValue]]) {
        self.enabled = enabled
        self.options = options
    }

    /// Every check of `registry` enabled with its declared defaults.
    public init(registry: [any Check]) {
        enabled = Set(registry.map(\.name))
        options = Dictionary(uniqueKeysWithValues: registry.map { check in
            (check.name, Dictionary(uniqueKeysWithValues: check.optionsDoc.map { ($0.name, $0.defaultValue) }))
        })
    }

    public func isEnabled(_ check: String) -> Bool { enabled.contains(check) }

    /// The option's value, or nil when neither the file nor the check's defaults set it.
    public func option(_ name: String, of check: String) -> JSONValue? { options[check]?[name] }

    /// The enabled checks of `registry`, in registry order.
    public func enabledChecks(from registry: [any Check]) -> [any Check] {
        registry.filter { enabled.contains($0.name) }
    }
}

extension OptionType: CustomStringConvertible {
    /// Short type for `kreconcile checks`: "bool", "int 0-100", "list of {kind, selector, ...}".
    public var description: String {
        switch self {
        case .bool: return "bool"
        case .int(let r): return "int \(r.lowerBound)-\(r.upperBound)"
        case .string: return "string"
        case .stringList: return "list of strings"
        case .stringMap: return "map of strings"
        case .list(let element): return "list of \(element)"
        case .object(let fields): return "{" + fields.map { $0.required ? $0.name : "\($0.name)?" }.joined(separator: ", ") + "}"
        }
    }
}
