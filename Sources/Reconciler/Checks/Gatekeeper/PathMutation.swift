import KubeClient

/// `pathTests`: per depth of the location, whether something must (not) exist there.
/// Semantics of Gatekeeper's pkg/mutation/path/tester/tester.go: a test sits at the depth
/// of its subPath's last node; no test means both are fine.
public struct PathTests: Sendable, Equatable {
    public enum Condition: String, Sendable { case mustExist = "MustExist", mustNotExist = "MustNotExist" }
    public var byDepth: [Int: Condition]

    public init(_ byDepth: [Int: Condition] = [:]) { self.byDepth = byDepth }

    func existsOkay(_ depth: Int) -> Bool { byDepth[depth].map { $0 == .mustExist } ?? true }
    func missingOkay(_ depth: Int) -> Bool { byDepth[depth].map { $0 == .mustNotExist } ?? true }
}

/// A location that cannot be walked on this object (a list where the path says object, ...):
/// Gatekeeper's webhook fails the mutation there too.
public struct PathMutationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// What a mutator writes at the end of its location.
public enum PathSetter: Sendable, Equatable {
    /// Assign (and AssignMetadata once its key is known absent): set the value. At a
    /// keyed list selector, the list element with that key becomes `value`.
    case assign(JSONValue)
    /// AssignMetadata: set only when the key is missing (it never overwrites).
    case assignIfMissing(JSONValue)
    /// ModifySet: the field is a list treated as a set; `merge` adds the values missing
    /// (deep equality), `prune` removes them.
    case merge([JSONValue])
    case prune([JSONValue])
    /// AssignImage: rewrites the image reference at the location.
    case image(ImageAssignment)
}

/// Applies one mutator's setter along a location, the way Gatekeeper's
/// pkg/mutation/mutators/core/mutation_function.go walks an object: missing objects on
/// the way are created, a keyed list selector that finds no element appends one with the
/// key set, a glob applies to every existing element and creates none, and path tests
/// stop the mutation where they fail. Key values compare with string values only.
public struct PathMutation: Sendable, Equatable {
    public var path: LocationPath
    public var tests: PathTests
    public var setter: PathSetter

    public init(path: LocationPath, tests: PathTests = PathTests(), setter: PathSetter) {
        self.path = path
        self.tests = tests
        self.setter = setter
    }

    /// The object as Gatekeeper would leave it (equal to `object` when nothing changes).
    public func apply(to object: JSONValue) throws(PathMutationError) -> JSONValue {
        guard !path.nodes.isEmpty else { throw PathMutationError("empty location") }
        return try walk(object, depth: 0) ?? object
    }

    /// The new value of `current`, or nil when nothing below changes.
    private func walk(_ current: JSONValue, depth: Int) throws(PathMutationError) -> JSONValue? {
        let last = depth == path.nodes.count - 1
        switch path.nodes[depth] {
        case .field(let name):
            guard var object = current.objectValue else {
                throw PathMutationError("\(prefix(depth)) is \(current.typeName), not an object")
            }
            let existing = object[name]
            if existing != nil ? !tests.existsOkay(depth) : !tests.missingOkay(depth) { return nil }
            if last {
                guard let new = try set(existing) else { return nil }
                object[name] = new
                return .object(object)
            }
            let next = existing ?? emptyValue(for: depth + 1)
            guard let changed = try walk(next, depth: depth + 1) else { return nil }
            object[name] = changed
            return .object(object)

        case .list(let key, let value):
            guard var list = current.arrayValue else {
                throw PathMutationError("\(prefix(depth)) is \(current.typeName), not a list")
            }
            if last {
                guard let value, case .assign(let element) = setter else {
                    throw PathMutationError("a location ending in a list selector needs a keyed selector and an assigned value")
                }
                if let i = list.firstIndex(where: { $0[key] == .string(value) }) {
                    guard tests.existsOkay(depth) else { return nil }
                    list[i] = element
                } else {
                    guard tests.missingOkay(depth) else { return nil }
                    list.append(element)
                }
                return .array(list)
            }
            guard let value else {
                // A glob "must not exist" can never hold (as in Gatekeeper).
                guard tests.existsOkay(depth) else { return nil }
                var changed = false
                for i in list.indices {
                    if let new = try walk(list[i], depth: depth + 1) { list[i] = new; changed = true }
                }
                return changed ? .array(list) : JSONValue?.none
            }
            var found = false, changed = false
            for i in list.indices where list[i][key] == .string(value) {
                guard tests.existsOkay(depth) else { return nil }
                found = true
                if let new = try walk(list[i], depth: depth + 1) { list[i] = new; changed = true }
            }
            if !found {
                guard tests.missingOkay(depth) else { return nil }
                guard let new = try walk(.object([key: .string(value)]), depth: depth + 1) else { return nil }
                list.append(new)
                changed = true
            }
            return changed ? .array(list) : JSONValue?.none
        }
    }

    /// The value the setter leaves at the end of the location, or nil for "no change".
    /// (JSONValue is ExpressibleByNilLiteral: a bare `nil` in a ternary here would be
    /// JSON null, hence the spelled-out `JSONValue?.none`.)
    private func set(_ existing: JSONValue?) throws(PathMutationError) -> JSONValue? {
        switch setter {
        case .assign(let v):
            return existing == v ? JSONValue?.none : v
        case .assignIfMissing(let v):
            return existing == nil ? v : JSONValue?.none
        case .merge(let values):
            guard let list = try setList(existing) else { return .array(values.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }) }
            let missing = values.filter { !list.contains($0) }
            return missing.isEmpty ? JSONValue?.none : .array(list + missing.reduce(into: []) { if !$0.contains($1) { $0.append($1) } })
        case .prune(let values):
            guard let list = try setList(existing) else { return nil }
            let kept = list.filter { !values.contains($0) }
            return kept.count == list.count ? JSONValue?.none : .array(kept)
        case .image(let assignment):
            guard let existing else { return nil }
            guard let image = existing.stringValue else { throw PathMutationError("\(path) is \(existing.typeName), not an image string") }
            let new = assignment.apply(to: image)
            return new == image ? JSONValue?.none : .string(new)
        }
    }

    private func setList(_ existing: JSONValue?) throws(PathMutationError) -> [JSONValue]? {
        guard let existing, !existing.isNull else { return nil }
        guard let list = existing.arrayValue else { throw PathMutationError("\(path) is \(existing.typeName), not a list") }
        return list
    }

    /// What a missing step becomes: an object, or a list when the next node selects in one.
    private func emptyValue(for depth: Int) -> JSONValue {
        if case .list = path.nodes[depth] { return .array([]) }
        return .object([:])
    }

    /// The part of the location already walked when looking at depth `depth`.
    private func prefix(_ depth: Int) -> String {
        depth == 0 ? "the object" : LocationPath(Array(path.nodes.prefix(depth))).description
    }
}
