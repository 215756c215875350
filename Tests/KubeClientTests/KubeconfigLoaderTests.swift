import Foundation
import KubeClient
import XCTest

final class KubeconfigLoaderTests: XCTestCase {
    func config(server: String = "https://a.example:6443", cluster: String = "c1", user: String = "u1", context: String = "ctx1",
                userBody: String = "    token: tok-1", clusterExtra: String = "", current: String? = "ctx1", namespace: String = "") -> String {
        """
        apiVersion: v1
        kind: Config
        \(current.map { "current-context: \($0)" } ?? "")
        clusters:
        - name: \(cluster)
          cluster:
            server: \(server)
        \(clusterExtra)
        users:
        - name: \(user)
          user:
        \(userBody)
        contexts:
        - name: \(context)
          context:
            cluster: \(cluster)
            user: \(user)
        \(namespace.isEmpty ? "" : "    namespace: \(namespace)")
        """
    }

    func load(_ env: [String: String], explicit: String? = nil, context: String? = nil, saDir: String = "/nonexistent") throws -> ClientConfig {
        try KubeconfigLoader(explicitPath: explicit, context: context, environment: env, serviceAccountDirectory: saDir).load()
    }

    func testExplicitPathWinsOverKUBECONFIGAndHome() async throws {
        let dir = try TempDir()
        let explicit = try dir.write("explicit", config(server: "https://explicit:1"))
        let env = try dir.write("env", config(server: "https://env:1"))
        try dir.write("home/.kube/config", config(server: "https://home:1"))
        let base = ["HOME": dir.path + "/home"]
        XCTAssertEqual(try load(base.merging(["KUBECONFIG": env]) { $1 }, explicit: explicit).server, "https://explicit:1")
        XCTAssertEqual(try load(base.merging(["KUBECONFIG": env]) { $1 }).server, "https://env:1")
        XCTAssertEqual(try load(base).server, "https://home:1")
    }

    func testKUBECONFIGListMergesFirstDefinitionWinsAndFirstCurrentContextWins() async throws {
        let dir = try TempDir()
        // File A defines cluster c1 and user u1, but no current-context.
        let a = try dir.write("a", """
            clusters:
            - name: c1
              cluster: {server: "https://from-a:1"}
            users:
            - name: u1
              user: {token: token-a}
            """)
        // File B redefines c1 (ignored: A came first), adds a context and the current-context.
        let b = try dir.write("b", """
            current-context: ctx-b
            clusters:
            - name: c1
              cluster: {server: "https://from-b:1"}
            contexts:
            - name: ctx-b
              context: {cluster: c1, user: u1, namespace: team-b}
            """)
        let c = try dir.write("c", "current-context: ctx-c\n")
        let missing = dir.path + "/missing"
        let cfg = try load(["KUBECONFIG": [missing, a, b, c].joined(separator: ":")])
        XCTAssertEqual(cfg.server, "https://from-a:1")
        XCTAssertEqual(cfg.namespace, "team-b")
        let credential = try await cfg.credentials?.current()
        XCTAssertEqual(credential?.authorization, "Bearer token-a")
        XCTAssertTrue(cfg.origin.contains("ctx-b"))
    }

    func testContextFlagOverridesCurrentContext() throws {
        let dir = try TempDir()
        let path = try dir.write("cfg", """
            current-context: one
            clusters:
            - {name: c1, cluster: {server: "https://one:1"}}
            - {name: c2, cluster: {server: "https://two:2"}}
            users:
            - {name: u, user: {token: t}}
            contexts:
            - {name: one, context: {cluster: c1, user: u}}
            - {name: two, context: {cluster: c2, user: u}}
            """)
        XCTAssertEqual(try load([:], explicit: path).server, "https://one:1")
        XCTAssertEqual(try load([:], explicit: path, context: "two").server, "https://two:2")
        assertConfigError({ _ = try self.load([:], explicit: path, context: "three") },
                          contains: ["context \"three\" not found", "contexts: one, two"])
    }

    func testRelativePathsResolveAgainstTheFileThatHoldsThem() throws {
        let dir = try TempDir()
        try dir.write("certs/ca.crt", fakeCertPEM)
        try dir.write("certs/client.crt", fakeCertPEM)
        try dir.write("certs/client.key", fakeKeyPEM)
        let path = try dir.write("nested/deeper/../cfg", config(
            userBody: "    client-certificate: ../certs/client.crt\n    client-key: ../certs/client.key",
            clusterExtra: "    certificate-authority: ../certs/ca.crt"))
        // The file sits in nested/, so ../certs is dir/certs.
        let cfg = try load([:], explicit: path)
        XCTAssertEqual(cfg.tls.caPEM, Data(fakeCertPEM.utf8))
        XCTAssertEqual(cfg.tls.clientCertificatePEM, Data(fakeCertPEM.utf8))
        XCTAssertEqual(cfg.tls.clientKeyPEM, Data(fakeKeyPEM.utf8))
        XCTAssertFalse(cfg.tls.insecureSkipVerify)
    }

    func testInlineDataAndClusterFields() throws {
        let dir = try TempDir()
        let path = try dir.write("cfg", config(
            userBody: "    client-certificate-data: \(b64(fakeCertPEM))\n    client-key-data: \(b64(fakeKeyPEM))\n    as: admin\n    as-groups: [ops, audit]",
            clusterExtra: "    certificate-authority-data: \(b64(fakeCertPEM))\n    tls-server-name: api.internal\n    proxy-url: http://proxy.local:3128\n    disable-compression: true",
            namespace: "team-a"))
        let cfg = try load([:], explicit: path)
        XCTAssertEqual(cfg.tls.caPEM, Data(fakeCertPEM.utf8))
        XCTAssertEqual(cfg.tls.serverName, "api.internal")
        XCTAssertEqual(cfg.tls.proxyURL, "http://proxy.local:3128")
        XCTAssertTrue(cfg.tls.disableCompression)
        XCTAssertFalse(try load([:], explicit: try dir.write("plain", config())).tls.disableCompression, "compression is on by default")
        XCTAssertEqual(cfg.namespace, "team-a")
        XCTAssertEqual(cfg.impersonation, .init(user: "admin", uid: nil, groups: ["ops", "audit"]))
        XCTAssertNil(cfg.credentials)
    }

    func testInsecureOnlyWhenSaid() throws {
        let dir = try TempDir()
        XCTAssertFalse(try load([:], explicit: try dir.write("a", config())).tls.insecureSkipVerify)
        XCTAssertTrue(try load([:], explicit: try dir.write("b", config(clusterExtra: "    insecure-skip-tls-verify: true"))).tls.insecureSkipVerify)
        XCTAssertFalse(try load([:], explicit: try dir.write("c", config(clusterExtra: "    insecure-skip-tls-verify: false"))).tls.insecureSkipVerify)
    }

    func testNumericTokenStaysAString() async throws {
        let dir = try TempDir()
        let cfg = try load([:], explicit: try dir.write("cfg", config(userBody: "    token: 0012345")))
        let credential = try await cfg.credentials?.current()
        XCTAssertEqual(credential?.authorization, "Bearer 0012345")
    }

    func testBadFieldsNameFileAndFieldButNotTheSecret() throws {
        let dir = try TempDir()
        let home = dir.path + "/home"
        try dir.write("home/.kube/config", config(userBody: "    client-certificate-data: \(b64(fakeCertPEM))\n    client-key-data: not*base64*SECRETVALUE"))
        assertConfigError({ _ = try self.load(["HOME": home]) },
                          contains: ["kubeconfig ~/.kube/config: users[0].user.client-key-data: not valid base64"])
        do { _ = try load(["HOME": home]) } catch { XCTAssertFalse("\(error)".contains("SECRETVALUE")) }

        let cases: [(String, [String])] = [
            (config(server: ""), ["clusters[0].cluster.server: missing"]),
            (config(server: "ftp://x"), ["clusters[0].cluster.server", "not an http(s) URL"]),
            (config(clusterExtra: "    certificate-authority-data: \(b64("hello"))"), ["certificate-authority-data: not a PEM certificate"]),
            (config(clusterExtra: "    certificate-authority: /nonexistent/ca.crt"), ["certificate-authority: cannot read /nonexistent/ca.crt: no such file"]),
            (config(clusterExtra: "    insecure-skip-tls-verify: maybe"), ["insecure-skip-tls-verify: must be true or false"]),
            (config(clusterExtra: "    insecure-skip-tls-verify: true\n    certificate-authority-data: \(b64(fakeCertPEM))"), ["insecure-skip-tls-verify: cannot be used together"]),
            (config(userBody: "    client-certificate-data: \(b64(fakeCertPEM))"), ["users[0].user.client-key: missing"]),
            (config(userBody: "    token: a\n    username: u\n    password: p"), ["users[0].user: more than one authentication method"]),
            (config(userBody: "    auth-provider:\n      name: gcp"), ["users[0].user.auth-provider", "exec credential plugin"]),
            (config(userBody: "    exec:\n      command: x"), ["users[0].user.exec.apiVersion: missing"]),
            (config(userBody: "    exec:\n      apiVersion: client.authentication.k8s.io/v1alpha1\n      command: x"), ["exec.apiVersion", "not supported"]),
            (config(userBody: "    as-groups: [a]"), ["users[0].user.as: missing"]),
            (config(namespace: "Not_Valid"), ["contexts[0].context.namespace", "not a valid namespace name"]),
            (config(current: nil), ["no current-context is set"]),
            ("clusters: [1, 2\n", ["not valid YAML"]),
            ("kind: Pod\n", ["kind: expected Config, found Pod"]),
        ]
        for (i, (text, fragments)) in cases.enumerated() {
            let path = try dir.write("case\(i)", text)
            assertConfigError({ _ = try self.load([:], explicit: path) }, contains: ["kubeconfig \(path)"] + fragments)
        }
    }

    func testContextPointingAtMissingClusterOrUser() throws {
        let dir = try TempDir()
        let path = try dir.write("cfg", """
            current-context: x
            clusters: [{name: c, cluster: {server: "https://s:1"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: x, context: {cluster: nope, user: u}}, {name: y, context: {cluster: c, user: nobody}}]
            """)
        assertConfigError({ _ = try self.load([:], explicit: path) }, contains: ["contexts[0].context.cluster: cluster \"nope\" not found"])
        assertConfigError({ _ = try self.load([:], explicit: path, context: "y") }, contains: ["contexts[1].context.user: user \"nobody\" not found"])
    }

    /// Names from the file are quoted in errors: a line break in one is escaped (found for
    /// settings by `make fuzz`; kubeconfig errors are the same ConfigError).
    func testErrorsQuotingTheFileStayOneLine() throws {
        let dir = try TempDir()
        let path = try dir.write("cfg", #"""
            current-context: "prod\nWARN forged line"
            contexts: [{name: x, context: {cluster: c, user: u}}]
            """#)
        assertConfigError({ _ = try self.load([:], explicit: path) }, contains: [#"context "prod\nWARN forged line" not found (contexts: x)"#])
    }

    func testMissingExplicitFileAndNothingAtAll() throws {
        assertConfigError({ _ = try self.load([:], explicit: "/nonexistent/kubeconfig") }, contains: ["/nonexistent/kubeconfig", "no such file"])
        let dir = try TempDir()
        assertConfigError({ _ = try self.load(["HOME": dir.path]) }, contains: ["no kubeconfig found", "not running in a cluster"])
    }

    func testTokenFileTakesPrecedenceAndResolvesRelatively() async throws {
        let dir = try TempDir()
        try dir.write("tok", "from-file\n")
        let cfg = try load([:], explicit: try dir.write("cfg", config(userBody: "    tokenFile: tok")))
        let credential = try await cfg.credentials?.current()
        XCTAssertEqual(credential?.authorization, "Bearer from-file")
    }

    func testInClusterWhenNoKubeconfig() async throws {
        let dir = try TempDir()
        try dir.write("sa/token", "sa-token-1")
        try dir.write("sa/ca.crt", fakeCertPEM)
        try dir.write("sa/namespace", "kreconcile-system")
        let env = ["HOME": dir.path, "KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"]
        let cfg = try load(env, saDir: dir.path + "/sa")
        XCTAssertEqual(cfg.server, "https://[fd00::1]:443")
        XCTAssertEqual(cfg.namespace, "kreconcile-system")
        XCTAssertEqual(cfg.tls.caPEM, Data(fakeCertPEM.utf8))
        XCTAssertEqual(cfg.origin, "in-cluster")
        let credential = try await cfg.credentials?.current()
        XCTAssertEqual(credential?.authorization, "Bearer sa-token-1")

        let v4 = try load(env.merging(["KUBERNETES_SERVICE_HOST": "10.96.0.1"]) { $1 }, saDir: dir.path + "/sa")
        XCTAssertEqual(v4.server, "https://10.96.0.1:443")
        assertConfigError({ _ = try self.load(env.merging(["KUBERNETES_SERVICE_PORT": "https"]) { $1 }, saDir: dir.path + "/sa") },
                          contains: ["KUBERNETES_SERVICE_PORT", "not a port number"])
        assertConfigError({ _ = try self.load(env, saDir: dir.path + "/none") }, contains: ["in-cluster", "token", "no such file"])
    }

    func testServiceAccountTokenIsReReadAfterAMinuteAndAfter401() async throws {
        let dir = try TempDir()
        let path = try dir.write("token", "first")
        let clock = ManualDate()
        let source = TokenFileSource(path: path, field: "test token", now: clock.now)
        var credential = try await source.current()
        XCTAssertEqual(credential.authorization, "Bearer first")
        try dir.write("token", "second")
        clock.advance(30)
        credential = try await source.current()
        XCTAssertEqual(credential.authorization, "Bearer first", "cached within the minute")
        clock.advance(31)
        credential = try await source.current()
        XCTAssertEqual(credential.authorization, "Bearer second", "re-read after a minute")
        try dir.write("token", "third")
        let retry = await source.invalidate()
        XCTAssertTrue(retry)
        credential = try await source.current()
        XCTAssertEqual(credential.authorization, "Bearer third", "re-read at once after a 401")
    }
}
