/// Which pods, and which workloads' pod templates, keep their whole `spec` in the
/// snapshot (`PodRecord.admission`, `WorkloadRecord.templateSpec`). Kept only where a check
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
    /// The pod labels and annotations a kept pod's admission view holds: those the
    /// mutators' selectors and locations read. nil = all.
    public var labelKeys: Set<String>?
    public var annotationKeys: Set<String>?

    public init(namespaces: Set<String>?, templates: Bool, podSpec: SpecProjection = .whole,
                labelKeys: Set<String>? = nil, annotationKeys: Set<String>? = nil) {
        self.namespaces = namespaces
        self.templates = templates
        self.podSpec = podSpec
        self.labelKeys = labelKeys
        self.annotationKeys = annotationKeys
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
            result.labelKeys = both(result.labelKeys, r.labelKeys)
            result.annotationKeys = both(result.annotationKeys, r.annotationKeys)
            if let a = result.namespaces, let b = r.namespaces { result.namespaces = a.union(b) } else { result.namespaces = nil }
        }
        return result
    }

    /// Two key sets together; nil (all keys) wins.
    private static func both(_ a: Set<String>?, _ b: Set<String>?) -> Set<String>? {
        guard let a, let b else { return nil }
        return a.union(b)
    }

    /// `map` with only the keys `keys` names (nil: all).
    static func keeping(_ keys: Set<String>?, of map: [String: String]) -> [String: String] {
        guard let keys else { return map }
        return map.filter { keys.contains($0.key) }
    }
}
