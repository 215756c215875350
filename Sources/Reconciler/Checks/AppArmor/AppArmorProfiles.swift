/// Which AppArmor profile a container of an existing pod runs with, by the API server's
/// rules (Kubernetes 1.30-1.34: pkg/apis/core/validation/validation.go
/// ValidateAppArmorPodAnnotations and validateAppArmorProfileField, pkg/registry/core/pod/
/// strategy.go applyAppArmorVersionSkew):
/// - the annotation `container.apparmor.security.beta.kubernetes.io/<name>` may name any
///   container, init container included, but only at create: it is immutable afterwards,
///   and it must name a container that exists then. Ephemeral containers are added later
///   (the ephemeralcontainers subresource), so no annotation can ever name one; only the
///   `securityContext.appArmorProfile` field can give an ephemeral container a profile;
/// - the field on the container wins over the pod-level field;
/// - on create the server syncs annotation and field and rejects a pod where they differ,
///   so either one giving a profile means the container has it (FACTS.md).
public enum AppArmorProfiles {
    public static let annotationPrefix = PodKeptKeys.appArmorAnnotationPrefix
    /// KubeArmor's own profiles: `localhost/kubearmor-<namespace>-<owner>-<container>`.
    public static let kubeArmorProfilePrefix = "localhost/kubearmor-"
    public static let unconfined = "unconfined"

    public enum ContainerKind: Sendable { case container, initContainer, ephemeral }

    /// The profile in annotation form (`runtime/default`, `localhost/x`, `unconfined`),
    /// or nil when neither the annotation nor a field gives one.
    public static func profile(of container: PodContainerRecord, _ kind: ContainerKind, in pod: PodRecord) -> String? {
        if kind != .ephemeral, let a = pod.meta.annotations[annotationPrefix + container.name], !a.isEmpty { return a }
        return (container.appArmorProfile ?? pod.appArmorProfile).flatMap(annotationForm)
    }

    /// `securityContext.appArmorProfile` as the annotation value it syncs to.
    public static func annotationForm(_ field: AppArmorProfileRecord) -> String? {
        switch field.type {
        case "RuntimeDefault": return "runtime/default"
        case "Unconfined": return unconfined
        case "Localhost": return field.localhostProfile.flatMap { $0.isEmpty ? nil : "localhost/" + $0 }
        default: return nil
        }
    }
}
