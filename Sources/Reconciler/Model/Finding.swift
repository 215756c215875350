/// One problem a check found. Checks are pure: they return findings, never write.
public struct Finding: Sendable, Equatable {
    /// The check's name, e.g. "owner-references".
    public var check: String
    /// The object that has the problem.
    public var object: ObjectRef
    /// One human line with the fields that prove it, e.g.
    /// "container kubearmor runs kubearmor/kubearmor:v1.4.0, desired kubearmor/kubearmor:v1.5.0 (KubeArmorConfig kubearmor/kubearmorconfig-default)".
    public var reason: String
    /// nil = report only (a bare pod, an ambiguous KubeArmorConfig): nothing safe to do.
    public var action: Action?

    public init(check: String, object: ObjectRef, reason: String, action: Action?) {
        self.check = check
        self.object = object
        self.reason = reason
        self.action = action
    }
}
