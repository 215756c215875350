/// Turns the checks' findings into one bounded, ordered, deterministic Plan.
public enum Planner {
    /// Order: metadata fixes, orphan deletions, image patches, disruptive actions; within a
    /// class by target object, then check. Findings about excluded or opted-out objects are
    /// dropped; actions in another shard's namespaces are deferred (`otherShard`), and those
    /// a maintenance window gates while none is open (`maintenanceWindow`); the rest
    /// fill the batch under the budgets and the health gate. Report-only findings come last.
    public static func plan(_ reports: [CheckReport], snapshot: Snapshot, settings: Settings, shard: Shard?) -> Plan {
        let exclusions = Exclusions(settings: settings, snapshot: snapshot)
        let findings = reports.flatMap(\.findings).filter { !exclusions.isExcluded($0) }
        let actionable = FairOrder.spreadDisruptive(findings.filter { $0.action != nil }.sorted(by: actionOrder))
        let pdbGate = DisruptionBudgetGate(snapshot: snapshot)
        let reportOnly = findings.filter { $0.action == nil }.sorted { ($0.object, $0.check, $0.reason) < ($1.object, $1.check, $1.reason) }

        let windows = WindowGate(settings.maintenance, now: snapshot.takenAt)
        var packer = BudgetPacker(budgets: settings.budgets,
                                  unhealthyAtStart: HealthGate.unhealthyWorkloads(snapshot, settings: settings).count)
        var entries: [PlanEntry] = []
        for finding in actionable {
            let action = finding.action!
            if let shard, !shard.owns(action.target.namespace) {
                entries.append(PlanEntry(finding: finding, decision: .deferred(.otherShard(index: shard.owner(of: action.target.namespace)))))
            } else if let wait = windows.defers(action) {
                entries.append(PlanEntry(finding: finding, decision: .deferred(wait)))
            } else if let pdb = pdbGate.blocking(action) {
                entries.append(PlanEntry(finding: finding, decision: .deferred(.disruptionBudget(pdb))))
            } else if let reason = packer.offer(action) {
                entries.append(PlanEntry(finding: finding, decision: .deferred(reason)))
            } else {
                entries.append(PlanEntry(finding: finding, decision: .planned(order: packer.planned - 1)))
            }
        }
        for finding in reportOnly {
            if let shard, !shard.owns(finding.object.namespace) {
                entries.append(PlanEntry(finding: finding, decision: .deferred(.otherShard(index: shard.owner(of: finding.object.namespace)))))
            } else {
                entries.append(PlanEntry(finding: finding, decision: .reportOnly))
            }
        }
        return Plan(entries: entries)
    }

    /// The documented order (DESIGN.md "Ordered"), total so that plans are deterministic.
    static func actionOrder(_ a: Finding, _ b: Finding) -> Bool {
        let x = a.action!, y = b.action!
        if x.actionClass != y.actionClass { return x.actionClass < y.actionClass }
        if x.target != y.target { return x.target < y.target }
        if a.check != b.check { return a.check < b.check }
        if a.object != b.object { return a.object < b.object }
        return (a.reason, x.summary) < (b.reason, y.summary)
    }
}
