/// The order disruptive actions are offered to the budgets: oldest problem first, spread
/// over namespaces, so one big namespace cannot starve the others. Each namespace's
/// actions are sorted oldest first (`Action.since`, then the documented target order);
/// the batch then takes one action per namespace in turn, namespaces ordered by their
/// oldest action. Stable: the same findings always give the same order.
enum FairOrder {
    /// `sorted` is in the Planner's documented order; only its disruptive tail is reordered.
    static func spreadDisruptive(_ sorted: [Finding]) -> [Finding] {
        guard let first = sorted.firstIndex(where: { $0.action!.actionClass.isDisruptive }) else { return sorted }
        let head = sorted[..<first]
        var queues: [String: [Finding]] = [:]
        for finding in sorted[first...] { queues[finding.action!.target.namespace ?? "", default: []].append(finding) }
        // Within a namespace: oldest first; no `since` sorts last; ties keep the given order.
        func age(_ f: Finding) -> String { f.action!.since ?? "~" }
        for (ns, queue) in queues {
            queues[ns] = queue.enumerated().sorted { (age($0.element), $0.offset) < (age($1.element), $1.offset) }.map(\.element)
        }
        let namespaces = queues.keys.sorted { (age(queues[$0]![0]), $0) < (age(queues[$1]![0]), $1) }
        var spread: [Finding] = []
        var round = 0
        while spread.count < sorted.count - first {
            for ns in namespaces where round < queues[ns]!.count { spread.append(queues[ns]![round]) }
            round += 1
        }
        return Array(head) + spread
    }
}
