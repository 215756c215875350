/// Server certificate and key, plus the CA that client certificates must chain to.
public struct EmulatorTLS: Sendable {
    public var certificatePEM: String
    public var privateKeyPEM: String
    /// When set, client certificates signed by this CA authenticate a request; the
    /// handshake still succeeds without one, so bearer tokens keep working.
    public var clientCAPEM: String?

    public init(certificatePEM: String, privateKeyPEM: String, clientCAPEM: String? = nil) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
        self.clientCAPEM = clientCAPEM
    }
}

public struct EmulatorOptions: Sendable {
    public var host: String
    public var port: Int
    public var tls: EmulatorTLS?
    /// nil = no authentication; otherwise a request needs one of these bearer tokens
    /// (or a verified client certificate).
    public var bearerTokens: Set<String>?
    public var serverVersion: (major: Int, minor: Int)
    /// Versions of admissionregistration.k8s.io ValidatingAdmissionPolicy(Binding) served:
    /// ["v1"] (1.30+), ["v1beta1"] for an older server (1.28-1.29), or both. Objects are
    /// shared across versions; reads show the requested apiVersion.
    public var admissionRegistrationVersions: [String]
    /// Simulated controllers: disabled by default (KubeEmulator.step() still runs them).
    public var controllers: ControllerMode
    public var controllerSettings: ControllerSettings
    /// The request log keeps the newest this many requests (a ring); older ones are dropped.
    public var requestLogCapacity: Int
    /// Watch events kept for resuming a watch from a resourceVersion; older ones answer 410.
    public var watchHistoryCapacity: Int
    /// Pods whose container images match run as local processes (the kubelet's exec mode).
    public var exec: ExecOptions?

    public static let defaultRequestLogCapacity = 10_000
    public static let defaultWatchHistoryCapacity = 10_000

    public init(host: String = "127.0.0.1", port: Int = 0, tls: EmulatorTLS? = nil,
                bearerTokens: Set<String>? = nil, serverVersion: (major: Int, minor: Int) = (1, 32),
                admissionRegistrationVersions: [String] = ["v1"],
                controllers: ControllerMode = .disabled, controllerSettings: ControllerSettings = .init(),
                requestLogCapacity: Int = EmulatorOptions.defaultRequestLogCapacity,
                watchHistoryCapacity: Int = EmulatorOptions.defaultWatchHistoryCapacity, exec: ExecOptions? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
        self.bearerTokens = bearerTokens
        self.serverVersion = serverVersion
        self.admissionRegistrationVersions = admissionRegistrationVersions
        self.controllers = controllers
        self.controllerSettings = controllerSettings
        self.requestLogCapacity = requestLogCapacity
        self.watchHistoryCapacity = watchHistoryCapacity
        self.exec = exec
    }
}
