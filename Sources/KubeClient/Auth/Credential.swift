import Foundation

/// What authenticates one request: an Authorization header value and/or a client
/// certificate. `description` never shows either.
public struct Credential: Sendable, CustomStringConvertible {
    public var authorization: String?
    public var clientCertificatePEM: Data?
    public var clientKeyPEM: Data?
    /// When the credential stops being valid (exec plugins); nil = no known expiry.
    public var expiresAt: Date?

    public init(authorization: String? = nil, clientCertificatePEM: Data? = nil, clientKeyPEM: Data? = nil, expiresAt: Date? = nil) {
        self.authorization = authorization
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.expiresAt = expiresAt
    }

    public static func bearer(_ token: String) -> Credential { Credential(authorization: "Bearer \(token)") }

    public var description: String {
        "Credential(authorization: \(authorization == nil ? "none" : "set"), clientCert: \(clientCertificatePEM != nil))"
    }
}

/// A source of credentials that may change over time (rotated token files, exec plugins).
public protocol CredentialSource: Sendable {
    func current() async throws -> Credential
    /// The server answered 401. Drop anything cached; true when a fresh credential
    /// may differ, so one retry of the request is worth it.
    func invalidate() async -> Bool
    /// The secrets this source has handed out, for log redaction.
    func secrets() async -> [String]
}

/// A fixed token, basic-auth pair or client certificate from the kubeconfig.
public struct StaticCredentialSource: CredentialSource {
    let credential: Credential
    public init(_ credential: Credential) { self.credential = credential }
    public func current() async throws -> Credential { credential }
    public func invalidate() async -> Bool { false }
    public func secrets() async -> [String] { credential.authorization.map { [$0] } ?? [] }
}
