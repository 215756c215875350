import KubeClient

/// The `metadata` fields checks read.
public struct MetaRecord: Sendable, Equatable, Decodable {
    public var name: String
    public var namespace: String?
    public var uid: String
    public var resourceVersion: String
    public var generation: Int?
    public var labels: [String: String]
    public var annotations: [String: String]
    public var ownerReferences: [OwnerReference]
    /// Set while the object waits for finalizers or a grace period: nothing to fix then.
    public var deletionTimestamp: String?

    public init(name: String, namespace: String? = nil, uid: String, resourceVersion: String = "1", generation: Int? = nil,
                labels: [String: String] = [:], annotations: [String: String] = [:],
                ownerReferences: [OwnerReference] = [], deletionTimestamp: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.deletionTimestamp = deletionTimestamp
    }

    enum CodingKeys: String, CodingKey {
        case name, namespace, uid, resourceVersion, generation, labels, annotations, ownerReferences, deletionTimestamp
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        namespace = try c.decodeIfPresent(String.self, forKey: .namespace)
        uid = try c.decodeIfPresent(String.self, forKey: .uid) ?? ""
        resourceVersion = try c.decodeIfPresent(String.self, forKey: .resourceVersion) ?? ""
        generation = try c.decodeIfPresent(Int.self, forKey: .generation)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations) ?? [:]
        ownerReferences = try c.decodeIfPresent([OwnerReference].self, forKey: .ownerReferences) ?? []
        deletionTimestamp = try c.decodeIfPresent(String.self, forKey: .deletionTimestamp)
    }

    public var isDeleting: Bool { deletionTimestamp != nil }
}

/// `metav1.OwnerReference`.
public struct OwnerReference: Sendable, Hashable, Codable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil, blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }

    /// The reference as JSON for a patch (unset flags omitted, as the API server prints them).
    public var json: JSONValue {
        var o: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid)]
        if let controller { o["controller"] = .bool(controller) }
        if let blockOwnerDeletion { o["blockOwnerDeletion"] = .bool(blockOwnerDeletion) }
        return o
    }
}

/// A record of an object the snapshot holds: enough to name it in a Finding.
public protocol SnapshotRecord: Sendable {
    var apiVersion: String { get }
    var kind: String { get }
    var meta: MetaRecord { get }
}

extension SnapshotRecord {
    public var ref: ObjectRef {
        ObjectRef(apiVersion: apiVersion, kind: kind, namespace: meta.namespace, name: meta.name,
                  uid: meta.uid, resourceVersion: meta.resourceVersion)
    }
}
