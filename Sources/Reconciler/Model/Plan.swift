/// Why an action was not planned for this run; the next run picks it up.
public enum DeferReason: Sendable, Equatable, CustomStringConvertible {
    case maxChanges(Int)
    case maxPerNamespace(namespace: String, limit: Int)
    case maxPerNode(node: String, limit: Int)
    /// `unhealthy` workloads are rolling out or unavailable; actions that start a rollout wait.
    case healthGate(unhealthy: Int, limit: Int)
    /// Another rollout of the same group is planned in this run: one at a time.
    case oneRolloutAtATime(group: String)
    /// Another action of this run already touches the same object.
    case objectAlreadyPlanned
    /// The action's namespace belongs to another shard.
    case otherShard(index: Int)
    /// A PodDisruptionBudget (namespace/name) selecting the pods allows no disruption now.
    case disruptionBudget(String)
    /// Outside every maintenance window; `next`: when the next one opens (RFC 3339).
    case maintenanceWindow(next: String?)

    public var description: String {
        switch self {
        case .maxChanges(let n): return "budget maxChanges=\(n) reached"
        case .maxPerNamespace(let ns, let n): return "budget maxPerNamespace=\(n) reached in namespace \(ns)"
        case .maxPerNode(let node, let n): return "budget maxPerNode=\(n) reached on node \(node)"
        case .healthGate(let u, let n): return "health gate: \(u) workloads unhealthy (maxUnhealthyWorkloads=\(n))"
        case .oneRolloutAtATime(let g): return "one \(g) rollout at a time: another is planned in this run"
        case .objectAlreadyPlanned: return "another action of this run already changes this object"
        case .otherShard(let i): return "belongs to shard \(i)"
        case .disruptionBudget(let pdb): return "PodDisruptionBudget \(pdb) allows 0 disruptions now"
        case .maintenanceWindow(let next?): return "outside the maintenance windows; the next opens at \(next)"
        case .maintenanceWindow(nil): return "outside the maintenance windows, and none opens within 5 years"
        }
    }
}

/// One finding with what the planner decided about it.
public struct PlanEntry: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        /// Will be applied in this run, at position `order` (0-based) of the batch.
        case planned(order: Int)
        case deferred(DeferReason)
        /// The finding has no action (report only).
        case reportOnly
        /// A safety limit was crossed: nothing of this check (or run) is applied.
        case aborted(SafetyTrip)
    }
    public var finding: Finding
    public var decision: Decision

    public init(finding: Finding, decision: Decision) {
        self.finding = finding
        self.decision = decision
    }
}

/// The one bounded, ordered batch of a run, plus everything that did not fit. The same
/// snapshot and settings always give the same plan (entries sorted deterministically).
public struct Plan: Sendable, Equatable {
    public var entries: [PlanEntry]

    public init(entries: [PlanEntry]) { self.entries = entries }

    /// The actions to apply, in order.
    public var batch: [Finding] {
        entries.compactMap { e -> (Int, Finding)? in
            if case .planned(let order) = e.decision { return (order, e.finding) }
            return nil
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    public var deferred: [PlanEntry] {
        entries.filter { if case .deferred = $0.decision { return true }; return false }
    }
}
