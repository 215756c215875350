import KubeClient

/// Gatekeeper's `Wildcard` (apis/.../match wildcard.go): exact, or a "*" at the front
/// ("*-system": suffix), the end ("kube-*": prefix) or both ("*sys*": contains).
public func gatekeeperWildcard(_ pattern: String, matches candidate: String) -> Bool {
    let front = pattern.hasPrefix("*"), back = pattern.hasSuffix("*")
    switch (front, back) {
    case (true, true):
        let core = pattern.dropFirst().dropLast()
        return core.isEmpty || candidate.contains(core)
    case (true, false): return candidate.hasSuffix(pattern.dropFirst())
    case (false, true): return candidate.hasPrefix(pattern.dropLast())
    default: return pattern == candidate
    }
}

/// The object a mutator is evaluated against: what `match` reads.
public struct MatchSubject: Sendable {
    public var group: String
    public var version: String
    public var kind: String
    public var namespace: String?
    public var name: String
    public var labels: [String: String]
    /// The namespace's labels (nil when the Namespace object is not in the snapshot).
    public var namespaceLabels: [String: String]?
}

/// A mutator's `spec.match` (pkg/mutation/match in Gatekeeper) and `spec.applyTo`.
public struct MutatorMatch: Sendable, Equatable {
    public struct Kinds: Sendable, Equatable { var groups: [String]; var kinds: [String] }
    public struct ApplyTo: Sendable, Equatable { var groups: [String]; var kinds: [String]; var versions: [String] }

    public var scope: String
    public var kinds: [Kinds]
    public var namespaces: [String]?
    public var excludedNamespaces: [String]
    /// `metav1.LabelSelector` JSON, matched by `LabelSelectorMatch`.
    public var labelSelector: JSONValue?
    public var namespaceSelector: JSONValue?
    public var name: String?
    public var source: String
    /// nil for AssignMetadata, which has no applyTo.
    public var applyTo: [ApplyTo]?

    init(spec: JSONValue, hasApplyTo: Bool) throws(MutatorProblem) {
        let m = spec["match"] ?? .object([:])
        scope = m["scope"]?.stringValue ?? "*"
        guard ["*", "Cluster", "Namespaced"].contains(scope) else { throw MutatorProblem("match.scope \"\(scope)\" is not *, Cluster or Namespaced") }
        kinds = (m["kinds"]?.arrayValue ?? []).map {
            Kinds(groups: ($0["apiGroups"]?.arrayValue ?? []).compactMap(\.stringValue), kinds: ($0["kinds"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
        namespaces = m["namespaces"]?.arrayValue?.compactMap(\.stringValue)
        excludedNamespaces = (m["excludedNamespaces"]?.arrayValue ?? []).compactMap(\.stringValue)
        labelSelector = m["labelSelector"]
        namespaceSelector = m["namespaceSelector"]
        for (field, selector) in [("labelSelector", labelSelector), ("namespaceSelector", namespaceSelector)] where selector != nil {
            // A malformed selector (unknown operator) answers nil for any labels.
            guard LabelSelectorMatch.matches(selector, [:]) != nil else {
                throw MutatorProblem("match.\(field) has an operator other than In, NotIn, Exists, DoesNotExist")
            }
        }
        name = m["name"]?.stringValue
        source = m["source"]?.stringValue ?? "All"
        guard ["All", "Original", "Generated"].contains(source) else { throw MutatorProblem("match.source \"\(source)\" is not All, Original or Generated") }
        if hasApplyTo {
            applyTo = (spec["applyTo"]?.arrayValue ?? []).map {
                ApplyTo(groups: ($0["groups"]?.arrayValue ?? []).compactMap(\.stringValue),
                        kinds: ($0["kinds"]?.arrayValue ?? []).compactMap(\.stringValue),
                        versions: ($0["versions"]?.arrayValue ?? []).compactMap(\.stringValue))
            }
            if applyTo!.isEmpty { throw MutatorProblem("applyTo is empty") }
        }
    }

    /// Whether the mutator's applyTo admits this group/version/kind (exact, no wildcards).
    public func applies(group: String, version: String, kind: String) -> Bool {
        guard let applyTo else { return true }
        return applyTo.contains { $0.groups.contains(group) && $0.kinds.contains(kind) && $0.versions.contains(version) }
    }

    /// Whether `match` selects the object. Live objects are "Original" (Generated means
    /// resources Gatekeeper expands from templates, never a pod in the cluster).
    public func matches(_ o: MatchSubject) -> Bool {
        guard applies(group: o.group, version: o.version, kind: o.kind), source != "Generated" else { return false }
        if !kinds.isEmpty, !kinds.contains(where: { k in
            (k.groups.isEmpty || k.groups.contains("*") || k.groups.contains(o.group)) &&
            (k.kinds.isEmpty || k.kinds.contains("*") || k.kinds.contains(o.kind))
        }) { return false }
        switch (scope, o.namespace) {
        case ("Cluster", .some), ("Namespaced", .none): return false
        default: break
        }
        if let ns = o.namespace {
            if let namespaces, !namespaces.contains(where: { gatekeeperWildcard($0, matches: ns) }) { return false }
            if excludedNamespaces.contains(where: { gatekeeperWildcard($0, matches: ns) }) { return false }
            if LabelSelectorMatch.matches(namespaceSelector, o.namespaceLabels ?? [:]) != true { return false }
        }
        if let name, !gatekeeperWildcard(name, matches: o.name) { return false }
        if LabelSelectorMatch.matches(labelSelector, o.labels) != true { return false }
        return true
    }

    /// The pod-level test `matches` makes, without the object's own name and labels: can
    /// this mutator touch any pod of the namespace? (Which pod specs the snapshot keeps.)
    public func couldMatchPods(inNamespace ns: String, labels: [String: String]?) -> Bool {
        var subject = MatchSubject(group: "", version: "v1", kind: "Pod", namespace: ns, name: "", labels: [:], namespaceLabels: labels)
        var loose = self
        loose.labelSelector = nil
        loose.name = nil
        subject.name = ""
        return loose.matches(subject)
    }

    /// True when the mutator can only ever touch Pods (the "at risk" report).
    public var targetsOnlyPods: Bool {
        if let applyTo { return applyTo.allSatisfy { $0.kinds.allSatisfy { $0 == "Pod" } } }
        return !kinds.isEmpty && kinds.allSatisfy { !$0.kinds.isEmpty && $0.kinds.allSatisfy { $0 == "Pod" } }
    }
}
