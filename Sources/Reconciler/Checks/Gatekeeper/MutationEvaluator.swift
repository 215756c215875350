import KubeClient

/// A pod that lacks the result of one or more mutators that apply to it.
struct PodDrift {
    var pod: PodRecord
    var missed: [Mutator]
    /// Mutators that could not be evaluated on this pod (a path that does not fit it).
    var failed: [String]
    /// The pod's `gatekeeper.sh/mutations` annotation: what the webhook says it did.
    var recorded: String?

    var summary: String {
        var s = "missed \(missed.map(\.label).joined(separator: ", ")) (\(missed.map { "\($0.location)" }.joined(separator: "; ")))"
        if let recorded {
            s += "; its gatekeeper.sh/mutations annotation says \"\(recorded)\""
        } else {
            s += "; no gatekeeper.sh/mutations annotation"
        }
        return s
    }
}

/// Applies the mutators to each pod as Gatekeeper's webhook would, one pass in
/// Gatekeeper's order, and keeps the pods the result differs from.
struct MutationEvaluator {
    let mutators: [Mutator]
    let snapshot: Snapshot

    func drifts() -> [PodDrift] { evaluate().drifts }

    /// The drifted pods, and how many pods some mutator applies to (the safety breaker's
    /// "examined").
    func evaluate() -> (drifts: [PodDrift], examined: Int) {
        guard !mutators.isEmpty else { return ([], 0) }
        var examined = 0
        // Gatekeeper never mutates its own namespace (exempt by the chart) nor namespaces
        // its webhook's namespaceSelector skips.
        let gatekeeperNamespaces = Set(GatekeeperAPI.deployments(in: snapshot).compactMap(\.meta.namespace))
        var out: [PodDrift] = []
        for pod in snapshot.pods where !pod.meta.isDeleting && pod.phase != "Succeeded" && pod.phase != "Failed" {
            guard let view = pod.admission, let ns = pod.meta.namespace, !gatekeeperNamespaces.contains(ns) else { continue }
            let nsLabels = snapshot.namespace(ns)?.meta.labels
            if nsLabels?["admission.gatekeeper.sh/ignore"] != nil { continue }
            let fields = view.fields()
            let subject = MatchSubject(group: "", version: "v1", kind: "Pod", namespace: ns, name: pod.meta.name,
                                       labels: fields.labels, namespaceLabels: nsLabels)
            let applicable = mutators.filter { $0.match.matches(subject) }
            if applicable.isEmpty { continue }
            examined += 1
            var current = Self.podObject(pod, fields)
            var missed: [Mutator] = [], failed: [String] = []
            for m in applicable {
                do {
                    let next = try m.mutation(name: pod.meta.name, namespace: ns).apply(to: current)
                    if next != current { missed.append(m); current = next }
                } catch {
                    failed.append("\(m.label): \(error)")
                }
            }
            if !missed.isEmpty {
                out.append(PodDrift(pod: pod, missed: missed, failed: failed, recorded: fields.annotations[MutationDriftCheck.mutationsAnnotation]))
            }
        }
        return (out, examined)
    }

    /// The pod as the webhook sees it: what mutators read and write.
    static func podObject(_ pod: PodRecord, _ fields: AdmissionView.Fields) -> JSONValue {
        var meta: [String: JSONValue] = ["name": .string(pod.meta.name)]
        if let ns = pod.meta.namespace { meta["namespace"] = .string(ns) }
        if !fields.labels.isEmpty { meta["labels"] = .object(fields.labels.mapValues(JSONValue.string)) }
        if !fields.annotations.isEmpty { meta["annotations"] = .object(fields.annotations.mapValues(JSONValue.string)) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(meta), "spec": fields.spec]
    }
}
