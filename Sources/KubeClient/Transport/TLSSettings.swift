import Foundation

/// Everything the transport needs to open a connection to one API server.
/// Certificates and keys are held in memory and handed to libcurl as blobs;
/// nothing is written to disk.
public struct TLSSettings: Sendable, Equatable {
    /// PEM bundle of the CAs to trust. nil = the system trust store.
    public var caPEM: Data?
    public var clientCertificatePEM: Data?
    public var clientKeyPEM: Data?
    /// Verification is on unless the kubeconfig explicitly says insecure-skip-tls-verify.
    public var insecureSkipVerify: Bool
    /// SNI and certificate name to use instead of the server URL's host.
    public var serverName: String?
    public var proxyURL: String?
    /// The cluster's `disable-compression` (kubectl `--disable-compression`): do not ask for
    /// gzip. On a fast network the server's compression of large lists costs more time
    /// than the bytes it saves (kubernetes/kubernetes#112296).
    public var disableCompression: Bool

    public init(
        caPEM: Data? = nil, clientCertificatePEM: Data? = nil, clientKeyPEM: Data? = nil,
        insecureSkipVerify: Bool = false, serverName: String? = nil, proxyURL: String? = nil,
        disableCompression: Bool = false
    ) {
        self.caPEM = caPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
        self.proxyURL = proxyURL
        self.disableCompression = disableCompression
    }
}

extension TLSSettings: CustomStringConvertible {
    /// Never shows key or certificate bytes, only whether they are set.
    public var description: String {
        "TLSSettings(ca: \(caPEM == nil ? "system" : "inline"), clientCert: \(clientCertificatePEM != nil), "
            + "insecure: \(insecureSkipVerify), serverName: \(serverName ?? "-"), proxy: \(proxyURL != nil), "
            + "compression: \(!disableCompression))"
    }
}
