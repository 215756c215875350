import Foundation
import KubeClient

/// The write `kubectl rollout restart` makes (kubectl pkg/polymorphichelpers/
/// objectrestarter.go): set the pod template annotation
/// `kubectl.kubernetes.io/restartedAt` to an RFC 3339 time, sent as a strategic-merge
/// patch; the workload's controller then replaces its pods at its own pace
/// (maxUnavailable/maxSurge). kubectl refuses paused Deployments; so does kreconcile.
///
/// kubectl sends no precondition. kreconcile adds `metadata.resourceVersion` to the patch
/// body: the API server applies the patch and then updates with the resourceVersion the
/// patched object carries, so a workload changed since the snapshot answers 409 Conflict
/// (apiserver pkg/endpoints/handlers/patch.go: the patched object goes through the
/// optimistic-concurrency update) and the restart is skipped, never applied blind.
public enum RolloutRestart {
    public static let annotation = "kubectl.kubernetes.io/restartedAt"

    /// Workload kinds a rollout restart applies to, with their resource.
    public static func resource(forKind kind: String) -> ResourceDescriptor? {
        switch kind {
        case "Deployment": return .deployments
        case "StatefulSet": return .statefulSets
        case "DaemonSet": return .daemonSets
        default: return nil
        }
    }

    /// RFC 3339 in UTC, whole seconds, as Go's `time.RFC3339` prints it.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// The patch body: kubectl's two-way strategic merge of the annotation, plus the
    /// resourceVersion precondition.
    public static func patch(resourceVersion: String, at date: Date) -> JSONValue {
        [
            "metadata": ["resourceVersion": .string(resourceVersion)],
            "spec": ["template": ["metadata": ["annotations": [annotation: .string(timestamp(date))]]]],
        ]
    }

    /// nil for a kind kreconcile does not restart.
    public static func request(for workload: WorkloadRecord, at date: Date) -> KubeRequest? {
        guard let resource = resource(forKind: workload.kind) else { return nil }
        return KubeRequest.patch(resource, namespace: workload.meta.namespace, name: workload.meta.name,
                                 patch: .strategicMerge(patch(resourceVersion: workload.meta.resourceVersion, at: date)))
    }
}
