import Reconciler

/// How many fault-free runs may pass before nothing actionable is left, from the first
/// such run's report: ⌈findings / maxChanges⌉ + 2 (the bound), where "findings" are
/// the actionable ones (report-only findings never go away by running again) and the
/// per-namespace budget can stretch the first term; plus, honestly, one run for every action
/// that starts a rollout or an eviction (image patches, restarts, evictions): the health gate,
/// one rollout at a time and the per-node budget may serialize those, at worst one per run
/// (a rollout finishes between runs once the controllers have settled).
enum ConvergenceBound {
    static func runs(_ report: RunReport, settings: Settings) -> Int {
        let actionable = report.entries.filter { $0.action != nil && $0.result != .reported }
        let b = settings.budgets
        var first = ceil(actionable.count, max(1, b.maxChanges))
        for (_, n) in Dictionary(grouping: actionable.compactMap(\.object.namespace), by: { $0 }).mapValues(\.count) {
            first = max(first, ceil(n, max(1, b.maxPerNamespace)))
        }
        let serialized = actionable.filter { ["disruptive", "image-patch"].contains($0.action?.actionClass) }.count
        return first + serialized + 2
    }

    /// Findings a PodDisruptionBudget at 0 holds back: the cluster's own policy forbids the
    /// disruption (e.g. minAvailable = replicas), so no number of runs clears them; they are
    /// reported by count, not counted as a failure to converge.
    static func blockedByBudget(_ report: RunReport) -> Int {
        report.entries.filter { $0.result == .deferred && ($0.detail ?? "").hasPrefix("PodDisruptionBudget") }.count
    }

    static func ceil(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
}
