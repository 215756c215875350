import Foundation

/// Everything needed to talk to one API server, resolved from a kubeconfig or the
/// in-cluster environment.
public struct ClientConfig: Sendable {
    public struct Impersonation: Sendable, Equatable {
        public var user: String
        public var uid: String?
        public var groups: [String]

        public init(user: String, uid: String? = nil, groups: [String] = []) {
            self.user = user
            self.uid = uid
            self.groups = groups
        }
    }

    /// Base URL without a trailing slash.
    public var server: String
    public var tls: TLSSettings
    /// The namespace of the context (or the pod, in cluster); "default" when unset.
    public var namespace: String
    public var credentials: (any CredentialSource)?
    public var impersonation: Impersonation?
    /// Where this came from, for logs: `kubeconfig ~/.kube/config, context "prod"` or `in-cluster`.
    public var origin: String

    public init(server: String, tls: TLSSettings = TLSSettings(), namespace: String = "default",
                credentials: (any CredentialSource)? = nil, impersonation: Impersonation? = nil, origin: String = "explicit") {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.tls = tls
        self.namespace = namespace
        self.credentials = credentials
        self.impersonation = impersonation
        self.origin = origin
    }
}
