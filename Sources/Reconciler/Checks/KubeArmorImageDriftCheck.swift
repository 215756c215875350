import KubeClient

/// `kubearmor-image-drift` (DESIGN.md problem 2): the operator stores a new image in memory
/// before it writes the DaemonSet and never retries a failed write, so a workload can keep
/// the old image. Desired image per component: operator env `RELATED_IMAGE_*` > the
/// KubeArmorConfig's `spec.<block>.image` > the default (FACTS.md), compared with the live
/// container; the fix patches the container image, testing resourceVersion and old image.
public struct KubeArmorImageDriftCheck: Check {
    public init() {}

    public let name = "kubearmor-image-drift"
    public let summary = "patches KubeArmor DaemonSets/Deployments still running an image other than the desired one"
    public var optionsDoc: [CheckOptionDoc] { [] }

    public var inputs: [SnapshotInput] {
        [.builtIn(.deployments, shape: .workload), .builtIn(.daemonSets, shape: .workload), KubeArmorOperator.configInput]
    }

    /// One image the operator manages (FACTS.md "Image blocks").
    struct Component {
        var env: String
        var specBlock: String
        var defaultImage: String
        var workloadKind: GroupKind
        /// nil: every DaemonSet labelled kubearmor-app=kubearmor (one per node configuration).
        var workloadName: String?
        var container: String
        var isInit: Bool
    }

    static let components: [Component] = [
        Component(env: "RELATED_IMAGE_KUBEARMOR", specBlock: "kubearmorImage", defaultImage: "kubearmor/kubearmor:stable",
                  workloadKind: .daemonSet, workloadName: nil, container: "kubearmor", isInit: false),
        Component(env: "RELATED_IMAGE_KUBEARMOR_INIT", specBlock: "kubearmorInitImage", defaultImage: "kubearmor/kubearmor-init:stable",
                  workloadKind: .daemonSet, workloadName: nil, container: "init", isInit: true),
        Component(env: "RELATED_IMAGE_KUBEARMOR_RELAY_SERVER", specBlock: "kubearmorRelayImage", defaultImage: "kubearmor/kubearmor-relay-server:latest",
                  workloadKind: .deployment, workloadName: "kubearmor-relay", container: "kubearmor-relay-server", isInit: false),
        Component(env: "RELATED_IMAGE_KUBEARMOR_CONTROLLER", specBlock: "kubearmorControllerImage", defaultImage: "kubearmor/kubearmor-controller:latest",
                  workloadKind: .deployment, workloadName: "kubearmor-controller", container: "manager", isInit: false),
    ]

    public func evaluate(_ snapshot: Snapshot, _ settings: Settings) -> CheckReport {
        let operators = KubeArmorOperator.deployments(in: snapshot)
        guard let op = operators.first else {
            return .notApplicable(name, "no KubeArmor operator Deployment (label kubearmor-app=kubearmor-operator or name kubearmor-operator)")
        }
        guard operators.count == 1 else { return CheckReport(check: name, findings: KubeArmorOperator.ambiguous(name, operators)) }
        // A pre-delete teardown deletes the operator and its config: no rollout then.
        if op.meta.isDeleting {
            return .notApplicable(name, "the KubeArmor operator Deployment \(op.ref) is being deleted; no image is patched during a teardown")
        }
        if let why = snapshot.unavailableReason(KubeArmorOperator.configKind) {
            return .notApplicable(name, "KubeArmorConfig is not available: \(why)")
        }
        // The operator watches KubeArmorConfigs in its own namespace only, deploys nothing
        // until one exists, and with several keeps whichever it saw first in phase Running
        // and marks the others Error (KubeArmor pkg/KubeArmorOperator/internal/controller/
        // cluster.go, WatchConfigCrd): from a snapshot that choice is not knowable, so
        // neither case is acted on.
        let configs = snapshot.objects(KubeArmorOperator.configKind).filter { $0.meta.namespace == op.meta.namespace }
        let namespace = op.meta.namespace ?? ""
        if configs.isEmpty {
            return CheckReport(check: name, findings: [Finding(
                check: name, object: op.ref,
                reason: "no KubeArmorConfig in namespace \(namespace): the operator deploys nothing without one; images not compared",
                action: nil)])
        }
        if configs.count > 1 {
            let names = configs.map(\.meta.name).joined(separator: ", ")
            return CheckReport(check: name, findings: configs.map {
                Finding(check: name, object: $0.ref,
                        reason: "\(configs.count) KubeArmorConfigs in namespace \(namespace) (\(names)): desired images are ambiguous; nothing patched",
                        action: nil)
            })
        }
        let config = configs[0]
        if config.meta.isDeleting {
            return .notApplicable(name, "\(config.ref) is being deleted; no image is patched during a teardown")
        }

        // Desired image and where it came from, per component.
        var desired: [String: (image: String, source: String)] = [:]
        for c in Self.components {
            if let env = op.containers.lazy.compactMap({ $0.env[c.env] }).first, !env.isEmpty {
                desired[c.env] = (env, "env \(c.env) of \(op.ref)")
            } else if let image = config.spec?[c.specBlock]?["image"]?.stringValue, !image.isEmpty {
                desired[c.env] = (image, "\(config.ref) spec.\(c.specBlock).image")
            } else {
                desired[c.env] = (c.defaultImage, "KubeArmor default")
            }
        }

        // Each image patch rolls a KubeArmor workload out (a DaemonSet: on every node), so
        // one at a time: none while one of them is still rolling out, and at most one per
        // run (the planner keeps one action of the "kubearmor" rollout group).
        let managed = snapshot.workloads.filter { w in
            w.meta.namespace == op.meta.namespace && !w.meta.isDeleting && !Self.components(of: w).isEmpty
        }
        let rolling = managed.lazy.compactMap { w in HealthGate.unhealthyReason(w).map { "\(w.ref) is still rolling out (\($0))" } }.first
        let findings = managed.compactMap { drift($0, components: Self.components(of: $0), desired: desired, rolling: rolling) }
        return CheckReport(check: name, findings: findings, examined: managed.count)
    }

    /// The components a workload runs: the named Deployments, or every DaemonSet labelled
    /// kubearmor-app=kubearmor (one per node configuration).
    static func components(of workload: WorkloadRecord) -> [Component] {
        components.filter { c in
            workload.groupKind == c.workloadKind && (c.workloadName.map { $0 == workload.meta.name }
                ?? (workload.meta.labels[KubeArmorOperator.appLabel] == KubeArmorOperator.daemonSetLabelValue))
        }
    }

    /// One finding per workload (one action per object), covering every drifted container.
    private func drift(_ w: WorkloadRecord, components: [Component], desired: [String: (image: String, source: String)],
                       rolling: String?) -> Finding? {
        var ops: [JSONPatchOperation] = [.test("/metadata/resourceVersion", .string(w.meta.resourceVersion))]
        var lines: [String] = []
        var changed: [String] = []
        var unknown: [String] = []
        for c in components {
            let list = c.isInit ? w.initContainers : w.containers
            guard let want = desired[c.env], let i = list.firstIndex(where: { $0.name == c.container }) else { continue }
            let what = "\(c.isInit ? "init container" : "container") \(c.container)"
            switch ImageReference.compare(live: list[i].image, desired: want.image) {
            case .same:
                continue
            case .unknown(let why):
                unknown.append("\(what): \(why) (\(want.source))")
            case .different:
                let path = "/spec/template/spec/\(c.isInit ? "initContainers" : "containers")/\(i)/image"
                ops += [.test(path, .string(list[i].image)), .replace(path, .string(want.image))]
                changed.append("\(c.container) to \(want.image)")
                lines.append("\(what) runs \(list[i].image), desired \(want.image) (\(want.source))")
            }
        }
        guard !lines.isEmpty else {
            if unknown.isEmpty { return nil }
            return Finding(check: name, object: w.ref, reason: unknown.joined(separator: "; ") + "; not patched", action: nil)
        }
        let reason = (lines + unknown).joined(separator: "; ")
        // A rollout that has not been observed yet may already carry a fix (or another
        // change): patching on top of it would race the controller. Report; a later run acts.
        if let generation = w.meta.generation, (w.status.observedGeneration ?? 0) < generation {
            return Finding(check: name, object: w.ref,
                           reason: "\(reason); rollout in progress (observedGeneration \(w.status.observedGeneration ?? 0) < generation \(generation)), not patched this run",
                           action: nil)
        }
        if let rolling {
            return Finding(check: name, object: w.ref, reason: "\(reason); waiting: \(rolling), and KubeArmor workloads roll one at a time", action: nil)
        }
        // A paused Deployment would take the new template without rolling out; kubectl
        // refuses to restart one (rollout_restart.go). Left to whoever paused it.
        if w.paused {
            return Finding(check: name, object: w.ref, reason: "\(reason); the Deployment is paused (spec.paused), not patched", action: nil)
        }
        let resource: ResourceDescriptor = w.kind == "DaemonSet" ? .daemonSets : .deployments
        let request = KubeRequest.patch(resource, namespace: w.meta.namespace, name: w.meta.name, patch: .json(ops))
        return Finding(check: name, object: w.ref, reason: reason,
                       action: Action(actionClass: .imagePatch, target: w.ref, summary: "set image of " + changed.joined(separator: ", "),
                                      request: request, rolloutGroup: "kubearmor"))
    }
}
