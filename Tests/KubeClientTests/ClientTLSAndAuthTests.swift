import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// TLS and authentication against the emulator over HTTPS, with certificates generated
/// at test time (no private key is committed).
final class ClientTLSAndAuthTests: XCTestCase {
    var certs: EmulatorCertificates!
    var dir: TempDir!

    override func setUp() async throws {
        dir = try TempDir()
        certs = try EmulatorCertificates.generate(in: dir.url)
    }

    func startHTTPS(tokens: Set<String>? = ["good-token"], clientCA: Bool = false) async throws -> Harness {
        try await Harness.start(EmulatorOptions(
            tls: EmulatorTLS(certificatePEM: certs.server.certificatePEM, privateKeyPEM: certs.server.keyPEM,
                             clientCAPEM: clientCA ? certs.clientCA.certificatePEM : nil),
            bearerTokens: tokens))
    }

    func version(_ client: KubeClient) async throws -> String? {
        try await client.get(path: "/version", as: JSONValue.self)["gitVersion"]?.stringValue
    }

    func testCADataPassesAndAWrongCAFailsClearly() async throws {
        let h = try await startHTTPS()
        defer { Task { await h.stop() } }
        let ok = h.client(token: "good-token", tls: TLSSettings(caPEM: Data(certs.ca.certificatePEM.utf8)))
        let v = try await version(ok)
        XCTAssertNotNil(v)

        let wrong = h.client(token: "good-token", tls: TLSSettings(caPEM: Data(certs.wrongCA.certificatePEM.utf8)))
        do {
            _ = try await version(wrong)
            XCTFail("a server certificate from another CA must be refused")
        } catch let error as TransportError {
            XCTAssertEqual(error.kind, .tls)
            XCTAssertTrue(error.description.lowercased().contains("certificate"), error.description)
        }
        XCTAssertEqual(h.emulator.requests().count, 1, "the refused connection sent no request")
    }

    func testInsecureSkipVerifyOnlyWhenSet() async throws {
        let h = try await startHTTPS()
        defer { Task { await h.stop() } }
        let logs = CapturedLogs()
        let insecure = h.client(token: "good-token", tls: TLSSettings(insecureSkipVerify: true), logger: logs.logger())
        let v = try await version(insecure)
        XCTAssertNotNil(v)
        XCTAssertEqual(logs.all.filter { $0.contains("TLS verification is disabled") }.count, 1)

        // Without a CA and without the flag, the system store does not trust the test CA.
        let strict = h.client(token: "good-token")
        do {
            _ = try await version(strict)
            XCTFail("verification must be on by default")
        } catch let error as TransportError {
            XCTAssertEqual(error.kind, .tls)
        }
    }

    func testTLSServerNameIsUsedForVerification() async throws {
        let h = try await startHTTPS()
        defer { Task { await h.stop() } }
        let ca = Data(certs.ca.certificatePEM.utf8)
        let named = h.client(token: "good-token", tls: TLSSettings(caPEM: ca, serverName: "localhost"))
        let v = try await version(named)
        XCTAssertNotNil(v)
        let wrongName = h.client(token: "good-token", tls: TLSSettings(caPEM: ca, serverName: "not-the-server.example"))
        do {
            _ = try await version(wrongName)
            XCTFail("a certificate without that name must be refused")
        } catch let error as TransportError {
            XCTAssertEqual(error.kind, .tls)
        }
    }

    func testAnExpiredServerCertificateIsRefused() async throws {
        let expired = try certs.serverCertificate("expired", altNames: "IP:127.0.0.1,DNS:localhost", days: -1)
        let h = try await Harness.start(EmulatorOptions(tls: EmulatorTLS(certificatePEM: expired.certificatePEM, privateKeyPEM: expired.keyPEM),
                                                        bearerTokens: ["good-token"]))
        defer { Task { await h.stop() } }
        let client = h.client(token: "good-token", tls: TLSSettings(caPEM: Data(certs.ca.certificatePEM.utf8)))
        do {
            _ = try await version(client)
            XCTFail("an expired server certificate must be refused")
        } catch let error as TransportError {
            XCTAssertEqual(error.kind, .tls)
            XCTAssertTrue(error.description.contains("expired"), error.description)
            XCTAssertFalse(error.description.contains("\n"), "one line: \(error.description)")
        }
        XCTAssertTrue(h.emulator.requests().isEmpty, "the refused connection sent no request")
        // The same certificate is accepted only when verification is explicitly off.
        let v = try await version(h.client(token: "good-token", tls: TLSSettings(insecureSkipVerify: true)))
        XCTAssertNotNil(v)
    }

    func testAWrongHostNameIsRefusedUnlessTLSServerNameNamesTheCertificate() async throws {
        let other = try certs.serverCertificate("other-name", altNames: "DNS:kube.example")
        let h = try await Harness.start(EmulatorOptions(tls: EmulatorTLS(certificatePEM: other.certificatePEM, privateKeyPEM: other.keyPEM),
                                                        bearerTokens: ["good-token"]))
        defer { Task { await h.stop() } }
        let ca = Data(certs.ca.certificatePEM.utf8)
        do {
            _ = try await version(h.client(token: "good-token", tls: TLSSettings(caPEM: ca)))
            XCTFail("a certificate for kube.example must not be accepted for 127.0.0.1")
        } catch let error as TransportError {
            XCTAssertEqual(error.kind, .tls)
            XCTAssertFalse(error.description.contains("\n"), "one line: \(error.description)")
        }
        let v = try await version(h.client(token: "good-token", tls: TLSSettings(caPEM: ca, serverName: "kube.example")))
        XCTAssertNotNil(v, "tls-server-name: the name the certificate is checked against")
    }

    func testClientCertificateAcceptedAndRejected() async throws {
        let h = try await startHTTPS(tokens: ["some-other-token"], clientCA: true)
        defer { Task { await h.stop() } }
        let ca = Data(certs.ca.certificatePEM.utf8)
        let withCert = h.client(tls: TLSSettings(caPEM: ca, clientCertificatePEM: Data(certs.client.certificatePEM.utf8),
                                                 clientKeyPEM: Data(certs.client.keyPEM.utf8)))
        let v = try await version(withCert)
        XCTAssertNotNil(v)

        // No certificate and no token: 401 with the real Status body.
        let anonymous = h.client(tls: TLSSettings(caPEM: ca))
        let error = await expectAPIError { _ = try await self.version(anonymous) }
        XCTAssertEqual(error?.code, 401)
        XCTAssertEqual(error?.reason, "Unauthorized")

        // A certificate the server's client CA did not sign is refused.
        let forged = h.client(tls: TLSSettings(caPEM: ca, clientCertificatePEM: Data(certs.server.certificatePEM.utf8),
                                               clientKeyPEM: Data(certs.server.keyPEM.utf8)))
        do {
            _ = try await version(forged)
            XCTFail("a client certificate from another CA must not authenticate")
        } catch let error as TransportError {
            XCTAssertEqual(error.kind, .tls)
        } catch let error as KubeAPIError {
            XCTAssertEqual(error.code, 401)
        }
    }

    func testKubeconfigWrittenToDiskDrivesARealConnection() async throws {
        let h = try await startHTTPS(clientCA: true)
        defer { Task { await h.stop() } }
        let cert = try dir.write("client.crt", certs.client.certificatePEM)
        _ = cert
        try dir.write("client.key", certs.client.keyPEM)
        let path = try dir.write("kubeconfig", """
            apiVersion: v1
            kind: Config
            current-context: emu
            clusters: [{name: emu, cluster: {server: "\(h.emulator.baseURL)", certificate-authority-data: \(b64(certs.ca.certificatePEM))}}]
            users: [{name: me, user: {client-certificate: client.crt, client-key: client.key}}]
            contexts: [{name: emu, context: {cluster: emu, user: me, namespace: default}}]
            """)
        let config = try KubeconfigLoader(explicitPath: path, environment: [:]).load()
        let client = KubeClient(config: config, options: .init(qps: 0))
        let created = try await client.create(.configMaps, namespace: config.namespace, body: configMap("from-kubeconfig"))
        XCTAssertNotNil(created["metadata"]?["uid"])
    }

    func testExecPluginIsRunAgainAfterA401() async throws {
        let h = try await startHTTPS(tokens: ["exec-token-2"])
        defer { Task { await h.stop() } }
        let plugin = try dir.write("plugin", """
            #!/bin/sh
            n=$(cat "\(dir.path)/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "\(dir.path)/count"
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token-%s"}}' "$n"
            """, executable: true)
        let source = ExecCredentialSource(config: ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: plugin, origin: "test"),
                                          cluster: nil)
        let client = h.client(tls: TLSSettings(caPEM: Data(certs.ca.certificatePEM.utf8)), credentials: source)
        let v = try await version(client)
        XCTAssertNotNil(v)
        XCTAssertEqual(h.emulator.requests().map(\.status), [401, 200])
        XCTAssertEqual(try String(contentsOfFile: dir.path + "/count", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), "2")

        // A credential that stays wrong is retried once only.
        h.emulator.setBearerTokens(["nobody-has-this"])
        h.emulator.clearRequests()
        let error = await expectAPIError { _ = try await self.version(client) }
        XCTAssertEqual(error?.code, 401)
        XCTAssertEqual(h.emulator.requests().count, 2)
    }

    func testRotatedTokenFileIsPickedUpAfterA401() async throws {
        let h = try await startHTTPS(tokens: ["token-v1"])
        defer { Task { await h.stop() } }
        let tokenPath = try dir.write("token", "token-v1")
        let clock = ManualDate()
        let client = h.client(tls: TLSSettings(caPEM: Data(certs.ca.certificatePEM.utf8)),
                              credentials: TokenFileSource(path: tokenPath, field: "test", now: clock.now))
        _ = try await version(client)
        // The server rotates: only v2 is valid now, and the file already holds it.
        h.emulator.setBearerTokens(["token-v2"])
        try dir.write("token", "token-v2")
        _ = try await version(client)
        XCTAssertEqual(h.emulator.requests().map(\.status), [200, 401, 200])
    }

    func testNoCredentialReachesAnyLogLineOrError() async throws {
        let secretToken = "super-secret-token-\(UUID().uuidString)"
        let h = try await startHTTPS(tokens: [secretToken], clientCA: true)
        defer { Task { await h.stop() } }
        let logs = CapturedLogs()
        let client = h.client(token: secretToken, tls: TLSSettings(caPEM: Data(certs.ca.certificatePEM.utf8),
                                                                   clientCertificatePEM: Data(certs.client.certificatePEM.utf8),
                                                                   clientKeyPEM: Data(certs.client.keyPEM.utf8)),
                              logger: logs.logger())
        h.emulator.addFault(FaultRule(verb: "get", count: 1, action: .status(code: 503, reason: "ServiceUnavailable", message: "x", retryAfterSeconds: 1)))
        _ = try await client.create(.configMaps, namespace: "default", body: configMap("c"))
        let _: JSONValue = try await client.get(.configMaps, namespace: "default", name: "c")
        let missing = await expectAPIError { let _: JSONValue = try await client.get(.configMaps, namespace: "default", name: "nope") }
        XCTAssertFalse(logs.all.isEmpty, "the client logged its requests")
        let keyBody = certs.client.keyPEM.split(separator: "\n").dropFirst().first.map(String.init) ?? "unreachable"
        for line in logs.all + [missing?.description ?? ""] + ["\(client.config.tls)"] {
            XCTAssertFalse(line.contains(secretToken), "token leaked: \(line)")
            XCTAssertFalse(line.contains(keyBody), "key leaked: \(line)")
            XCTAssertFalse(line.lowercased().contains("authorization"), "header leaked: \(line)")
        }
        // The emulator's own log redacts Authorization too.
        XCTAssertTrue(h.emulator.requests().allSatisfy { !($0.requestHeaders["authorization"] ?? "").contains(secretToken) })
    }
}
