import KubeClient

/// One object a step selected, as read when the step began: its uid is the delete
/// precondition, so a later object of the same name is never touched.
public struct TeardownObject: Sendable, Equatable {
    public var resource: ResourceDescriptor
    public var namespace: String?
    public var name: String
    public var uid: String
    public var deleting: Bool
    public var finalizers: [String]
    /// `spec.replicas` of a scalable workload (absent = 1, the API default).
    public var replicas: Int?
    /// The label selector of a workload's pods, from its `spec.selector`.
    public var podSelector: String?
    /// uids of its ownerReferences, and of its controller owner's group/kind.
    public var ownerUIDs: [String]
    var controllerOwner: (group: String, kind: String)?

    /// "Deployment kubearmor/kubearmor-controller".
    public var display: String { "\(resource.kind) \(namespace.map { "\($0)/" } ?? "")\(name)" }

    init(_ r: ResourceDescriptor, _ o: JSONValue) {
        let meta = o["metadata"]
        resource = r
        namespace = r.namespaced ? meta?["namespace"]?.stringValue : nil
        name = meta?["name"]?.stringValue ?? ""
        uid = meta?["uid"]?.stringValue ?? ""
        deleting = meta?["deletionTimestamp"] != nil
        finalizers = (meta?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        let owners = meta?["ownerReferences"]?.arrayValue ?? []
        ownerUIDs = owners.compactMap { $0["uid"]?.stringValue }
        controllerOwner = owners.first { $0["controller"]?.boolValue == true }.map { ref in
            let apiVersion = ref["apiVersion"]?.stringValue ?? ""
            return (apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : "", ref["kind"]?.stringValue ?? "")
        }
        let key = WorkloadKinds.key(r.group, r.kind)
        replicas = WorkloadKinds.scalable.contains(key) ? (o.value(at: ["spec", "replicas"])?.intValue ?? 1) : nil
        podSelector = WorkloadKinds.withPods.contains(key) ? Self.selectorString(o.value(at: ["spec", "selector"])) : nil
    }

    public static func == (a: TeardownObject, b: TeardownObject) -> Bool {
        a.resource == b.resource && a.namespace == b.namespace && a.name == b.name && a.uid == b.uid && a.deleting == b.deleting
            && a.finalizers == b.finalizers && a.replicas == b.replicas && a.podSelector == b.podSelector
    }

    /// A `metav1.LabelSelector` as the `labelSelector` query parameter
    /// (apimachinery labels.SelectorFromSet / LabelSelectorAsSelector syntax).
    /// nil when it selects nothing or cannot be said in that syntax.
    static func selectorString(_ selector: JSONValue?) -> String? {
        guard let selector else { return nil }
        var parts = (selector["matchLabels"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .compactMap { k, v in v.stringValue.map { "\(k)=\($0)" } }
        for e in selector["matchExpressions"]?.arrayValue ?? [] {
            guard let key = e["key"]?.stringValue, let op = e["operator"]?.stringValue else { return nil }
            let values = (e["values"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
            switch op {
            case "In": parts.append("\(key) in (\(values))")
            case "NotIn": parts.append("\(key) notin (\(values))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: return nil
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }
}

/// Finds what a selector means on this server: the kind's resource through discovery (any
/// served version of the group, preferred first), then the objects by name, label or owner.
/// A kind the server does not serve (a CRD never installed, or already deleted) selects
/// nothing: there is nothing to tear down.
struct TeardownResolver: Sendable {
    let client: KubeClient

    func resource(group: String, kind: String) async throws -> ResourceDescriptor? {
        guard let versions = try await client.servedGroups().versions[group] else { return nil }
        for version in versions {
            if let r = try await client.servedResources(group: group, version: version)?.first(where: { $0.kind == kind && !$0.name.contains("/") }) {
                return ResourceDescriptor(group: group, version: version, plural: r.name, kind: r.kind, namespaced: r.namespaced)
            }
        }
        return nil
    }

    func select(_ s: TeardownProfile.Selector, namespace: String?) async throws -> [TeardownObject] {
        guard let r = try await resource(group: s.group, kind: s.kind) else { return [] }
        let ns = r.namespaced ? (s.namespace ?? namespace) : nil
        if r.namespaced, ns == nil {
            throw TeardownProfileError("\(s.kind) is namespaced: give the profile a namespace, the selector one, or --namespace")
        }
        switch s.match {
        case .names(let names):
            var out: [TeardownObject] = []
            for name in names {
                if let o = try await get(r, namespace: ns, name: name) { out.append(o) }
            }
            return out
        case .labelSelector(let selector):
            return try await list(r, namespace: ns, labelSelector: selector)
        case .all:
            return try await list(r, namespace: ns, labelSelector: nil)
        case .ownedBy(let group, let kind):
            return try await list(r, namespace: ns, labelSelector: nil).filter { o in
                guard let owner = o.controllerOwner else { return false }
                return owner.group == group && (kind == "*" || owner.kind == kind)
            }
        }
    }

    /// The object now, or nil when it is gone: 404, or its name belongs to another uid.
    func current(_ o: TeardownObject) async throws -> TeardownObject? {
        guard let now = try await get(o.resource, namespace: o.namespace, name: o.name), now.uid == o.uid else { return nil }
        return now
    }

    func get(_ r: ResourceDescriptor, namespace: String?, name: String) async throws -> TeardownObject? {
        do {
            return TeardownObject(r, try await client.get(r, namespace: namespace, name: name, as: JSONValue.self))
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }

    func list(_ r: ResourceDescriptor, namespace: String?, labelSelector: String?) async throws -> [TeardownObject] {
        do {
            return try await client.list(r, namespace: namespace, options: ListOptions(labelSelector: labelSelector), as: JSONValue.self)
                .items.map { TeardownObject(r, $0) }
        } catch let error as KubeAPIError where error.isNotFound {
            return []  // the kind stopped being served (its CRD was deleted)
        }
    }
}
