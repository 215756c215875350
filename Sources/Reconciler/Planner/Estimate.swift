import Foundation

/// How many runs the findings this shard can act on need at the current budgets, and how
/// long at the schedule interval: the number an operator wants before enabling it.
public struct Estimate: Sendable, Codable, Equatable {
    /// Actionable findings of this shard (planned now + deferred), excluded objects not counted.
    public var remainingFindings: Int
    /// Runs to apply all of them, this one included (0 when nothing is left). With
    /// maintenance windows, the runs in between that may not act count too.
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

    /// The replay gives up after this many runs (a year of 5-minute runs).
    static let maxRuns = 366 * 288

    /// Replays the budgets run after run over the plan's actions, assuming every write
    /// succeeds and workloads settle between runs (the health gate open at each start).
    /// From `start` (the snapshot's time) the runs fall every `intervalSeconds`, and the
    /// actions the maintenance windows gate go only in runs that start inside a window.
    /// Actions a safety limit aborted are not counted as progress: the breaker blocks them.
    public static func compute(plan: Plan, settings: Settings, intervalSeconds: Int, start: Date? = nil) -> Estimate {
        var aborted: SafetyTrip?
        var remaining: [Action] = plan.entries.compactMap { entry in
            switch entry.decision {
            case .deferred(.otherShard): return nil
            case .aborted(let trip): aborted = aborted ?? trip; return nil
            default: return entry.finding.action
            }
        }
        let total = remaining.count + plan.entries.filter { if case .aborted = $0.decision { return true }; return false }.count
        let windows = start == nil ? MaintenanceSettings() : settings.maintenance
        var t = start ?? Date(timeIntervalSince1970: 0)
        var runs = 0
        while !remaining.isEmpty {
            let open = windows.isOpen(at: t)
            var packer = BudgetPacker(budgets: settings.budgets, unhealthyAtStart: 0)
            var next: [Action] = []
            for action in remaining {
                if !open, windows.gates(action.actionClass) { next.append(action); continue }
                if packer.offer(action) != nil { next.append(action) }
            }
            if next.count == remaining.count {
                // Nothing fits in this run. Outside a window: skip to the first run inside the next.
                if !open, let opening = windows.nextOpening(after: t), runs < maxRuns {
                    let skipped = max(1, Int((opening.start.timeIntervalSince(t) / Double(intervalSeconds)).rounded(.up)))
                    runs += skipped
                    t += Double(skipped * intervalSeconds)
                    continue
                }
                let reason = !open ? "no run every \(intervalSeconds)s starts inside a maintenance window"
                    : packer.offer(remaining[0]).map(\.description) ?? "budgets"
                return Estimate(remainingFindings: total, runsNeeded: runs, timeNeededSeconds: nil, blockedBy: aborted?.summary ?? reason)
            }
            runs += 1
            t += Double(intervalSeconds)
            remaining = next
        }
        if let aborted { return Estimate(remainingFindings: total, runsNeeded: runs, timeNeededSeconds: nil, blockedBy: aborted.summary) }
        return Estimate(remainingFindings: total, runsNeeded: runs, timeNeededSeconds: max(0, runs - 1) * intervalSeconds)
    }
}
