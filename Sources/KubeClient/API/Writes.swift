import Foundation

/// The patch formats the API server accepts.
public enum Patch: Sendable, Equatable {
    /// RFC 6902; a `test` operation is a precondition (the server answers 422 when it fails).
    case json([JSONPatchOperation])
    /// RFC 7386.
    case merge(JSONValue)
    /// Built-in kinds only; custom resources answer 415.
    case strategicMerge(JSONValue)

    public var contentType: String {
        switch self {
        case .json: return MediaType.jsonPatch
        case .merge: return MediaType.mergePatch
        case .strategicMerge: return MediaType.strategicMergePatch
        }
    }

    public var body: JSONValue {
        switch self {
        case .json(let ops): return .array(ops.map(\.json))
        case .merge(let v), .strategicMerge(let v): return v
        }
    }
}

public struct JSONPatchOperation: Sendable, Equatable {
    public var op: String
    public var path: String
    public var value: JSONValue?
    public var from: String?

    public static func test(_ path: String, _ value: JSONValue) -> Self { .init(op: "test", path: path, value: value) }
    public static func add(_ path: String, _ value: JSONValue) -> Self { .init(op: "add", path: path, value: value) }
    public static func replace(_ path: String, _ value: JSONValue) -> Self { .init(op: "replace", path: path, value: value) }
    public static func remove(_ path: String) -> Self { .init(op: "remove", path: path) }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["op": .string(op), "path": .string(path)]
        if let value { o["value"] = value }
        if let from { o["from"] = .string(from) }
        return .object(o)
    }

    /// Escapes one JSON-pointer segment (RFC 6901): `~` -> `~0`, `/` -> `~1`.
    public static func escape(_ segment: String) -> String {
        segment.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

/// `metav1.DeleteOptions`.
public struct DeleteOptions: Sendable, Equatable {
    public enum Propagation: String, Sendable { case foreground = "Foreground", background = "Background", orphan = "Orphan" }
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var propagationPolicy: Propagation?
    public var gracePeriodSeconds: Int?

    public init(preconditionUID: String? = nil, preconditionResourceVersion: String? = nil,
                propagationPolicy: Propagation? = nil, gracePeriodSeconds: Int? = nil) {
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
    }

    func json(dryRun: Bool) -> JSONValue {
        var o: [String: JSONValue] = ["apiVersion": "v1", "kind": "DeleteOptions"]
        var pre: [String: JSONValue] = [:]
        if let preconditionUID { pre["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { pre["resourceVersion"] = .string(preconditionResourceVersion) }
        if !pre.isEmpty { o["preconditions"] = .object(pre) }
        if let propagationPolicy { o["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { o["gracePeriodSeconds"] = .number(Double(gracePeriodSeconds)) }
        if dryRun { o["dryRun"] = ["All"] }
        return .object(o)
    }
}

/// What a DELETE answered: a Status (most kinds), or the object itself (pods, and any
/// object whose deletion is pending on finalizers: Foreground, Orphan, graceful).
public enum DeleteResult: Sendable {
    case status(APIStatus)
    case object(JSONValue)

    /// True when the object still exists, waiting for finalizers or a grace period.
    public var isPending: Bool {
        if case .object(let o) = self { return o.value(at: ["metadata", "deletionTimestamp"]) != nil }
        return false
    }
}

extension KubeRequest {
    static func writeQuery(dryRun: Bool, fieldManager: Bool) -> [QueryItem] {
        var q: [QueryItem] = []
        if dryRun { q.append(QueryItem("dryRun", "All")) }
        if fieldManager { q.append(QueryItem("fieldManager", kreconcileFieldManager)) }
        return q
    }

    public static func get(_ r: ResourceDescriptor, namespace: String?, name: String, metadataOnly: Bool = false) -> KubeRequest {
        KubeRequest(method: "GET", path: r.path(namespace: namespace, name: name),
                    accept: metadataOnly ? MediaType.partialObjectMetadata : MediaType.json)
    }

    public static func create(_ r: ResourceDescriptor, namespace: String?, body: JSONValue, dryRun: Bool = false) -> KubeRequest {
        KubeRequest(method: "POST", path: r.path(namespace: namespace), query: writeQuery(dryRun: dryRun, fieldManager: true),
                    contentType: MediaType.json, body: body.jsonData())
    }

    /// PUT with the object's resourceVersion: 409 Conflict if it changed since it was read.
    public static func update(_ r: ResourceDescriptor, namespace: String?, name: String, body: JSONValue, dryRun: Bool = false) -> KubeRequest {
        KubeRequest(method: "PUT", path: r.path(namespace: namespace, name: name), query: writeQuery(dryRun: dryRun, fieldManager: true),
                    contentType: MediaType.json, body: body.jsonData())
    }

    public static func patch(_ r: ResourceDescriptor, namespace: String?, name: String, patch: Patch,
                             subresource: String? = nil, dryRun: Bool = false) -> KubeRequest {
        KubeRequest(method: "PATCH", path: r.path(namespace: namespace, name: name, subresource: subresource),
                    query: writeQuery(dryRun: dryRun, fieldManager: true), contentType: patch.contentType, body: patch.body.jsonData())
    }

    /// DeleteOptions has no fieldManager, so none is sent; dryRun goes in the query.
    public static func delete(_ r: ResourceDescriptor, namespace: String?, name: String, options: DeleteOptions = .init(),
                              dryRun: Bool = false) -> KubeRequest {
        KubeRequest(method: "DELETE", path: r.path(namespace: namespace, name: name), query: writeQuery(dryRun: dryRun, fieldManager: false),
                    contentType: MediaType.json, body: options.json(dryRun: false).jsonData())
    }

    /// `policy/v1` Eviction. A dry run is said in both places the server reads it
    /// (the query and deleteOptions.dryRun), which must agree.
    public static func evict(namespace: String, name: String, options: DeleteOptions = .init(), dryRun: Bool = false) -> KubeRequest {
        let body: JSONValue = [
            "apiVersion": "policy/v1", "kind": "Eviction",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "deleteOptions": options.json(dryRun: dryRun),
        ]
        return KubeRequest(method: "POST", path: ResourceDescriptor.pods.path(namespace: namespace, name: name, subresource: "eviction"),
                           query: writeQuery(dryRun: dryRun, fieldManager: false), contentType: MediaType.json, body: body.jsonData())
    }
}
