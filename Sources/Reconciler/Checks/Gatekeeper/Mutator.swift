import KubeClient

/// Why a mutator cannot be evaluated: reported, never guessed around.
public struct MutatorProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One Gatekeeper mutator (Assign, AssignMetadata, ModifySet, AssignImage), read from its
/// object in the snapshot: what it selects and what it writes where.
public struct Mutator: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case literal(JSONValue)
        /// `assign.fromMetadata.field`: the object's `namespace` or `name`.
        case fromMetadata(String)
    }

    public var object: ObjectRecord
    public var match: MutatorMatch
    public var location: LocationPath
    public var tests: PathTests
    /// Assign and AssignMetadata: the value; ModifySet and AssignImage: nil.
    public var value: Value?
    /// The setter once the value is known (`setter(name:namespace:)` fills fromMetadata).
    private var fixedSetter: PathSetter?

    public var kind: String { object.kind }
    public var name: String { object.meta.name }
    /// "Assign shop-no-privilege-escalation".
    public var label: String { "\(kind) \(name)" }

    public static let kinds = ["Assign", "AssignMetadata", "ModifySet", "AssignImage"]

    /// Reads a mutator; the problem names the field that cannot be evaluated.
    public init(_ object: ObjectRecord) throws(MutatorProblem) {
        self.object = object
        let spec = object.spec ?? .object([:])
        guard Self.kinds.contains(object.kind) else { throw MutatorProblem("unknown mutator kind \(object.kind)") }
        match = try MutatorMatch(spec: spec, hasApplyTo: object.kind != "AssignMetadata")
        let text = spec["location"]?.stringValue ?? ""
        do {
            location = try LocationPath(parsing: text)
        } catch {
            throw MutatorProblem("unsupported location: \(error)")
        }
        guard let lastNode = location.nodes.last else { throw MutatorProblem("unsupported location: spec.location is empty") }
        let parameters = spec["parameters"] ?? .object([:])
        var tests: [Int: PathTests.Condition] = [:]
        for (i, t) in (parameters["pathTests"]?.arrayValue ?? []).enumerated() {
            let field = "parameters.pathTests[\(i)]"
            guard let c = PathTests.Condition(rawValue: t["condition"]?.stringValue ?? "") else {
                throw MutatorProblem("\(field).condition is not MustExist or MustNotExist")
            }
            let sub: LocationPath
            do { sub = try LocationPath(parsing: t["subPath"]?.stringValue ?? "") } catch { throw MutatorProblem("unsupported location: \(field).subPath: \(error)") }
            guard !sub.nodes.isEmpty, location.hasPrefix(sub) else { throw MutatorProblem("\(field).subPath \"\(sub)\" is not a prefix of the location") }
            if let other = tests[sub.nodes.count - 1], other != c { throw MutatorProblem("conflicting path test conditions") }
            tests[sub.nodes.count - 1] = c
        }
        self.tests = PathTests(tests)
        let isMetadata = location.nodes.first == .field("metadata")
        let endsInList: Bool = { if case .list = lastNode { return true }; return false }()

        switch object.kind {
        case "AssignMetadata":
            // Gatekeeper's assignmeta_mutator.go: only metadata.labels.<key> or metadata.annotations.<key>.
            guard location.nodes.count == 3, isMetadata,
                  location.nodes[1] == .field("labels") || location.nodes[1] == .field("annotations"), !endsInList else {
                throw MutatorProblem("unsupported location: AssignMetadata may only set metadata.labels.<key> or metadata.annotations.<key>, not \(location)")
            }
            value = try Self.value(parameters["assign"], stringOnly: true)
            fixedSetter = value.flatMap { if case .literal(let v) = $0 { return .assignIfMissing(v) }; return nil }
        case "Assign":
            guard !isMetadata else { throw MutatorProblem("unsupported location: Assign cannot change metadata (\(location))") }
            value = try Self.value(parameters["assign"], stringOnly: false)
            if endsInList {
                guard case .list(let key, let keyValue?) = lastNode else { throw MutatorProblem("unsupported location: an Assign location cannot end in a glob (\(location))") }
                guard case .literal(let v)? = value, v[key] == .string(keyValue) else {
                    throw MutatorProblem("parameters.assign.value must be an object whose \(key) is \"\(keyValue)\" to go in \(location)")
                }
            }
            fixedSetter = value.flatMap { if case .literal(let v) = $0 { return .assign(v) }; return nil }
        case "ModifySet":
            guard !endsInList else { throw MutatorProblem("unsupported location: a ModifySet location must end in a field, not a list selector (\(location))") }
            let values = parameters["values"]?["fromList"]?.arrayValue ?? []
            switch parameters["operation"]?.stringValue ?? "merge" {
            case "merge": fixedSetter = .merge(values)
            case "prune": fixedSetter = .prune(values)
            case let other: throw MutatorProblem("parameters.operation \"\(other)\" is not merge or prune")
            }
            value = nil
        default:  // AssignImage
            guard !endsInList else { throw MutatorProblem("unsupported location: an AssignImage location must end in a field (\(location))") }
            let a = ImageAssignment(domain: parameters["assignDomain"]?.stringValue, path: parameters["assignPath"]?.stringValue,
                                    tag: parameters["assignTag"]?.stringValue)
            guard a.domain != nil || a.path != nil || a.tag != nil else { throw MutatorProblem("AssignImage sets none of assignDomain, assignPath, assignTag") }
            fixedSetter = .image(a)
            value = nil
        }
        if case .list = location.nodes.first { throw MutatorProblem("unsupported location: \(location) starts with a list selector") }
    }

    /// `parameters.assign`: `value`, or `fromMetadata.field` (namespace|name). External
    /// data needs a call to a provider: not evaluated here.
    private static func value(_ assign: JSONValue?, stringOnly: Bool) throws(MutatorProblem) -> Value {
        guard let assign else { throw MutatorProblem("parameters.assign is missing") }
        if assign["externalData"] != nil { throw MutatorProblem("parameters.assign.externalData asks an external provider; its answer cannot be evaluated offline") }
        if let field = assign["fromMetadata"]?["field"]?.stringValue {
            guard field == "namespace" || field == "name" else { throw MutatorProblem("parameters.assign.fromMetadata.field \"\(field)\" is not namespace or name") }
            return .fromMetadata(field)
        }
        guard let v = assign["value"] else { throw MutatorProblem("parameters.assign has no value") }
        if stringOnly, v.stringValue == nil { throw MutatorProblem("parameters.assign.value must be a string for AssignMetadata") }
        return .literal(v)
    }

    /// The mutation for one object (fromMetadata values depend on its name/namespace).
    public func mutation(name: String, namespace: String?) -> PathMutation {
        let setter: PathSetter
        if let fixedSetter {
            setter = fixedSetter
        } else {
            guard case .fromMetadata(let field)? = value else { fatalError("a mutator without setter or value") }
            let v = JSONValue.string(field == "name" ? name : namespace ?? "")
            setter = kind == "AssignMetadata" ? .assignIfMissing(v) : .assign(v)
        }
        return PathMutation(path: location, tests: tests, setter: setter)
    }
}
