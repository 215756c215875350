import Foundation

/// The configuration of a pod's service account, as client-go's rest.InClusterConfig
/// reads it.
public enum InClusterConfig {
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// True when the environment says we run in a pod.
    public static func isAvailable(environment: [String: String]) -> Bool {
        !(environment["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty && !(environment["KUBERNETES_SERVICE_PORT"] ?? "").isEmpty
    }

    public static func load(environment: [String: String], directory: String = defaultDirectory,
                            now: @escaping @Sendable () -> Date = Date.init) throws -> ClientConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw ConfigError("in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set")
        }
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else {
            throw ConfigError("in-cluster: KUBERNETES_SERVICE_PORT: \"\(port)\" is not a port number")
        }
        // An IPv6 service address must be bracketed in the URL (net.JoinHostPort in client-go).
        let server = "https://\(ServerURL.hostForURL(host)):\(portNumber)"

        let tokenPath = directory + "/token"
        guard FileManager.default.fileExists(atPath: tokenPath) else {
            throw ConfigError("in-cluster: service-account token \(tokenPath): no such file (is automountServiceAccountToken off?)")
        }
        let caPath = directory + "/ca.crt"
        let ca: Data
        do { ca = try Data(contentsOf: URL(fileURLWithPath: caPath)) } catch {
            throw ConfigError("in-cluster: CA \(caPath): cannot read: \(describeFileError(error, path: caPath))")
        }
        try requirePEM(ca, kind: .certificate) { ConfigError("in-cluster: CA \(caPath): \($0)") }

        var namespace = "default"
        if let ns = try? String(contentsOfFile: directory + "/namespace", encoding: .utf8) {  // optional file: absent means "default"
            let trimmed = ns.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { namespace = trimmed }
        }
        return ClientConfig(
            server: server, tls: TLSSettings(caPEM: ca), namespace: namespace,
            credentials: TokenFileSource(path: tokenPath, field: "in-cluster service-account token", now: now),
            origin: "in-cluster")
    }
}
