/// `maxPerNode` counts pods, not actions: a rollout restart disrupts every pod of the
/// workload, so each of its pods on a node counts there (`Action.disruptedNodes` lists a
/// node once per pod).
enum PerNodeCount {
    /// The first node (sorted) where this action's pods would pass the limit, or nil.
    /// A workload with more pods on one node than the limit still fits a node no other
    /// action of this run disrupts: otherwise it could never be fixed, and its own
    /// rollout strategy (maxUnavailable) paces its pods.
    static func overBudget(_ nodes: [String], planned: [String: Int], limit: Int) -> String? {
        var mine: [String: Int] = [:]
        for node in nodes { mine[node, default: 0] += 1 }
        return mine.keys.sorted().first { node in
            let already = planned[node, default: 0]
            if limit == 0 { return true }
            return already > 0 ? already + mine[node]! > limit : false
        }
    }
}
