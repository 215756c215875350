/// The blast-radius breaker: after planning, counts each check's would-be actions against
/// its `checks.<name>.safety.abortWhen` and the whole run's against `safety.abortWhen`. A
/// crossed limit turns every action of that check (or of the run) into `aborted`: listed
/// with the limit and the figures, never sent. Budgets cap how much one run changes; this
/// catches a run about to do the wrong thing many times over.
public enum Breaker {
    /// The Planner's plan with the breaker applied. A check that trips is planned without
    /// its actions, so they take no budget from the checks that go on; its would-be actions
    /// are listed as `aborted`.
    public static func plan(_ reports: [CheckReport], snapshot: Snapshot, settings: Settings, shard: Shard?) -> (plan: Plan, trips: [SafetyTrip]) {
        let full = Planner.plan(reports, snapshot: snapshot, settings: settings, shard: shard)
        let trips = trips(full, reports: reports, settings: settings)
        guard !trips.isEmpty else { return (full, []) }
        let runTrip = trips.first { $0.aborts == .run }
        func trip(of entry: PlanEntry) -> SafetyTrip? {
            guard entry.finding.action != nil else { return nil }
            return runTrip ?? trips.first { $0.check == entry.finding.check }
        }
        let aborted = full.entries.compactMap { e in trip(of: e).map { PlanEntry(finding: e.finding, decision: .aborted($0)) } }
        let tripped = Set(trips.compactMap(\.check))
        let rest = runTrip != nil ? reports.map { r in CheckReport(check: r.check, findings: r.findings.filter { $0.action == nil }) }
            : reports.map { r in
                tripped.contains(r.check) ? CheckReport(check: r.check, findings: r.findings.filter { $0.action == nil }) : r
            }
        return (Plan(entries: Planner.plan(rest, snapshot: snapshot, settings: settings, shard: shard).entries + aborted), trips)
    }

    /// The limits the plan's would-be actions cross: each check's, then the whole run's.
    static func trips(_ plan: Plan, reports: [CheckReport], settings: Settings) -> [SafetyTrip] {
        let safety = settings.safety
        var actions: [String: Int] = [:]
        for entry in plan.entries where entry.finding.action != nil { actions[entry.finding.check, default: 0] += 1 }

        var trips: [SafetyTrip] = []
        var totals = (findings: 0, flagged: 0, examined: 0)
        for report in reports where report.notApplicable == nil {
            let findings = actions[report.check, default: 0]
            let flagged = report.flagged ?? findings
            totals.findings += findings
            totals.flagged += flagged
            totals.examined += report.examined
            let own = safety.check(report.check)
            if let trip = crossed(own.abortWhen, field: "checks.\(report.check).safety.abortWhen", check: report.check,
                                  findings: findings, flagged: flagged, examined: report.examined,
                                  minExamined: safety.percentMinExamined, aborts: own.aborts) {
                trips.append(trip)
            }
        }
        if let trip = crossed(safety.abortWhen, field: "safety.abortWhen", check: nil, findings: totals.findings,
                              flagged: totals.flagged, examined: totals.examined, minExamined: safety.percentMinExamined, aborts: .run) {
            trips.append(trip)
        }
        return trips
    }

    /// The first limit crossed: the count, then the percent (judged only once enough
    /// objects were examined for a percentage to mean something).
    static func crossed(_ limits: AbortLimits, field: String, check: String?, findings: Int, flagged: Int, examined: Int,
                        minExamined: Int, aborts: AbortScope) -> SafetyTrip? {
        if let n = limits.findingsOver, findings > n {
            return SafetyTrip(limit: field + ".findingsOver", value: Double(n), check: check, findings: findings,
                              flagged: flagged, examined: examined, aborts: aborts)
        }
        if let p = limits.percentOver, examined >= minExamined, examined > 0, Double(flagged) * 100 > p * Double(examined) {
            return SafetyTrip(limit: field + ".percentOver", value: p, check: check, findings: findings,
                              flagged: flagged, examined: examined, aborts: aborts)
        }
        return nil
    }
}
