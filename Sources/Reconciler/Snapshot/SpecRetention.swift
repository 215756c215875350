/// Which pods, and which workloads' pod templates, keep their whole `spec` in the
/// snapshot (`PodRecord.spec`, `WorkloadRecord.templateSpec`). Kept only where a check
/// asks (Gatekeeper mutators that can touch the namespace's pods), so a cluster without
/// them stays as compact as before. Set for one listing phase as a task-local, because
/// the records are decoded deep inside the client's paging.
public struct SpecRetention: Sendable, Equatable {
    /// nil = every namespace.
    public var namespaces: Set<String>?
    /// Keep workload pod templates too (not only pods).
    public var templates: Bool
    /// What of each kept pod spec: only the parts the mutators' locations reach
    /// (templates are few and kept whole).
    public var podSpec: SpecProjection

    public init(namespaces: Set<String>?, templates: Bool, podSpec: SpecProjection = .whole) {
        self.namespaces = namespaces
        self.templates = templates
        self.podSpec = podSpec
    }

    public static let everything = SpecRetention(namespaces: nil, templates: true)

    @TaskLocal public static var current: SpecRetention?

    func keeps(namespace: String?) -> Bool {
        guard let namespaces else { return true }
        return namespace.map(namespaces.contains) ?? false
    }

    /// What all the checks asked for; nil when none did.
    static func union(_ all: [SpecRetention]) -> SpecRetention? {
        guard var result = all.first else { return nil }
        for r in all.dropFirst() {
            result.templates = result.templates || r.templates
            result.podSpec = result.podSpec.union(r.podSpec)
            if let a = result.namespaces, let b = r.namespaces { result.namespaces = a.union(b) } else { result.namespaces = nil }
        }
        return result
    }
}
