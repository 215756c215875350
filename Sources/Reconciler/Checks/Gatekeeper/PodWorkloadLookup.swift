/// Placeholder until the shared owner chain lands: Pod -> ReplicaSet -> Deployment, or a
/// StatefulSet/DaemonSet directly.
struct PodWorkloadLookup {
    let replicaSets: [String: ObjectRecord]
    let workloads: [String: WorkloadRecord]

    init(_ snapshot: Snapshot) {
        replicaSets = Dictionary(snapshot.objects(GroupKind("apps", "ReplicaSet")).map { ($0.meta.uid, $0) }, uniquingKeysWith: { a, _ in a })
        workloads = Dictionary(snapshot.workloads.map { ($0.meta.uid, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The workload whose template makes this pod, or why there is none.
    func workload(of pod: PodRecord) -> Result<WorkloadRecord, MutatorProblem> {
        guard let ref = pod.meta.ownerReferences.first(where: { $0.controller == true }) else { return .failure(MutatorProblem("a bare pod")) }
        var uid = ref.uid
        if ref.kind == "ReplicaSet" {
            guard let rs = replicaSets[ref.uid], let up = rs.meta.ownerReferences.first(where: { $0.controller == true }), up.kind == "Deployment" else {
                return .failure(MutatorProblem("ReplicaSet \(ref.name) has no Deployment"))
            }
            uid = up.uid
        }
        guard let w = workloads[uid] else { return .failure(MutatorProblem("controlled by \(ref.kind) \(ref.name), not a Deployment/StatefulSet/DaemonSet")) }
        return .success(w)
    }
}
