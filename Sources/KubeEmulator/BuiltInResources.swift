/// The kinds a fresh emulator serves, one row each (group, version, kind, plural,
/// namespaced, short names, status subresource). Adding a kind is adding a row.
enum BuiltInResources {
    private typealias Row = (group: String, version: String, kind: String, plural: String, namespaced: Bool, short: [String], status: Bool)

    private static let rows: [Row] = [
        ("", "v1", "Namespace", "namespaces", false, ["ns"], true),
        ("", "v1", "Node", "nodes", false, ["no"], true),
        ("", "v1", "Pod", "pods", true, ["po"], true),
        ("", "v1", "ConfigMap", "configmaps", true, ["cm"], false),
        ("", "v1", "Secret", "secrets", true, [], false),
        ("", "v1", "Service", "services", true, ["svc"], true),
        ("", "v1", "ServiceAccount", "serviceaccounts", true, ["sa"], false),
        ("", "v1", "Event", "events", true, ["ev"], false),
        ("events.k8s.io", "v1", "Event", "events", true, ["ev"], false),
        ("apps", "v1", "Deployment", "deployments", true, ["deploy"], true),
        ("apps", "v1", "ReplicaSet", "replicasets", true, ["rs"], true),
        ("apps", "v1", "DaemonSet", "daemonsets", true, ["ds"], true),
        ("apps", "v1", "StatefulSet", "statefulsets", true, ["sts"], true),
        ("batch", "v1", "Job", "jobs", true, [], true),
        ("batch", "v1", "CronJob", "cronjobs", true, ["cj"], true),
        ("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, ["pdb"], true),
        ("coordination.k8s.io", "v1", "Lease", "leases", true, [], false),
        ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false, [], false),
        ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false, [], false),
        ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", false, [], true),
        ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", false, [], false),
        ("rbac.authorization.k8s.io", "v1", "Role", "roles", true, [], false),
        ("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, [], false),
        ("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, [], false),
        ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, [], false),
        ("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, ["crd", "crds"], true),
    ]

    static let all: [ResourceType] = rows.map {
        ResourceType(
            group: $0.group, version: $0.version, kind: $0.kind, plural: $0.plural, namespaced: $0.namespaced,
            builtIn: true, shortNames: $0.short, hasStatus: $0.status)
    }

    /// The built-ins with ValidatingAdmissionPolicy(Binding) served in the given versions
    /// (v1 since 1.30, v1beta1 1.28-1.31); both versions store the same objects.
    static func serving(admissionRegistrationVersions versions: [String]) -> [ResourceType] {
        all.flatMap { t -> [ResourceType] in
            guard t.group == "admissionregistration.k8s.io", t.kind.hasPrefix("ValidatingAdmissionPolicy") else { return [t] }
            return versions.map { v in var copy = t; copy.version = v; return copy }
        }
    }

    /// Namespaces every real cluster starts with.
    static let initialNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]
}
