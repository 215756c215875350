/// The blast-radius breaker: after planning, counts each check's would-be actions against
/// its `checks.<name>.safety.abortWhen` and the whole run's against `safety.abortWhen`. A
/// crossed limit turns every action of that check (or of the run) into `aborted`: listed
/// with the limit and the figures, never sent. Budgets cap how much one run changes; this
/// catches a run about to do the wrong thing many times over.
public enum Breaker {
    public static func apply(_ plan: Plan, reports: [CheckReport], settings: Settings) -> (plan: Plan, trips: [SafetyTrip]) {
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
        guard !trips.isEmpty else { return (plan, []) }

        let runTrip = trips.first { $0.aborts == .run }
        var entries = plan.entries
        for i in entries.indices where entries[i].finding.action != nil {
            if let trip = runTrip ?? trips.first(where: { $0.check == entries[i].finding.check }) {
                entries[i].decision = .aborted(trip)
            }
        }
        return (Plan(entries: entries), trips)
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
