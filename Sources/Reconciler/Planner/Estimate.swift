/// How many runs the findings this shard can act on need at the current budgets, and how
/// long at the schedule interval: the number an operator wants before enabling it.
public struct Estimate: Sendable, Codable, Equatable {
    /// Actionable findings of this shard (planned now + deferred), excluded objects not counted.
    public var remainingFindings: Int
    /// Runs to apply all of them, this one included (0 when nothing is left).
    public var runsNeeded: Int
    /// Seconds until the last of those runs starts: (runsNeeded - 1) x interval; nil when blocked.
    public var timeNeededSeconds: Int?
    /// Set when some findings can never be applied at these budgets, e.g. "maxChanges is 0".
    public var blockedBy: String?

    public init(remainingFindings: Int, runsNeeded: Int, timeNeededSeconds: Int?, blockedBy: String? = nil) {
        self.remainingFindings = remainingFindings
        self.runsNeeded = runsNeeded
        self.timeNeededSeconds = timeNeededSeconds
        self.blockedBy = blockedBy
    }

    /// Replays the budgets run after run over the plan's actions, assuming every write
    /// succeeds and workloads settle between runs (the health gate open at each start).
    public static func compute(plan: Plan, settings: Settings, intervalSeconds: Int) -> Estimate {
        var remaining: [Action] = plan.entries.compactMap { entry in
            if case .deferred(.otherShard) = entry.decision { return nil }
            return entry.finding.action
        }
        let total = remaining.count
        var runs = 0
        while !remaining.isEmpty {
            var packer = BudgetPacker(budgets: settings.budgets, unhealthyAtStart: 0)
            var next: [Action] = []
            for action in remaining where packer.offer(action) != nil { next.append(action) }
            if next.count == remaining.count {
                let reason = packer.offer(remaining[0]).map(\.description) ?? "budgets"
                return Estimate(remainingFindings: total, runsNeeded: runs, timeNeededSeconds: nil, blockedBy: reason)
            }
            runs += 1
            remaining = next
        }
        return Estimate(remainingFindings: total, runsNeeded: runs, timeNeededSeconds: max(0, runs - 1) * intervalSeconds)
    }
}
