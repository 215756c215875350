/// Which kinds are served, looked up by URL (group, version, plural) or by body (apiVersion, kind).
struct ResourceRegistry: Sendable {
    private(set) var types: [ResourceType] = []
    private var byPath: [String: ResourceType] = [:]
    private var byKind: [String: ResourceType] = [:]

    init(_ initial: [ResourceType]) { for t in initial { register(t) } }

    mutating func register(_ type: ResourceType) {
        if let i = types.firstIndex(where: { $0.groupVersion == type.groupVersion && $0.plural == type.plural }) {
            types[i] = type
        } else {
            types.append(type)
        }
        byPath["\(type.groupVersion)/\(type.plural)"] = type
        byKind["\(type.groupVersion)/\(type.kind)"] = type
    }

    /// Stops serving one group/version/resource (a CRD version removed or deleted).
    mutating func unregister(groupVersion: String, plural: String) {
        guard let i = types.firstIndex(where: { $0.groupVersion == groupVersion && $0.plural == plural }) else { return }
        let t = types.remove(at: i)
        byPath["\(t.groupVersion)/\(t.plural)"] = nil
        byKind["\(t.groupVersion)/\(t.kind)"] = nil
    }

    func lookup(groupVersion: String, plural: String) -> ResourceType? { byPath["\(groupVersion)/\(plural)"] }

    func lookup(apiVersion: String, kind: String) -> ResourceType? { byKind["\(apiVersion)/\(kind)"] }

    /// Accepts "deployments", "deployments.apps" or "deployments.v1.apps" style names.
    func lookup(resource: String) -> ResourceType? {
        if let t = types.first(where: { $0.qualifiedResource == resource }) { return t }
        if let t = types.first(where: { $0.plural == resource }) { return t }
        return types.first(where: { "\($0.plural).\($0.version).\($0.group)" == resource })
    }

    func hasGroupVersion(_ gv: String) -> Bool { types.contains { $0.groupVersion == gv } }

    /// Groups in first-registered order with their versions, for /apis.
    func groups() -> [(name: String, versions: [String])] {
        var order: [String] = []
        var versions: [String: [String]] = [:]
        for t in types where !t.group.isEmpty {
            if versions[t.group] == nil { order.append(t.group) }
            if !(versions[t.group] ?? []).contains(t.version) { versions[t.group, default: []].append(t.version) }
        }
        return order.map { ($0, versions[$0] ?? []) }
    }
}
