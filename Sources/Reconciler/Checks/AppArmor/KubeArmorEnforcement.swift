import KubeClient

/// Where KubeArmor enforces AppArmor and whether it can protect new pods (FACTS.md
/// "AppArmor and the KubeArmor controller").
struct KubeArmorEnforcement {
    static let enforcerLabel = "kubearmor.io/enforcer"
    static let controllerName = "kubearmor-controller"
    static let controllerLabelValue = "kubearmor-controller"
    static let webhookConfiguration = "kubearmor-controller-mutating-webhook-configuration"
    static let nodeKind = GroupKind("", "Node")
    static let webhookKind = GroupKind("admissionregistration.k8s.io", "MutatingWebhookConfiguration")
    static let mutatingWebhookConfigurations = ResourceDescriptor(
        group: "admissionregistration.k8s.io", version: "v1", plural: "mutatingwebhookconfigurations",
        kind: "MutatingWebhookConfiguration", namespaced: false)

    /// Nodes labelled `kubearmor.io/enforcer=apparmor` that run a Running
    /// `kubearmor-app=kubearmor` pod.
    let enforcingNodes: Set<String>
    /// Labelled nodes without a running KubeArmor pod (reported in notApplicable text).
    let labelledNodes: Int
    /// nil when KubeArmor can protect new pods; else why not.
    let webhookNotReady: String?

    init(snapshot: Snapshot) {
        let labelled = Set(snapshot.objects(Self.nodeKind).filter { $0.meta.labels[Self.enforcerLabel] == "apparmor" }.map(\.meta.name))
        var running: Set<String> = []
        for pod in snapshot.pods where pod.meta.labels[KubeArmorOperator.appLabel] == KubeArmorOperator.daemonSetLabelValue
            && pod.phase == "Running" && !pod.meta.isDeleting {
            if let node = pod.nodeName { running.insert(node) }
        }
        enforcingNodes = labelled.intersection(running)
        labelledNodes = labelled.count

        let controllers = snapshot.workloads(.deployment).filter {
            $0.meta.name == Self.controllerName || $0.meta.labels[KubeArmorOperator.appLabel] == Self.controllerLabelValue
        }
        let webhook = snapshot.objects(Self.webhookKind).first { $0.meta.name == Self.webhookConfiguration }
        if controllers.isEmpty {
            webhookNotReady = "KubeArmor webhook not ready: no Deployment \(Self.controllerName)"
        } else if !controllers.contains(where: { ($0.status.availableReplicas ?? 0) > 0 && !$0.meta.isDeleting }) {
            let d = controllers[0]
            webhookNotReady = "KubeArmor webhook not ready: \(d.ref) has \(d.status.availableReplicas ?? 0) available replicas"
        } else if webhook == nil || webhook!.meta.isDeleting {
            webhookNotReady = "KubeArmor webhook not ready: MutatingWebhookConfiguration \(Self.webhookConfiguration) does not exist"
        } else {
            webhookNotReady = nil
        }
    }
}
