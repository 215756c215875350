import KubeClient

/// `fix: template`: writes the mutators' result into the owning workload's pod template
/// (JSON patch with a resourceVersion test), so the mutation becomes desired state no
/// webhook outage can lose; the workload then rolls its pods at its own pace. Reports
/// instead where the result cannot be expressed on a template.
struct TemplateFix {
    let check: String
    let snapshot: Snapshot

    func findings(_ drifts: [PodDrift]) -> [Finding] {
        let owners = PodOwnerIndex(snapshot: snapshot)
        var byWorkload: [String: (WorkloadRecord, [PodDrift])] = [:]
        var out: [Finding] = []
        for d in drifts {
            let why: String
            switch owners.owner(of: d.pod) {
            case .workload(let w):
                byWorkload[w.meta.uid, default: (w, [])].1.append(d)
                continue
            case .evictable(let owner): why = "controlled by \(owner)"
            case .job(let name): why = "a pod of Job \(name)"
            case .bare: why = "a bare pod"
            case .unresolved(let problem): why = problem
            }
            out.append(Finding(check: check, object: d.pod.ref, reason: "\(d.summary); \(why): no Deployment/StatefulSet/DaemonSet template to write it into", action: nil))
        }
        for (w, pods) in byWorkload.values.sorted(by: { $0.0.ref < $1.0.ref }) {
            out.append(finding(w, pods, owners))
        }
        return out
    }

    private func finding(_ w: WorkloadRecord, _ drifts: [PodDrift], _ owners: PodOwnerIndex) -> Finding {
        var seen: Set<String> = []
        let mutators = drifts.flatMap(\.missed).filter { seen.insert($0.label).inserted }.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
        let what = "\(drifts.count) pod(s) missed \(mutators.map(\.label).joined(separator: ", ")) (\(drifts.map(\.pod.meta.name).joined(separator: ", ")))"
        func report(_ why: String) -> Finding { Finding(check: check, object: w.ref, reason: "\(what); \(why)", action: nil) }

        if let m = mutators.first(where: { $0.value == .fromMetadata("name") }) {
            return report("\(m.label) assigns the pod's own name (fromMetadata), which differs per pod: not expressible on the template")
        }
        if let m = mutators.first(where: { $0.location.nodes.first != .field("spec") && $0.location.nodes.first != .field("metadata") }) {
            return report("\(m.label) writes \(m.location), outside the pod's spec and metadata: not expressible on the template")
        }
        if w.paused { return report("Deployment is paused: its template would not roll out") }
        if let why = HealthGate.unhealthyReason(w) {
            return report("rollout in progress or unavailable (\(why)): not patched this run; the next run judges its new pods")
        }
        guard let spec = w.templateSpec else { return report("the pod template was not read") }
        var meta: [String: JSONValue] = [:]
        if !w.templateLabels.isEmpty { meta["labels"] = .object(w.templateLabels.mapValues(JSONValue.string)) }
        if !w.templateAnnotations.isEmpty { meta["annotations"] = .object(w.templateAnnotations.mapValues(JSONValue.string)) }
        let before: JSONValue = ["metadata": .object(meta), "spec": spec]
        var after = before
        for m in mutators {
            do { after = try m.mutation(name: "", namespace: w.meta.namespace).apply(to: after) } catch {
                return report("\(m.label) does not fit the pod template: \(error)")
            }
        }
        let ops = jsonPatchDiff(before, after, at: "/spec/template")
        guard !ops.isEmpty else {
            return report("the pod template already carries the result: these pods predate it (a rollout still in progress?); nothing to write")
        }
        guard let resource = KnownResources.descriptor(GroupKind(apiVersion: w.apiVersion, kind: w.kind)) else {
            return report("\(w.kind) is not a workload kreconcile patches")
        }
        let request = KubeRequest.patch(resource, namespace: w.meta.namespace, name: w.meta.name,
                                        patch: .json([.test("/metadata/resourceVersion", .string(w.meta.resourceVersion))] + ops))
        // The rollout replaces every pod of the workload, not only the drifted ones.
        let nodes = snapshot.pods.filter { !$0.meta.isDeleting && owners.workloadUID(of: $0) == w.meta.uid }.compactMap(\.nodeName).sorted()
        return Finding(check: check, object: w.ref,
                       reason: "\(what); writing the result into the pod template makes it desired state (the workload then rolls)",
                       action: Action(actionClass: .disruptive, target: w.ref,
                                      summary: "write \(mutators.map(\.label).joined(separator: ", ")) into the pod template (\(ops.count) patch op(s))",
                                      request: request, disruptedNodes: nodes, disruptedPodLabels: w.templateLabels,
                                      since: drifts.compactMap(\.pod.created).min()))
    }
}
