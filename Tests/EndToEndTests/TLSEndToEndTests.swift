import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// TLS is verified unless the kubeconfig explicitly disables it, through the binary: a
/// server certificate from another CA, an expired one, or one for another host name fails
/// the run with one line and sends nothing; `tls-server-name` names the certificate's host,
/// `insecure-skip-tls-verify: true` is the only way to skip verification.
final class TLSEndToEndTests: XCTestCase {
    var dir: URL!
    var certs: EmulatorCertificates!

    override func setUp() async throws {
        try Binary.require()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kreconcile-tls-\(UUID().uuidString)")
        certs = try EmulatorCertificates.generate(in: dir.appendingPathComponent("pki"))
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: dir)  // best-effort cleanup of a temp dir
    }

    func emulator(_ server: EmulatorCertificates.Pair) async throws -> KubeEmulator {
        let emulator = KubeEmulator(options: EmulatorOptions(
            tls: EmulatorTLS(certificatePEM: server.certificatePEM, privateKeyPEM: server.keyPEM), bearerTokens: [SecretCanary.token]))
        try await emulator.start()
        return emulator
    }

    /// `kreconcile plan` with a kubeconfig whose cluster entry has `clusterFields` besides the server.
    func plan(_ emulator: KubeEmulator, _ clusterFields: String) async throws -> Outcome {
        let kubeconfig = dir.appendingPathComponent("kubeconfig-\(UUID().uuidString)")
        try """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{name: c, cluster: {server: "\(emulator.baseURL)"\(clusterFields.isEmpty ? "" : ", " + clusterFields)}}]
            users: [{name: u, user: {token: \(SecretCanary.token)}}]
            contexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]

            """.write(to: kubeconfig, atomically: true, encoding: .utf8)
        emulator.clearRequests()
        return try await RunningBinary(["plan", "-o", "json"], environment: ["KUBECONFIG": kubeconfig.path, "HOME": dir.path, "PATH": "/usr/bin:/bin"]).wait()
    }

    func ca(_ pair: EmulatorCertificates.Pair) -> String {
        "certificate-authority-data: \(Data(pair.certificatePEM.utf8).base64EncodedString())"
    }

    /// Exit 1 (the cluster, not the input, is wrong), one line naming the problem, nothing sent.
    func assertRefused(_ r: Outcome, _ emulator: KubeEmulator, mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.code, 1, r.stderr, file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line: \(r.stderr)", file: file, line: line)
        for word in words { XCTAssertTrue(r.stderr.lowercased().contains(word), "\(word): \(r.stderr)", file: file, line: line) }
        XCTAssertTrue(emulator.requests().isEmpty, "nothing reached the server", file: file, line: line)
    }

    func testVerifiedAgainstTheKubeconfigCA() async throws {
        let emulator = try await emulator(certs.server)
        defer { Task { await emulator.shutdown() } }
        let ok = try await plan(emulator, ca(certs.ca))
        XCTAssertEqual(ok.code, 0, ok.stderr)

        assertRefused(try await plan(emulator, ca(certs.wrongCA)), emulator, mentioning: ["certificate"])
        // Without a CA the system store is used, which does not trust the test CA; saying
        // `insecure-skip-tls-verify: false` changes nothing.
        assertRefused(try await plan(emulator, ""), emulator, mentioning: ["certificate"])
        assertRefused(try await plan(emulator, "insecure-skip-tls-verify: false"), emulator, mentioning: ["certificate"])
        // Only the explicit flag skips verification, and the run says so.
        let insecure = try await plan(emulator, "insecure-skip-tls-verify: true")
        XCTAssertEqual(insecure.code, 0, insecure.stderr)
        XCTAssertTrue(insecure.stderr.contains("TLS verification is disabled"), insecure.stderr)
    }

    func testAnExpiredServerCertificateFails() async throws {
        let expired = try certs.serverCertificate("expired", altNames: "IP:127.0.0.1,DNS:localhost", days: -1)
        let emulator = try await emulator(expired)
        defer { Task { await emulator.shutdown() } }
        assertRefused(try await plan(emulator, ca(certs.ca)), emulator, mentioning: ["certificate", "expired"])
    }

    func testAWrongHostNameFailsUnlessTLSServerNameIsSet() async throws {
        let other = try certs.serverCertificate("other-host", altNames: "DNS:kube.example")
        let emulator = try await emulator(other)
        defer { Task { await emulator.shutdown() } }
        assertRefused(try await plan(emulator, ca(certs.ca)), emulator, mentioning: ["certificate"])
        let named = try await plan(emulator, ca(certs.ca) + ", tls-server-name: kube.example")
        XCTAssertEqual(named.code, 0, named.stderr)
        assertRefused(try await plan(emulator, ca(certs.ca) + ", tls-server-name: elsewhere.example"), emulator, mentioning: ["certificate"])
    }
}
