/// The one place that decides which objects kreconcile must not touch (DESIGN.md "Never"):
/// excluded namespaces, and the opt-out label or annotation (`kreconcile.io/skip: "true"`)
/// on the object or on its namespace. The Planner drops findings about such objects (or
/// whose action targets one), so no check can forget it.
public struct Exclusions: Sendable {
    let excludedNamespaces: Set<String>
    let optOutKey: String
    let snapshot: Snapshot

    public init(settings: Settings, snapshot: Snapshot) {
        self.excludedNamespaces = Set(settings.excludeNamespaces)
        self.optOutKey = settings.optOutKey
        self.snapshot = snapshot
    }

    /// Why the object is left alone, or nil.
    public func reason(for ref: ObjectRef) -> String? {
        if let ns = ref.namespace {
            if excludedNamespaces.contains(ns) { return "namespace \(ns) is excluded" }
            if let nsMeta = snapshot.namespace(ns)?.meta, let how = optedOut(nsMeta) { return "namespace \(ns) opted out (\(how))" }
        }
        if ref.kind == "Namespace", excludedNamespaces.contains(ref.name) { return "namespace \(ref.name) is excluded" }
        if let meta = snapshot.meta(of: ref), let how = optedOut(meta) { return "opted out (\(how))" }
        return nil
    }

    public func isExcluded(_ finding: Finding) -> Bool {
        reason(for: finding.object) != nil || finding.action.map { reason(for: $0.target) != nil } ?? false
    }

    private func optedOut(_ meta: MetaRecord) -> String? {
        if meta.labels[optOutKey]?.lowercased() == "true" { return "label \(optOutKey)=true" }
        if meta.annotations[optOutKey]?.lowercased() == "true" { return "annotation \(optOutKey)=true" }
        return nil
    }
}
