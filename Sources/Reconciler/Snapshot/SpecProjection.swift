import KubeClient

/// The part of a pod `spec` that a set of mutator locations can read or write: the fields
/// along each location, the key fields of the lists it selects in, and everything at its
/// end. A pod keeps only that (in `PodRecord.admission`), because a whole spec per pod costs
/// several KB and a mutator matching every namespace would keep 150,000 of them.
///
/// Applying a mutation to the projected spec changes it exactly where it changes the
/// whole spec: `PathMutation` walks only along its location, selects list elements by
/// their key field, and compares only the value at the end. Where a value does not have
/// the shape a location expects (a list where it walks a field), the value is kept whole,
/// so the walk fails there as it would on the whole spec.
public indirect enum SpecProjection: Sendable, Equatable {
    /// Everything below.
    case whole
    /// An object: these fields, each projected (absent fields stay absent).
    case fields([String: SpecProjection])
    /// A list: every element, keeping its `keys` fields whole and the rest projected by `each`.
    case elements(keys: Set<String>, each: SpecProjection)

    /// What `paths` (relative to the projected value, e.g. `containers[name:*].image` for a
    /// pod spec) can reach; an empty object for no path.
    public init(keeping paths: [LocationPath]) {
        var result: SpecProjection = .fields([:])
        for path in paths { result = result.adding(path.nodes[...]) }
        self = result
    }

    private func adding(_ nodes: ArraySlice<LocationPath.Node>) -> SpecProjection {
        guard let node = nodes.first else { return .whole }
        let rest = nodes.dropFirst()
        switch (self, node) {
        case (.whole, _):
            return .whole
        case (.fields(var fields), .field(let name)):
            fields[name] = (fields[name] ?? .fields([:])).adding(rest)
            return .fields(fields)
        case (.fields(let fields), .list(let key, _)) where fields.isEmpty:
            return .elements(keys: [key], each: SpecProjection.fields([:]).adding(rest))
        case (.elements(var keys, let each), .list(let key, _)):
            keys.insert(key)
            return .elements(keys: keys, each: each.adding(rest))
        default:
            // One location walks a field where another selects in a list: keep it all.
            return .whole
        }
    }

    /// `value` with only what the projection keeps.
    public func apply(_ value: JSONValue) -> JSONValue {
        switch (self, value) {
        case (.whole, _):
            return value
        case (.fields(let fields), .object(let object)):
            var kept: [String: JSONValue] = [:]
            for (name, projection) in fields {
                if let v = object[name] { kept[name] = projection.apply(v) }
            }
            return .object(kept)
        case (.elements(let keys, let each), .array(let list)):
            return .array(list.map { element in
                guard case .object(let object) = element else { return element }
                var kept = each.apply(element).objectValue ?? object
                for key in keys { if let v = object[key] { kept[key] = v } }
                return .object(kept)
            })
        default:
            return value  // not the shape the locations expect: the walk fails on it as on the whole spec
        }
    }

    /// Both projections together (what either keeps).
    public func union(_ other: SpecProjection) -> SpecProjection {
        switch (self, other) {
        case (.whole, _), (_, .whole):
            return .whole
        case (.fields(let a), .fields(let b)):
            if a.isEmpty { return other }
            if b.isEmpty { return self }
            return .fields(a.merging(b) { $0.union($1) })
        case (.elements(let ka, let ea), .elements(let kb, let eb)):
            return .elements(keys: ka.union(kb), each: ea.union(eb))
        case (.fields(let a), .elements) where a.isEmpty:
            return other
        case (.elements, .fields(let b)) where b.isEmpty:
            return self
        default:
            return .whole
        }
    }
}
