import Foundation
import Synchronization

/// The `users[].user.exec` settings of a kubeconfig.
public struct ExecConfig: Sendable {
    public var apiVersion: String
    public var command: String
    public var args: [String]
    public var env: [(name: String, value: String)]
    public var installHint: String?
    public var provideClusterInfo: Bool
    /// Where the setting came from, for error messages (`kubeconfig ~/.kube/config: users[0].user.exec`).
    public var origin: String

    public init(apiVersion: String, command: String, args: [String] = [], env: [(name: String, value: String)] = [],
                installHint: String? = nil, provideClusterInfo: Bool = false, origin: String) {
        self.apiVersion = apiVersion
        self.command = command
        self.args = args
        self.env = env
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.origin = origin
    }

    static let supportedAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
}

/// Runs an exec credential plugin and caches its ExecCredential until its
/// `expirationTimestamp`; a 401 drops the cache so the plugin runs again.
public final class ExecCredentialSource: CredentialSource {
    private let config: ExecConfig
    private let cluster: JSONValue?
    private let environment: [String: String]
    private let now: @Sendable () -> Date
    private let cache = Mutex<Credential?>(nil)
    private let seen = Mutex<[String]>([])
    private let runLock = AsyncSemaphore(permits: 1)

    /// `cluster` is passed to the plugin in KUBERNETES_EXEC_INFO when provideClusterInfo is set.
    public init(config: ExecConfig, cluster: JSONValue?, environment: [String: String] = ProcessInfo.processInfo.environment,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.config = config
        self.cluster = cluster
        self.environment = environment
        self.now = now
    }

    public func current() async throws -> Credential {
        if let cached = valid() { return cached }
        // One plugin run at a time: concurrent requests wait for the same credential.
        try await runLock.acquire()
        defer { runLock.release() }
        if let cached = valid() { return cached }
        let credential = try await Task.detached { [self] in try run() }.value
        cache.withLock { $0 = credential }
        return credential
    }

    public func invalidate() async -> Bool {
        cache.withLock { $0 = nil }
        return true
    }

    public func secrets() async -> [String] { seen.withLock { $0 } }

    private func valid() -> Credential? {
        cache.withLock { cached in
            guard let c = cached else { return nil }
            if let expiry = c.expiresAt, expiry <= now() { return nil }
            return c
        }
    }

    private var name: String { "\(config.origin): exec plugin \"\(config.command)\"" }

    private func run() throws -> Credential {
        guard let executable = resolveExecutable(config.command) else {
            var message = "\(name): command not found"
            if let hint = config.installHint, !hint.isEmpty { message += ". \(oneLine(hint))" }
            throw ConfigError(message)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = config.args
        var env = environment
        for (k, v) in config.env { env[k] = v }
        env["KUBERNETES_EXEC_INFO"] = execInfo()
        process.environment = env
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw ConfigError("\(name): cannot start: \(oneLine(error.localizedDescription))")
        }
        // Read both pipes before waiting so a chatty plugin cannot block on a full pipe.
        let errData = Mutex(Data())
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            let data = stderr.fileHandleForReading.readDataToEndOfFile()
            errData.withLock { $0 = data }
            group.leave()
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let lastLine = String(decoding: errData.withLock { $0 }, as: UTF8.self)
                .split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
            var message = "\(name) failed with exit code \(process.terminationStatus)"
            if !lastLine.isEmpty { message += ": \(String(lastLine.prefix(300)))" }
            if let hint = config.installHint, !hint.isEmpty { message += ". \(oneLine(hint))" }
            throw ConfigError(message)
        }
        return try parse(out)
    }

    /// Parses the plugin's ExecCredential. Errors describe the shape, never the content.
    func parse(_ data: Data) throws -> Credential {
        guard let doc = try? JSONValue.parse(data), doc.objectValue != nil else {
            throw ConfigError("\(name): output is not an ExecCredential JSON object")
        }
        guard doc["kind"]?.stringValue == "ExecCredential" else {
            throw ConfigError("\(name): output kind is \(doc["kind"]?.stringValue ?? "missing"), expected ExecCredential")
        }
        guard doc["apiVersion"]?.stringValue == config.apiVersion else {
            throw ConfigError("\(name): output apiVersion \(doc["apiVersion"]?.stringValue ?? "missing") does not match the kubeconfig's \(config.apiVersion)")
        }
        guard let status = doc["status"], status.objectValue != nil else { throw ConfigError("\(name): output has no status") }
        var credential = Credential()
        if let token = status["token"]?.stringValue, !token.isEmpty {
            credential.authorization = "Bearer \(token)"
            seen.withLock { $0.append(token) }
        }
        let cert = status["clientCertificateData"]?.stringValue, key = status["clientKeyData"]?.stringValue
        if (cert == nil) != (key == nil) {
            throw ConfigError("\(name): status has only one of clientCertificateData and clientKeyData")
        }
        if let cert, let key {
            credential.clientCertificatePEM = Data(cert.utf8)
            credential.clientKeyPEM = Data(key.utf8)
            try requirePEM(credential.clientCertificatePEM!, kind: .certificate) { ConfigError("\(name): status.clientCertificateData: \($0)") }
            try requirePEM(credential.clientKeyPEM!, kind: .privateKey) { ConfigError("\(name): status.clientKeyData: \($0)") }
            seen.withLock { $0.append(key) }
        }
        if credential.authorization == nil, credential.clientCertificatePEM == nil {
            throw ConfigError("\(name): status has neither token nor clientCertificateData/clientKeyData")
        }
        if let stamp = status["expirationTimestamp"]?.stringValue {
            guard let date = parseRFC3339(stamp) else {
                throw ConfigError("\(name): status.expirationTimestamp is not an RFC 3339 time")
            }
            credential.expiresAt = date
        }
        return credential
    }

    private func execInfo() -> String {
        var spec: JSONValue = ["interactive": false]
        if config.provideClusterInfo, let cluster { spec["cluster"] = cluster }
        let info: JSONValue = ["apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": spec]
        return info.jsonString()
    }

    private func resolveExecutable(_ command: String) -> String? {
        if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
        for dir in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// RFC 3339 with or without fractional seconds.
func parseRFC3339(_ text: String) -> Date? {
    let plain = ISO8601DateFormatter()
    plain.formatOptions = [.withInternetDateTime]
    if let d = plain.date(from: text) { return d }
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return fractional.date(from: text)
}
