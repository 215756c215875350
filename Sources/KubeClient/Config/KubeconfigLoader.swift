import Foundation

/// Finds and resolves the configuration the way kubectl does (client-go
/// tools/clientcmd loader.go and validation.go):
/// `--kubeconfig` > `KUBECONFIG` (a `:`-separated list, merged, missing files skipped)
/// > `~/.kube/config` > in-cluster. `--context` overrides current-context.
/// Only the selected context, its cluster and its user are validated.
public struct KubeconfigLoader: Sendable {
    public var explicitPath: String?
    public var context: String?
    public var environment: [String: String]
    public var serviceAccountDirectory: String
    public var now: @Sendable () -> Date

    public init(explicitPath: String? = nil, context: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                serviceAccountDirectory: String = InClusterConfig.defaultDirectory,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.explicitPath = explicitPath
        self.context = context
        self.environment = environment
        self.serviceAccountDirectory = serviceAccountDirectory
        self.now = now
    }

    private var home: String? { environment["HOME"] }

    public func load() throws -> ClientConfig {
        var candidates: [String]
        if let explicit = explicitPath, !explicit.isEmpty {
            let path = absolute(explicit)
            guard FileManager.default.fileExists(atPath: path) else {
                throw ConfigError("kubeconfig \(displayPath(path, home: home)) (from --kubeconfig): no such file")
            }
            candidates = [path]
        } else if let list = environment["KUBECONFIG"], !list.isEmpty {
            candidates = list.split(separator: ":").map { absolute(String($0)) }
        } else if let home, !home.isEmpty {
            candidates = [home + "/.kube/config"]
        } else {
            candidates = []
        }
        var seen = Set<String>()
        candidates = candidates.filter { seen.insert($0).inserted && FileManager.default.fileExists(atPath: $0) }

        if candidates.isEmpty {
            if context == nil, InClusterConfig.isAvailable(environment: environment) {
                return try InClusterConfig.load(environment: environment, directory: serviceAccountDirectory, now: now)
            }
            throw ConfigError("no kubeconfig found (set --kubeconfig or KUBECONFIG, or create ~/.kube/config) and not running in a cluster (KUBERNETES_SERVICE_HOST is unset)")
        }
        let merged = MergedKubeconfig(files: try candidates.map { try KubeconfigFile.load(path: $0, home: home) })
        return try resolve(merged)
    }

    private func absolute(_ path: String) -> String {
        var p = path
        if p.hasPrefix("~/"), let home { p = home + p.dropFirst() }
        if p.hasPrefix("/") { return p }
        return FileManager.default.currentDirectoryPath + "/" + p
    }

    private func resolve(_ config: MergedKubeconfig) throws -> ClientConfig {
        let where_ = config.description
        guard let contextName = context ?? config.currentContext, !contextName.isEmpty else {
            throw ConfigError("\(where_): no current-context is set; pass --context (contexts: \(names(config.contexts)))")
        }
        guard let ctx = config.contexts[contextName] else {
            let from = context != nil ? "--context" : "current-context"
            throw ConfigError("\(where_): \(from): context \"\(contextName)\" not found (contexts: \(names(config.contexts)))")
        }
        let f = ctx.fields
        guard let clusterName = try f.string("cluster"), !clusterName.isEmpty else { throw f.error("cluster", "missing") }
        guard let cluster = config.clusters[clusterName] else {
            throw f.error("cluster", "cluster \"\(clusterName)\" not found (clusters: \(names(config.clusters)))")
        }
        guard let userName = try f.string("user"), !userName.isEmpty else { throw f.error("user", "missing") }
        guard let user = config.users[userName] else {
            throw f.error("user", "user \"\(userName)\" not found (users: \(names(config.users)))")
        }
        var namespace = "default"
        if let ns = try f.string("namespace"), !ns.isEmpty {
            guard isDNSLabel(ns) else { throw f.error("namespace", "\"\(ns)\" is not a valid namespace name") }
            namespace = ns
        }

        var (server, tls, clusterInfo) = try resolveCluster(cluster)
        let (credentials, impersonation) = try resolveUser(user, tls: &tls, clusterInfo: clusterInfo)
        return ClientConfig(
            server: server, tls: tls, namespace: namespace, credentials: credentials, impersonation: impersonation,
            origin: "\(where_), context \"\(contextName)\"")
    }

    private func resolveCluster(_ entry: KubeconfigFile.Entry) throws -> (String, TLSSettings, JSONValue) {
        let f = entry.fields
        guard let server = try f.string("server"), !server.isEmpty else { throw f.error("server", "missing") }
        guard ServerURL(server) != nil else { throw f.error("server", "\"\(server)\" is not an http(s) URL") }
        var tls = TLSSettings()
        tls.insecureSkipVerify = try f.bool("insecure-skip-tls-verify") ?? false
        tls.serverName = try f.string("tls-server-name")
        tls.disableCompression = try f.bool("disable-compression") ?? false
        if let proxy = try f.string("proxy-url") {
            let scheme = URLComponents(string: proxy)?.scheme?.lowercased()
            guard let scheme, ["http", "https", "socks5", "socks5h"].contains(scheme) else {
                // Not quoted: a proxy URL may carry a user and password.
                throw f.error("proxy-url", "must be an http, https or socks5 URL")
            }
            tls.proxyURL = proxy
        }
        if f.has("certificate-authority"), f.has("certificate-authority-data") {
            throw f.error("certificate-authority-data", "set together with certificate-authority; keep one")
        }
        if let data = try f.base64("certificate-authority-data") {
            try requirePEM(data, kind: .certificate) { f.error("certificate-authority-data", $0) }
            tls.caPEM = data
        } else if let path = try f.string("certificate-authority") {
            tls.caPEM = try readFile(path, entry: entry, field: "certificate-authority", kind: .certificate)
        }
        if tls.insecureSkipVerify, tls.caPEM != nil {
            // client-go refuses this combination too: a CA with verification off is a contradiction.
            throw f.error("insecure-skip-tls-verify", "cannot be used together with a certificate authority")
        }
        var info: JSONValue = ["server": .string(server)]
        if let ca = tls.caPEM { info["certificate-authority-data"] = .string(ca.base64EncodedString()) }
        if let name = tls.serverName { info["tls-server-name"] = .string(name) }
        if tls.insecureSkipVerify { info["insecure-skip-tls-verify"] = true }
        if let proxy = tls.proxyURL { info["proxy-url"] = .string(proxy) }
        if tls.disableCompression { info["disable-compression"] = true }
        return (server, tls, info)
    }

    private func resolveUser(_ entry: KubeconfigFile.Entry, tls: inout TLSSettings, clusterInfo: JSONValue) throws
        -> ((any CredentialSource)?, ClientConfig.Impersonation?)
    {
        let f = entry.fields
        if f.has("auth-provider") {
            throw f.error("auth-provider", "auth-provider plugins were removed from Kubernetes clients; use an exec credential plugin (for example gke-gcloud-auth-plugin or kubelogin) instead")
        }
        // Client certificate.
        for (data, file) in [("client-certificate-data", "client-certificate"), ("client-key-data", "client-key")] where f.has(data) && f.has(file) {
            throw f.error(data, "set together with \(file); keep one")
        }
        let cert = try f.base64("client-certificate-data")
            ?? (try f.string("client-certificate")).map { try readFile($0, entry: entry, field: "client-certificate", kind: .certificate) }
        let key = try f.base64("client-key-data")
            ?? (try f.string("client-key")).map { try readFile($0, entry: entry, field: "client-key", kind: .privateKey) }
        if let cert { try requirePEM(cert, kind: .certificate) { f.error(f.has("client-certificate-data") ? "client-certificate-data" : "client-certificate", $0) } }
        if let key { try requirePEM(key, kind: .privateKey) { f.error(f.has("client-key-data") ? "client-key-data" : "client-key", $0) } }
        switch (cert, key) {
        case (.some, nil): throw f.error("client-key", "missing: a client certificate needs client-key or client-key-data")
        case (nil, .some): throw f.error("client-certificate", "missing: a client key needs client-certificate or client-certificate-data")
        default: break
        }
        tls.clientCertificatePEM = cert
        tls.clientKeyPEM = key

        // At most one way to get an Authorization header.
        let token = try f.string("token").flatMap { $0.isEmpty ? nil : $0 }
        let tokenFile = try f.string("tokenFile").flatMap { $0.isEmpty ? nil : $0 }
        let username = try f.string("username"), password = try f.string("password")
        let exec = try f.mapping("exec")
        var methods: [String] = []
        if token != nil || tokenFile != nil { methods.append("token") }
        if username != nil || password != nil { methods.append("basic auth (username/password)") }
        if exec != nil { methods.append("exec") }
        if methods.count > 1 {
            throw ConfigError("\(f.file): \(f.path): more than one authentication method (\(methods.joined(separator: ", "))); keep one")
        }

        var source: (any CredentialSource)?
        if let tokenFile {
            // Read again before each use (it rotates), but it must be there now: a missing
            // file is a kubeconfig error (exit 2), not a failed request.
            let path = resolvePath(tokenFile, entry)
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw f.error("tokenFile", "cannot read \(displayPath(path, home: home)): \(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")")
            }
            source = TokenFileSource(path: resolvePath(tokenFile, entry), field: "\(f.file): \(f.path).tokenFile", now: now)
        } else if let token {
            source = StaticCredentialSource(.bearer(token))
        } else if username != nil || password != nil {
            let pair = Data("\(username ?? ""):\(password ?? "")".utf8).base64EncodedString()
            source = StaticCredentialSource(Credential(authorization: "Basic \(pair)"))
        } else if let exec {
            source = try execSource(exec, entry: entry, clusterInfo: clusterInfo)
        }

        var impersonation: ClientConfig.Impersonation?
        let asUser = try f.string("as"), asUID = try f.string("as-uid"), asGroups = try f.strings("as-groups")
        if let asUser, !asUser.isEmpty {
            impersonation = .init(user: asUser, uid: asUID, groups: asGroups)
        } else if !asGroups.isEmpty || asUID != nil {
            throw f.error("as", "missing: as-groups and as-uid need a user to impersonate")
        }
        return (source, impersonation)
    }

    private func execSource(_ f: YAMLFields, entry: KubeconfigFile.Entry, clusterInfo: JSONValue) throws -> ExecCredentialSource {
        guard let apiVersion = try f.string("apiVersion"), !apiVersion.isEmpty else { throw f.error("apiVersion", "missing") }
        guard ExecConfig.supportedAPIVersions.contains(apiVersion) else {
            throw f.error("apiVersion", "\"\(apiVersion)\" is not supported; use client.authentication.k8s.io/v1 or v1beta1")
        }
        guard var command = try f.string("command"), !command.isEmpty else { throw f.error("command", "missing") }
        // A command with a path separator is relative to the kubeconfig file (client-go ResolveLocalPaths).
        if command.contains("/") { command = resolvePath(command, entry) }
        let env = try f.sequence("env").map { item -> (name: String, value: String) in
            guard let name = try item.string("name"), !name.isEmpty else { throw item.error("name", "missing") }
            return (name, try item.string("value") ?? "")
        }
        if let mode = try f.string("interactiveMode") {
            // client-go accepts these three only (exec.go); Always needs a terminal.
            guard ["Never", "IfAvailable", "Always"].contains(mode) else {
                throw f.error("interactiveMode", "\"\(mode)\" is not one of Never, IfAvailable, Always")
            }
            if mode == "Always" {
                throw f.error("interactiveMode", "Always needs a terminal; kreconcile runs non-interactively (use IfAvailable or Never)")
            }
        }
        let config = ExecConfig(
            apiVersion: apiVersion, command: command, args: try f.strings("args"), env: env,
            installHint: try f.string("installHint"), provideClusterInfo: try f.bool("provideClusterInfo") ?? false,
            origin: "\(f.file): \(f.path)")
        return ExecCredentialSource(config: config, cluster: clusterInfo, environment: environment, now: now)
    }

    private func resolvePath(_ path: String, _ entry: KubeconfigFile.Entry) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/"), let home { return home + path.dropFirst() }
        return entry.directory + "/" + path
    }

    private func readFile(_ path: String, entry: KubeconfigFile.Entry, field: String, kind: PEMKind) throws -> Data {
        let full = resolvePath(path, entry)
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: full)) } catch {
            throw entry.fields.error(field, "cannot read \(displayPath(full, home: home)): \(describeFileError(error, path: full))")
        }
        try requirePEM(data, kind: kind) { entry.fields.error(field, "\(displayPath(full, home: home)): \($0)") }
        return data
    }

    private func names(_ entries: [String: KubeconfigFile.Entry]) -> String {
        entries.isEmpty ? "none" : entries.keys.sorted().joined(separator: ", ")
    }
}

/// RFC 1123 label: what a namespace name must be.
func isDNSLabel(_ s: String) -> Bool {
    s.count <= 63 && s.range(of: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", options: .regularExpression) != nil
}
