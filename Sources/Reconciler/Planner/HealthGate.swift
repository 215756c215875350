/// Reads from the workloads' own status whether they are rolling out or unavailable
/// (no state kept between runs). Conditions as `kubectl rollout status` reads them:
/// kubectl/pkg/polymorphichelpers/rollout_status.go.
public enum HealthGate {
    /// Why the workload counts as unhealthy, or nil when it is settled and available.
    public static func unhealthyReason(_ w: WorkloadRecord) -> String? {
        let s = w.status
        if let g = w.meta.generation, (s.observedGeneration ?? 0) < g {
            return "observedGeneration \(s.observedGeneration ?? 0) < generation \(g)"
        }
        switch w.kind {
        case "Deployment":
            let want = w.replicas ?? 1
            if (s.updatedReplicas ?? 0) < want { return "updatedReplicas \(s.updatedReplicas ?? 0) < replicas \(want)" }
            if let total = s.replicas, total > (s.updatedReplicas ?? 0) {
                return "\(total - (s.updatedReplicas ?? 0)) old replicas pending termination"
            }
            if let u = s.unavailableReplicas, u > 0 { return "unavailableReplicas \(u)" }
            if (s.availableReplicas ?? 0) < want { return "availableReplicas \(s.availableReplicas ?? 0) < replicas \(want)" }
        case "DaemonSet":
            if let u = s.numberUnavailable, u > 0 { return "numberUnavailable \(u)" }
            let desired = s.desiredNumberScheduled ?? 0
            if (s.updatedNumberScheduled ?? 0) < desired { return "updatedNumberScheduled \(s.updatedNumberScheduled ?? 0) < desiredNumberScheduled \(desired)" }
            if let available = s.numberAvailable, available < desired { return "numberAvailable \(available) < desiredNumberScheduled \(desired)" }
        case "StatefulSet":
            let want = w.replicas ?? 1
            if (s.readyReplicas ?? 0) < want { return "readyReplicas \(s.readyReplicas ?? 0) < replicas \(want)" }
            if let update = s.updateRevision, let current = s.currentRevision, update != current {
                return "updateRevision \(update) != currentRevision \(current)"
            }
        default:
            break
        }
        return nil
    }

    /// The workloads that count against `maxUnhealthyWorkloads`. Workloads kreconcile may
    /// never touch are not counted: excluded namespaces, and objects or namespaces opted
    /// out (the one `Exclusions` rule), so a perpetually degraded add-on nobody lets us
    /// touch cannot block every run.
    public static func unhealthyWorkloads(_ snapshot: Snapshot, settings: Settings) -> [WorkloadRecord] {
        let exclusions = Exclusions(settings: settings, snapshot: snapshot)
        return snapshot.workloads.filter { w in exclusions.reason(for: w.ref) == nil && unhealthyReason(w) != nil }
    }
}
