/// Fills one run's batch under the budgets, in the order actions are offered. Shared by
/// the Planner (this run) and the Estimate (the runs after it), so both count the same way.
struct BudgetPacker {
    let budgets: Budgets
    /// Workloads already rolling out or unavailable when the run starts.
    let unhealthyAtStart: Int

    private(set) var planned = 0
    private var perNamespace: [String: Int] = [:]
    private var perNode: [String: Int] = [:]
    private var rollouts = 0
    private var groups: Set<String> = []
    private var claimed: Set<String> = []

    init(budgets: Budgets, unhealthyAtStart: Int) {
        self.budgets = budgets
        self.unhealthyAtStart = unhealthyAtStart
    }

    /// Takes the action into the batch, or says which budget stops it.
    mutating func offer(_ action: Action) -> DeferReason? {
        let key = Self.objectKey(action.target)
        if claimed.contains(key) { return .objectAlreadyPlanned }
        if planned >= budgets.maxChanges { return .maxChanges(budgets.maxChanges) }
        if let ns = action.target.namespace, perNamespace[ns, default: 0] >= budgets.maxPerNamespace {
            return .maxPerNamespace(namespace: ns, limit: budgets.maxPerNamespace)
        }
        if let group = action.rolloutGroup, groups.contains(group) { return .oneRolloutAtATime(group: group) }
        if action.actionClass.startsRollout {
            // Each rollout planned in this run (a restart, an image patch) counts against the
            // gate like a workload already rolling out.
            let unhealthy = unhealthyAtStart + rollouts
            if unhealthy >= budgets.maxUnhealthyWorkloads {
                return .healthGate(unhealthy: unhealthy, limit: budgets.maxUnhealthyWorkloads)
            }
        }
        if action.actionClass.isDisruptive {
            if let node = PerNodeCount.overBudget(action.disruptedNodes, planned: perNode, limit: budgets.maxPerNode) {
                return .maxPerNode(node: node, limit: budgets.maxPerNode)
            }
        }
        claimed.insert(key)
        planned += 1
        if let ns = action.target.namespace { perNamespace[ns, default: 0] += 1 }
        if let group = action.rolloutGroup { groups.insert(group) }
        if action.actionClass.startsRollout { rollouts += 1 }
        if action.actionClass.isDisruptive {
            for node in action.disruptedNodes { perNode[node, default: 0] += 1 }
        }
        return nil
    }

    /// One object is one uid; without a uid (a fixture), its kind/namespace/name.
    static func objectKey(_ ref: ObjectRef) -> String {
        ref.uid.isEmpty ? "\(ref.apiVersion)/\(ref.kind)/\(ref.namespace ?? "")/\(ref.name)" : ref.uid
    }
}
