import KubeClient

/// Resources of built-in kinds that checks and user rules may name by kind alone.
public enum KnownResources {
    public static let roles = ResourceDescriptor(group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", kind: "Role", namespaced: true)
    public static let roleBindings = ResourceDescriptor(group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings", kind: "RoleBinding", namespaced: true)
    public static let clusterRoles = ResourceDescriptor(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles", kind: "ClusterRole", namespaced: false)
    public static let clusterRoleBindings = ResourceDescriptor(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings", kind: "ClusterRoleBinding", namespaced: false)
    public static let jobs = ResourceDescriptor(group: "batch", version: "v1", plural: "jobs", kind: "Job", namespaced: true)
    public static let cronJobs = ResourceDescriptor(group: "batch", version: "v1", plural: "cronjobs", kind: "CronJob", namespaced: true)
    public static let ingresses = ResourceDescriptor(group: "networking.k8s.io", version: "v1", plural: "ingresses", kind: "Ingress", namespaced: true)
    public static let networkPolicies = ResourceDescriptor(group: "networking.k8s.io", version: "v1", plural: "networkpolicies", kind: "NetworkPolicy", namespaced: true)
    public static let persistentVolumeClaims = ResourceDescriptor(group: "", version: "v1", plural: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true)

    public static let all: [ResourceDescriptor] = [
        .configMaps, .secrets, .services, .serviceAccounts, .pods, .namespaces, .nodes, persistentVolumeClaims,
        .deployments, .replicaSets, .daemonSets, .statefulSets, jobs, cronJobs, .podDisruptionBudgets,
        roles, roleBindings, clusterRoles, clusterRoleBindings, ingresses, networkPolicies,
    ]

    private static let byGroupKind = Dictionary(uniqueKeysWithValues: all.map { (GroupKind($0.group, $0.kind), $0) })
    private static let byKind = Dictionary(all.map { ($0.kind, $0) }, uniquingKeysWith: { a, _ in a })

    public static func descriptor(_ kind: GroupKind) -> ResourceDescriptor? { byGroupKind[kind] }
    /// By kind alone ("ConfigMap"); nil for kinds not in the table.
    public static func descriptor(kind: String) -> ResourceDescriptor? { byKind[kind] }
}
