import KubeClient

/// Who recreates a pod if it goes away, following controller references the way the
/// workload controllers set them: Pod -> ReplicaSet -> Deployment, Pod -> StatefulSet,
/// Pod -> DaemonSet, Pod -> Job (-> CronJob). Only `controller: true` references count.
public enum PodOwner: Sendable, Equatable {
    /// A Deployment, StatefulSet or DaemonSet: a rollout restart replaces its pods.
    case workload(WorkloadRecord)
    /// A ReplicaSet without a Deployment, or a controller kind kreconcile cannot restart
    /// (an Argo Rollout's ReplicaSet, a custom controller): the controller recreates an
    /// evicted pod. `owner` names it for the report.
    case evictable(owner: String)
    /// A Job's pod: recreating it loses the work done so far.
    case job(name: String)
    /// No controller: nothing would recreate it.
    case bare
    /// The controller the reference names is not in the snapshot (being deleted, or not
    /// listed): nothing is known about what would recreate the pod.
    case unresolved(String)
}

/// Resolves owners from one snapshot: ReplicaSets and workloads indexed by uid once (to
/// their place in the snapshot's arrays: a copy of each record per entry cost megabytes
/// at 150,000 pods).
public struct PodOwnerIndex: Sendable {
    private let replicaSets: UIDIndex<ObjectRecord>
    private let workloads: UIDIndex<WorkloadRecord>

    public static let replicaSetKind = GroupKind("apps", "ReplicaSet")
    /// The kinds the index reads, for a check's `inputs`.
    public static let inputs: [SnapshotInput] = [
        .builtIn(.deployments, shape: .workload), .builtIn(.statefulSets, shape: .workload),
        .builtIn(.daemonSets, shape: .workload), .builtIn(.replicaSets),
    ]

    public init(snapshot: Snapshot) {
        replicaSets = UIDIndex(snapshot.objects(Self.replicaSetKind))
        workloads = UIDIndex(snapshot.workloads)
    }

    public func owner(of pod: PodRecord) -> PodOwner {
        guard let ref = pod.controller else { return .bare }
        let group = GroupKind(apiVersion: ref.apiVersion, kind: ref.kind).group
        switch (group, ref.kind) {
        case ("apps", "ReplicaSet"):
            guard let rs = replicaSets[ref.uid] else { return .unresolved("ReplicaSet \(ref.name) is not in the snapshot") }
            guard let up = rs.meta.ownerReferences.first(where: { $0.controller == true }) else {
                return .evictable(owner: "ReplicaSet \(rs.meta.name) (no Deployment)")
            }
            if GroupKind(apiVersion: up.apiVersion, kind: up.kind) == .deployment {
                guard let d = workloads[up.uid] else { return .unresolved("Deployment \(up.name) of ReplicaSet \(rs.meta.name) is not in the snapshot") }
                return .workload(d)
            }
            return .evictable(owner: "ReplicaSet \(rs.meta.name) (controlled by \(up.kind) \(up.name))")
        case ("apps", "StatefulSet"), ("apps", "DaemonSet"):
            guard let w = workloads[ref.uid] else { return .unresolved("\(ref.kind) \(ref.name) is not in the snapshot") }
            return .workload(w)
        case ("batch", "Job"):
            return .job(name: ref.name)
        default:
            return .evictable(owner: "\(ref.kind) \(ref.name)")
        }
    }

    /// The uid of the workload a rollout restart of this pod's owner would restart, if any
    /// (for counting every pod of a workload per node).
    public func workloadUID(of pod: PodRecord) -> String? {
        if case .workload(let w) = owner(of: pod) { return w.meta.uid }
        return nil
    }
}

/// Records by uid: the records and, per uid, where the first with it is.
struct UIDIndex<Record: SnapshotRecord>: Sendable {
    private let records: [Record]
    private let positions: [String: Int]

    init(_ records: [Record]) {
        self.records = records
        var positions: [String: Int] = [:]
        positions.reserveCapacity(records.count)
        for (i, r) in records.enumerated() where positions[r.meta.uid] == nil { positions[r.meta.uid] = i }
        self.positions = positions
    }

    subscript(uid: String) -> Record? { positions[uid].map { records[$0] } }
}
