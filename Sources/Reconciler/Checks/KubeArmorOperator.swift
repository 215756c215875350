import KubeClient

/// Names of the KubeArmor operator install (FACTS.md "KubeArmor operator"), shared by the
/// checks that read it.
enum KubeArmorOperator {
    static let name = "kubearmor-operator"
    static let appLabel = "kubearmor-app"
    static let operatorLabelValue = "kubearmor-operator"
    static let daemonSetLabelValue = "kubearmor"

    static let configKind = GroupKind("operator.kubearmor.com", "KubeArmorConfig")
    static let configInput = SnapshotInput(
        .discovered(group: "operator.kubearmor.com", versions: ["v1"], plural: "kubearmorconfigs", kind: "KubeArmorConfig"),
        optional: true, shape: .object(keepSpec: true))

    /// The operator Deployment(s): label `kubearmor-app=kubearmor-operator`, or the default name.
    static func deployments(in snapshot: Snapshot) -> [WorkloadRecord] {
        snapshot.workloads(.deployment).filter {
            $0.meta.labels[appLabel] == operatorLabelValue || $0.meta.name == name
        }
    }

    /// Finding for one of several operator Deployments: nothing is resolved then.
    static func ambiguous(_ check: String, _ operators: [WorkloadRecord]) -> [Finding] {
        let names = operators.map { $0.ref.description }.joined(separator: ", ")
        return operators.map {
            Finding(check: check, object: $0.ref,
                    reason: "\(operators.count) KubeArmor operator Deployments (\(names)): cannot tell which one owns the install; nothing changed",
                    action: nil)
        }
    }
}
