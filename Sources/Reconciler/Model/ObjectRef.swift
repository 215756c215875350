import KubeClient

/// Names one object exactly as the snapshot saw it. `uid` and `resourceVersion` are what
/// the Applier's preconditions are built from, so an action never lands on an object the
/// plan did not see.
public struct ObjectRef: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    /// nil for cluster-scoped objects.
    public var namespace: String?
    public var name: String
    public var uid: String
    public var resourceVersion: String

    public init(apiVersion: String, kind: String, namespace: String?, name: String, uid: String, resourceVersion: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.resourceVersion = resourceVersion
    }

    /// "Deployment kubearmor/kubearmor-relay", "ValidatingAdmissionPolicy gatekeeper-x".
    public var description: String { namespace.map { "\(kind) \($0)/\(name)" } ?? "\(kind) \(name)" }

    /// Deterministic order for plans and reports: namespace, kind, name (uid breaks ties).
    public static func < (a: ObjectRef, b: ObjectRef) -> Bool {
        (a.namespace ?? "", a.kind, a.name, a.uid) < (b.namespace ?? "", b.kind, b.name, b.uid)
    }
}
