import KubeClient

/// `apparmor-unprotected-pods` (DESIGN.md problem 3): pods created before KubeArmor was
/// installed run without its AppArmor profile, and a profile cannot be added to an
/// existing pod (annotation and field are immutable): the pod must be recreated.
/// KubeArmor's own refresher recreates them all at once; this check hands them to
/// `PodRecreation`, which restarts their workloads (or evicts) in bounded, PDB-respecting,
/// health-gated batches, and reports bare and Job pods instead of deleting them.
public struct AppArmorUnprotectedPodsCheck: Check {
    public init() {}

    public let name = "apparmor-unprotected-pods"
    public let summary = "recreates pods that lack KubeArmor's AppArmor profile through their workload (rollout restart) or the Eviction API"

    public enum ProfileRequirement: String, Sendable, CaseIterable {
        /// Only KubeArmor's `localhost/kubearmor-…` profile counts.
        case kubearmor
        /// Any profile counts.
        case any
    }

    public var optionsDoc: [CheckOptionDoc] {
        [
            CheckOptionDoc(name: "profileRequirement", type: .string, defaultValue: .string(ProfileRequirement.any.rawValue),
                           doc: "Which profile protects a container: any (any AppArmor profile) or kubearmor (only KubeArmor's localhost/kubearmor-... profile; other profiles are reported, not restarted: KubeArmor keeps an existing profile)."),
            CheckOptionDoc(name: "evictJobPods", type: .bool, defaultValue: false,
                           doc: "Evict unprotected pods of Jobs (their work so far is lost); default: report them."),
        ]
    }

    public var inputs: [SnapshotInput] {
        [.builtIn(.pods, shape: .pod), .builtIn(.nodes), .builtIn(KubeArmorEnforcement.mutatingWebhookConfigurations)]
            + PodRecreation.inputs
    }

    public func validateOptions(_ options: [String: JSONValue]) -> OptionProblem? {
        if let value = options["profileRequirement"], ProfileRequirement(rawValue: value.stringValue ?? "") == nil {
            let allowed = ProfileRequirement.allCases.map(\.rawValue).joined(separator: " or ")
            return OptionProblem(field: "profileRequirement", problem: "must be \(allowed), got \(value.jsonString())")
        }
        return nil
    }

    public func evaluate(_ snapshot: Snapshot, _ settings: Settings) -> CheckReport {
        let options = settings.checks.options[name] ?? [:]
        let requirement = ProfileRequirement(rawValue: options["profileRequirement"]?.stringValue ?? "") ?? .any
        let recreateOptions = RecreateOptions(evictJobPods: options["evictJobPods"]?.boolValue ?? false)

        let enforcement = KubeArmorEnforcement(snapshot: snapshot)
        guard !enforcement.enforcingNodes.isEmpty else {
            return .notApplicable(name, "no node enforces AppArmor through KubeArmor (\(enforcement.labelledNodes) labelled \(KubeArmorEnforcement.enforcerLabel)=apparmor, none of them running a Running kubearmor-app=kubearmor pod)")
        }
        let exclusions = Exclusions(settings: settings, snapshot: snapshot)
        var candidates: [RecreateCandidate] = []
        var findings: [Finding] = []
        var examined = 0
        for pod in snapshot.pods {
            if Self.inScope(pod, enforcingNodes: enforcement.enforcingNodes), exclusions.reason(for: pod.ref) == nil { examined += 1 }
            guard let verdict = Self.verdict(pod, requirement: requirement, enforcingNodes: enforcement.enforcingNodes),
                  exclusions.reason(for: pod.ref) == nil else { continue }
            switch verdict {
            case .recreate(let problem): candidates.append(RecreateCandidate(pod: pod, problem: problem))
            case .reportOnly(let problem): findings.append(Finding(check: name, object: pod.ref, reason: problem, action: nil))
            }
        }
        let recreation = PodRecreation(check: name, snapshot: snapshot, settings: settings, options: recreateOptions,
                                       blocked: enforcement.webhookNotReady)
        return CheckReport(check: name, findings: findings + recreation.findings(candidates), examined: examined, flagged: candidates.count)
    }

    /// Within KubeArmor's reach (see `verdict`): the pods this check examines.
    static func inScope(_ pod: PodRecord, enforcingNodes: Set<String>) -> Bool {
        guard let node = pod.nodeName, enforcingNodes.contains(node) else { return false }
        return pod.meta.namespace != "kube-system" && !pod.meta.isDeleting && pod.phase != "Succeeded" && pod.phase != "Failed"
            && !PodKeptKeys.skipLabels.contains(where: { pod.meta.labels[$0] != nil })
    }

    enum Verdict: Equatable {
        /// Recreating the pod gives its containers KubeArmor's profile.
        case recreate(String)
        /// A container has a profile other than KubeArmor's (requirement kubearmor):
        /// KubeArmor keeps an existing profile, so recreating would change nothing.
        case reportOnly(String)
    }

    /// nil when the pod is fine or out of KubeArmor's reach: not on an enforcing node, in
    /// kube-system, labelled `kubearmor-app` or `io.cilium/app` (KubeArmor skips those),
    /// finished, or being deleted. Only `spec.containers` are judged: KubeArmor's webhook
    /// annotates only those, so an init or ephemeral container without a profile is
    /// something a restart would not change.
    static func verdict(_ pod: PodRecord, requirement: ProfileRequirement, enforcingNodes: Set<String>) -> Verdict? {
        guard inScope(pod, enforcingNodes: enforcingNodes), let node = pod.nodeName else { return nil }
        var missing: [String] = [], foreign: [String] = []
        for container in pod.containers {
            guard let profile = AppArmorProfiles.profile(of: container, .container, in: pod) else { missing.append(container.name); continue }
            if profile == AppArmorProfiles.unconfined { continue }  // a deliberate choice
            if requirement == .kubearmor, !profile.hasPrefix(AppArmorProfiles.kubeArmorProfilePrefix) {
                foreign.append("\(container.name) runs \(profile)")
            }
        }
        if !missing.isEmpty {
            let noun = missing.count == 1 ? "container \(missing[0]) has" : "containers \(missing.joined(separator: ", ")) have"
            return .recreate("\(noun) no AppArmor profile on node \(node), where KubeArmor enforces AppArmor")
        }
        if !foreign.isEmpty {
            return .reportOnly("not KubeArmor's AppArmor profile: \(foreign.joined(separator: ", ")) (requirement kubearmor); KubeArmor keeps an existing profile, so recreating the pod would not change it")
        }
        return nil
    }
}
