/// A crossed safety limit, with the figures that crossed it (report schema: `safety.trips`).
public struct SafetyTrip: Sendable, Equatable, Codable {
    /// The settings field: "checks.gatekeeper-orphaned-vap.safety.abortWhen.percentOver",
    /// "safety.abortWhen.findingsOver".
    public var limit: String
    public var value: Double
    /// The check whose limit it is; nil for the whole run's.
    public var check: String?
    /// Would-be actions (findings with an action, excluded objects not counted).
    public var findings: Int
    /// Objects flagged of those examined (the percent limit's figures).
    public var flagged: Int
    public var examined: Int
    /// What it stops: "check" (that check's actions) or "run" (every action).
    public var aborts: AbortScope

    /// "safety limit checks.x.safety.abortWhen.percentOver=50 crossed: 12 of 16 examined objects flagged (75%)".
    public var summary: String {
        let figures = limit.hasSuffix("percentOver")
            ? "\(flagged) of \(examined) examined objects flagged (\(Self.percent(Double(flagged) * 100 / Double(max(1, examined))))%)"
            : "\(findings) would-be action\(findings == 1 ? "" : "s")"
        return "safety limit \(limit)=\(Self.percent(value)) crossed: \(figures)"
    }

    /// The RESULT detail of every action it stops.
    public func detail(dryRun: Bool) -> String {
        let what = aborts == .run ? "nothing is applied in this run" : "nothing of check \(check ?? "") is applied"
        return dryRun ? "\(summary); a real run would abort here (\(what))" : "\(summary); \(what)"
    }

    static func percent(_ p: Double) -> String {
        p.rounded() == p ? String(Int(p)) : String((p * 10).rounded() / 10)
    }
}

extension AbortScope: Codable {}
