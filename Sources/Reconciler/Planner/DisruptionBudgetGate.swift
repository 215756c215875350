import KubeClient

/// A rollout restart goes through the workload's own strategy, not the Eviction API, so
/// PodDisruptionBudgets do not hold for it. kreconcile holds them anyway: a disruptive
/// action whose pods a budget with `status.disruptionsAllowed` 0 selects is deferred to
/// a later run (the budget has no room now). Evictions carry no labels here: the API
/// server checks their budgets itself (429).
struct DisruptionBudgetGate {
    static let kind = GroupKind("policy", "PodDisruptionBudget")

    private let budgetsByNamespace: [String: [ObjectRecord]]

    init(snapshot: Snapshot) {
        var byNamespace: [String: [ObjectRecord]] = [:]
        for pdb in snapshot.objects(Self.kind) { byNamespace[pdb.meta.namespace ?? "", default: []].append(pdb) }
        budgetsByNamespace = byNamespace
    }

    /// "namespace/name" of the first budget (by name) that blocks the action, or nil.
    func blocking(_ action: Action) -> String? {
        guard action.actionClass.isDisruptive, let labels = action.disruptedPodLabels,
              let namespace = action.target.namespace else { return nil }
        for pdb in budgetsByNamespace[namespace, default: []] {
            // A budget the disruption controller has not computed yet (no status) has no
            // room either: policy/v1 eviction treats a missing status as 0 allowed.
            let allowed = pdb.status?["disruptionsAllowed"]?.intValue ?? 0
            guard allowed <= 0 else { continue }
            // policy/v1: a null selector selects no pod, an empty one every pod of the
            // namespace; a selector kreconcile cannot read counts as selecting (safe side).
            guard let selector = pdb.spec?["selector"], selector != .null else { continue }
            if LabelSelectorMatch.matches(selector, labels) ?? true {
                return "\(namespace)/\(pdb.meta.name)"
            }
        }
        return nil
    }
}
