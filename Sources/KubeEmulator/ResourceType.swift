/// One kind the emulator serves: what a built-in API group or a CRD adds to discovery.
public struct ResourceType: Sendable, Hashable {
    public var group: String
    public var version: String
    public var kind: String
    public var plural: String
    public var namespaced: Bool
    /// false = custom resource: strategic merge patch answers 415 and PUT without
    /// resourceVersion answers 422, as the real CRD handler does.
    public var builtIn: Bool
    public var listKind: String
    public var singular: String
    public var shortNames: [String]
    /// With a status subresource, writes to the main resource keep the stored status and
    /// writes to `/status` change only the status (the real registry strategies do this).
    public var hasStatus: Bool

    public init(
        group: String, version: String, kind: String, plural: String, namespaced: Bool,
        builtIn: Bool = false, listKind: String? = nil, singular: String? = nil,
        shortNames: [String] = [], hasStatus: Bool = false
    ) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.namespaced = namespaced
        self.builtIn = builtIn
        self.listKind = listKind ?? kind + "List"
        self.singular = singular ?? kind.lowercased()
        self.shortNames = shortNames
        self.hasStatus = hasStatus
    }

    /// "v1" for the core group, "apps/v1" otherwise.
    public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `plural.group` as upstream's GroupResource.String() prints it ("pods", "deployments.apps").
    public var qualifiedResource: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// `Kind.group` as upstream's GroupKind.String() prints it ("ConfigMap", "Deployment.apps").
    public var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }

    /// Storage identity: every served version of one group/resource shares the objects.
    var storageKey: String { qualifiedResource }
}
