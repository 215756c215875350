import KubeClient

/// `gatekeeper-mutation-drift` (DESIGN.md problem 5): Gatekeeper mutates only at admission,
/// and its webhook defaults to failurePolicy Ignore with a 1 s timeout, so a pod created
/// while it was slow or down runs unmutated for good. For every pod, the check evaluates
/// the mutators that apply to it (applyTo, match) and whether the pod already carries
/// their result (location, value, pathTests, ModifySet values, AssignMetadata keys), by
/// applying them the way Gatekeeper does and comparing. Fix modes: `restart` recreates the
/// pod through its workload while the webhook is up; `template` writes the result into the
/// workload's pod template, so no outage can lose it again.
public struct MutationDriftCheck: Check {
    public init() {}

    public let name = "gatekeeper-mutation-drift"
    public let summary = "finds pods that missed a Gatekeeper mutation; restarts them through their workload, or writes the mutation into the pod template"

    public enum Fix: String, Sendable, CaseIterable { case restart, template }

    public var optionsDoc: [CheckOptionDoc] {
        [
            CheckOptionDoc(name: "fix", type: .string, defaultValue: "restart",
                           doc: "restart: recreate unmutated pods through their workload, only while Gatekeeper's mutating webhook is available. template: write the mutation into the workload's pod template (Deployment/StatefulSet/DaemonSet), which then rolls; GitOps tools will see that as drift from Git."),
            CheckOptionDoc(name: "reportAtRisk", type: .bool, defaultValue: true,
                           doc: "Report mutators that target only Pods: pods created during a webhook outage miss them, and the workloads' templates never carry them."),
        ]
    }

    static let webhookKind = GroupKind(GatekeeperAPI.admissionGroup, "MutatingWebhookConfiguration")

    public var inputs: [SnapshotInput] {
        GatekeeperAPI.mutatorInputs + [
            .builtIn(.pods, shape: .pod),
            SnapshotInput(.discovered(group: GatekeeperAPI.admissionGroup, versions: ["v1"], plural: "mutatingwebhookconfigurations", kind: Self.webhookKind.kind),
                          optional: true, shape: .object(keepSpec: false)),
        ] + PodRecreation.inputs
    }

    public func validateOptions(_ options: [String: JSONValue]) -> OptionProblem? {
        if let fix = options["fix"]?.stringValue, Fix(rawValue: fix) == nil {
            return OptionProblem(field: "fix", problem: "\"\(fix)\" is not restart or template")
        }
        return nil
    }

    func fix(_ settings: Settings) -> Fix {
        settings.checks.option("fix", of: name)?.stringValue.flatMap(Fix.init(rawValue:)) ?? .restart
    }

    static let mutatorKinds = Mutator.kinds.map { GroupKind(GatekeeperAPI.mutationsGroup, $0) }

    /// Valid mutators in Gatekeeper's order (kind, then name), and findings for the others.
    func mutators(_ snapshot: Snapshot) -> (valid: [Mutator], problems: [Finding]) {
        var valid: [Mutator] = [], problems: [Finding] = []
        for kind in Self.mutatorKinds where snapshot.unavailableReason(kind) == nil {
            for object in snapshot.objects(kind) where !object.meta.isDeleting {
                do { valid.append(try Mutator(object)) } catch {
                    problems.append(Finding(check: name, object: object.ref, reason: "\(error); pods are not evaluated against it", action: nil))
                }
            }
        }
        return (valid.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }, problems)
    }

    /// Pods keep their spec only in namespaces some mutator can reach.
    /// Where Gatekeeper's webhook lists the mutations it applied to a pod.
    static let mutationsAnnotation = "gatekeeper.sh/mutations"

    public func specRetention(_ objects: Snapshot, _ settings: Settings) -> SpecRetention? {
        let valid = mutators(objects).valid
        guard !valid.isEmpty else { return nil }
        let namespaces = objects.objects(.namespace).map(\.meta).filter { ns in
            valid.contains { $0.match.couldMatchPods(inNamespace: ns.name, labels: ns.labels) }
        }.map(\.name)
        // Pods keep only what the locations under `spec` reach, the labels the selectors
        // read, the label or annotation an AssignMetadata sets, and the annotation the
        // webhook records its mutations in.
        let specPaths = valid.compactMap { m -> LocationPath? in
            guard m.location.nodes.first == .field("spec") else { return nil }
            return LocationPath(Array(m.location.nodes.dropFirst()))
        }
        var labelKeys = Set(valid.flatMap { LabelSelectorMatch.keys(of: $0.match.labelSelector) })
        var annotationKeys: Set<String> = [Self.mutationsAnnotation]
        for m in valid {
            guard m.location.nodes.count == 3, m.location.nodes[0] == .field("metadata"), case .field(let key) = m.location.nodes[2] else { continue }
            if m.location.nodes[1] == .field("labels") { labelKeys.insert(key) }
            if m.location.nodes[1] == .field("annotations") { annotationKeys.insert(key) }
        }
        return SpecRetention(namespaces: Set(namespaces), templates: fix(settings) == .template,
                             podSpec: SpecProjection(keeping: specPaths), labelKeys: labelKeys, annotationKeys: annotationKeys)
    }

    public func evaluate(_ snapshot: Snapshot, _ settings: Settings) -> CheckReport {
        guard Self.mutatorKinds.contains(where: { snapshot.unavailableReason($0) == nil }) else {
            return .notApplicable(name, "Gatekeeper mutation is not installed (mutations.gatekeeper.sh Assign, AssignMetadata, ModifySet, AssignImage are not served)")
        }
        let (mutators, problems) = mutators(snapshot)
        var findings = problems
        if settings.checks.option("reportAtRisk", of: name)?.boolValue ?? true {
            findings += mutators.filter(\.match.targetsOnlyPods).map(atRisk)
        }
        let (drifts, examined) = MutationEvaluator(mutators: mutators, snapshot: snapshot).evaluate()
        switch fix(settings) {
        case .template: findings += TemplateFix(check: name, snapshot: snapshot).findings(drifts)
        case .restart: findings += restartFindings(drifts, snapshot, settings)
        }
        return CheckReport(check: name, findings: findings, examined: examined, flagged: drifts.count)
    }

    private func atRisk(_ m: Mutator) -> Finding {
        let instead = m.kind == "AssignMetadata"
            ? "an Assign on spec.template.metadata.\(m.location.nodes.count > 1 ? "\(m.location.nodes[1])" : "labels") of Deployment, StatefulSet, DaemonSet, ReplicaSet, Job (and spec.jobTemplate.spec.template.metadata of CronJob) would carry it"
            : "it could target Deployment, StatefulSet, DaemonSet, ReplicaSet, Job at spec.template.\(m.location) (CronJob at spec.jobTemplate.spec.template.\(m.location)) instead"
        return Finding(check: name, object: m.object.ref,
                       reason: "at risk: targets only Pods, so pods created during a webhook outage (failurePolicy Ignore, 1 s timeout) miss it for good; \(instead)",
                       action: nil)
    }

    /// Restart mode: recreate through the workload (the shared `PodRecreation`: rollout
    /// restart, eviction, budgets, PDBs, health gate) while the webhook can mutate the new
    /// pods. A pod created after its workload's last rollout restart that still misses the
    /// mutation shows the webhook did not mutate it: restarting again would loop, so it is
    /// reported.
    private func restartFindings(_ drifts: [PodDrift], _ snapshot: Snapshot, _ settings: Settings) -> [Finding] {
        let owners = PodOwnerIndex(snapshot: snapshot)
        var candidates: [RecreateCandidate] = [], findings: [Finding] = []
        for d in drifts {
            if case .workload(let w) = owners.owner(of: d.pod), let restarted = w.templateAnnotations[RolloutRestart.annotation],
               let created = d.pod.created, created >= restarted {
                findings.append(Finding(check: name, object: d.pod.ref,
                    reason: "\(d.summary); created at \(created), after \(w.ref)'s restart at \(restarted), and still unmutated: the webhook did not mutate it (namespace ignored by the webhook? mutator added since?); not restarted again",
                    action: nil))
            } else {
                candidates.append(RecreateCandidate(pod: d.pod, problem: d.summary))
            }
        }
        let blocked = GatekeeperWebhook.unavailable(snapshot).map {
            "Gatekeeper's mutating webhook is not available (\($0)), so a recreated pod would miss the mutation again"
        }
        return findings + PodRecreation(check: name, snapshot: snapshot, settings: settings, options: RecreateOptions(), blocked: blocked)
            .findings(candidates)
    }
}

/// Whether Gatekeeper's mutating webhook can mutate a pod created now.
enum GatekeeperWebhook {
    /// nil when available; else why not.
    static func unavailable(_ snapshot: Snapshot) -> String? {
        let configs = snapshot.objects(MutationDriftCheck.webhookKind).filter {
            $0.meta.name == "gatekeeper-mutating-webhook-configuration" || $0.meta.labels["gatekeeper.sh/system"] == "yes"
        }
        if snapshot.unavailableReason(MutationDriftCheck.webhookKind) == nil, configs.isEmpty {
            return "no Gatekeeper MutatingWebhookConfiguration"
        }
        let webhooks = GatekeeperAPI.deployments(in: snapshot).filter {
            $0.meta.labels["gatekeeper.sh/operation"] == "webhook" || $0.meta.name == "gatekeeper-controller-manager"
        }
        guard !webhooks.isEmpty else { return "no Gatekeeper webhook Deployment" }
        guard webhooks.contains(where: { ($0.status.availableReplicas ?? 0) > 0 }) else {
            return webhooks.map { "\($0.ref) has no available replicas" }.joined(separator: ", ")
        }
        return nil
    }
}
