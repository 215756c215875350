import KubeClient

/// A kind named in settings: a built-in kind by name, or any kind with `apiVersion` and
/// `resource` (its plural), listed when discovery finds it served.
struct RuleKind: Equatable {
    var apiVersion: String?
    var kind: String
    var resource: String?

    init(_ o: JSONValue) {
        apiVersion = o["apiVersion"]?.stringValue
        kind = o["kind"]?.stringValue ?? ""
        resource = o["resource"]?.stringValue
    }

    /// A built-in kind of `KnownResources`.
    init(kind: String) {
        self.kind = kind
    }

    /// The resource to list and patch, or why it cannot be resolved.
    func resolve() -> Result<SnapshotInput, OptionProblem> {
        if let resource {
            guard let apiVersion else { return .failure(OptionProblem(field: "apiVersion", problem: "required with resource")) }
            let parts = apiVersion.split(separator: "/").map(String.init)
            let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", apiVersion)
            return .success(SnapshotInput(.discovered(group: group, versions: [version], plural: resource, kind: kind),
                                          optional: true, shape: .object(keepSpec: false)))
        }
        guard let r = KnownResources.descriptor(kind: kind), apiVersion == nil || apiVersion == r.apiVersion else {
            return .failure(OptionProblem(field: "kind", problem: "\(kind)\(apiVersion.map { " (\($0))" } ?? "") is not a built-in kind; set apiVersion and resource (its plural)"))
        }
        return .success(.builtIn(r))
    }

    var groupKind: GroupKind? {
        guard case .success(let input) = resolve() else { return nil }
        return input.groupKind
    }

    /// Namespaced, when the table knows it (nil for kinds found by discovery).
    var knownNamespaced: Bool? {
        guard case .success(let input) = resolve(), case .builtIn(let r) = input.source else { return nil }
        return r.namespaced
    }
}

/// A rule of `owner-references`: objects of `kind` matching `selector` (or named one of
/// `names`; in `namespace`, or everywhere) should have an ownerReference to `owner`, which
/// lives in the object's namespace or is cluster-scoped. User rules come from the settings;
/// the built-in KubeArmor operator rule is made of the same rules (`OwnerReferencesCheck`),
/// so both share one evaluation and its guards.
struct OwnerRule: Equatable {
    var dependent: RuleKind
    var namespace: String?
    var selector: [String: String]
    /// Built-in rules name their objects instead of selecting them by label.
    var names: Set<String>?
    var owner: RuleKind
    var ownerName: String
    var controller: Bool
    /// Why the reference belongs there, for the finding.
    var why: String?

    init(_ o: JSONValue) {
        dependent = RuleKind(o)
        namespace = o["namespace"]?.stringValue
        selector = (o["selector"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let ownerJSON = o["owner"] ?? [:]
        owner = RuleKind(ownerJSON)
        ownerName = ownerJSON["name"]?.stringValue ?? ""
        controller = ownerJSON["controller"]?.boolValue ?? false
    }

    init(dependent: RuleKind, namespace: String?, names: Set<String>, owner: RuleKind, ownerName: String, why: String) {
        self.dependent = dependent
        self.namespace = namespace
        self.selector = [:]
        self.names = names
        self.owner = owner
        self.ownerName = ownerName
        self.controller = false
        self.why = why
    }

    func matches(_ o: ObjectRecord) -> Bool {
        (namespace == nil || o.meta.namespace == namespace)
            && (names.map { $0.contains(o.meta.name) } ?? true)
            && selector.allSatisfy { o.meta.labels[$0.key] == $0.value }
    }

    /// How the rule is named in findings.
    var label: String {
        if let why { return why }
        let text = selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return "settings rule \(dependent.kind) \(text)"
    }

    static func rules(_ options: [String: JSONValue]) -> [OwnerRule] {
        (options["rules"]?.arrayValue ?? []).map(OwnerRule.init)
    }

    /// What the settings loader reports, relative to the rule (`rules[i].`).
    func problem() -> OptionProblem? {
        if case .failure(let p) = dependent.resolve() { return p }
        if case .failure(let p) = owner.resolve() { return OptionProblem(field: "owner.\(p.field)", problem: p.problem) }
        if selector.isEmpty { return OptionProblem(field: "selector", problem: "must name at least one label") }
        if dependent.knownNamespaced == false, owner.knownNamespaced == true {
            return OptionProblem(field: "owner.kind", problem: "a namespaced owner (\(owner.kind)) is invalid for cluster-scoped \(dependent.kind)")
        }
        if dependent.knownNamespaced == false, namespace != nil {
            return OptionProblem(field: "namespace", problem: "\(dependent.kind) is cluster-scoped")
        }
        return nil
    }

    static let schema: OptionType = .list(.object([
        OptionField("kind", .string, required: true),
        OptionField("apiVersion", .string),
        OptionField("resource", .string),
        OptionField("namespace", .string),
        OptionField("selector", .stringMap, required: true),
        OptionField("owner", .object([
            OptionField("kind", .string, required: true),
            OptionField("apiVersion", .string),
            OptionField("resource", .string),
            OptionField("name", .string, required: true),
            OptionField("controller", .bool),
        ]), required: true),
    ]))
}
