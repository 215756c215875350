import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// Every end-to-end run checks its output for the harness's secret canaries
/// (RunningBinary.wait, E2ECluster.run). These tests prove the check catches a leak, and
/// drive the error paths where a secret is closest to a message: a refused token, a failing
/// exec plugin, kubeconfig errors on the very fields that hold secrets.
final class SecretLeakTests: XCTestCase {
    override func setUpWithError() throws {
        try Binary.require()
    }

    func testTheCheckCatchesADeliberateLeak() async throws {
        let c = try await E2ECluster.start(example: "")
        defer { Task { await c.stop() } }
        // The binary names a missing snapshot file in its error: a path holding the token leaks it.
        let r = try await RunningBinary(["run", "--snapshot", "/nonexistent/\(SecretCanary.token).yaml"], environment: c.environment).waitUnchecked()
        XCTAssertEqual(r.code, 2, r.stderr)
        XCTAssertEqual(SecretCanary.leaks(in: r.stderr), ["token"])
        _ = try c.file("report.txt", "key: \(SecretCanary.keyBody)\ndata: \(Data(SecretCanary.secretData.utf8).base64EncodedString())\n")
        XCTAssertEqual(c.secretsInFiles().map(\.leaks), [["client key", "Secret data (base64)"]])
        try FileManager.default.removeItem(atPath: c.dir.appendingPathComponent("report.txt").path)
        XCTAssertTrue(c.secretsInFiles().isEmpty, "the kubeconfig and the plugin hold the canaries by design and are not checked")
    }

    func testASuccessfulRunAtTraceLevelPrintsNoSecret() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        for format in ["text", "json"] {
            let r = try await c.run(["plan", "--log-level", "trace", "--log-format", format, "-o", "yaml", "--show-requests"])
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertFalse(r.stderr.isEmpty, "trace logs the requests")
        }
        let real = try await c.run(["run", "--log-level", "trace", "-o", "json", "--backup-dir", c.dir.appendingPathComponent("backup").path])
        XCTAssertEqual(real.code, 0, real.stderr)
    }

    func testARefusedTokenSaysUnauthorizedAndNothingMore() async throws {
        let c = try await E2ECluster.start(example: "", options: EmulatorOptions(bearerTokens: ["only-this-one"]))
        defer { Task { await c.stop() } }
        let r = try await c.run(["plan", "--log-level", "debug"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("401") || r.stderr.contains("Unauthorized"), r.stderr)
    }

    /// A kubeconfig whose only user is `user` (YAML flow mapping), against the cluster.
    func run(_ c: E2ECluster, user: String, _ args: [String] = ["plan"]) async throws -> Outcome {
        let kubeconfig = try c.file("kubeconfig-case", """
            apiVersion: v1
            kind: Config
            current-context: e
            clusters: [{name: e, cluster: {server: "\(c.emulator.baseURL)"}}]
            users: [{name: e, user: \(user)}]
            contexts: [{name: e, context: {cluster: e, user: e, namespace: default}}]

            """)
        let env = c.environment.merging(["KUBECONFIG": kubeconfig]) { _, new in new }
        return try await RunningBinary(args, environment: env).wait()
    }

    func testAFailingExecPluginLeaksNothing() async throws {
        let c = try await E2ECluster.start(example: "")
        defer { Task { await c.stop() } }
        let exec = { (script: String) throws -> String in
            let path = try c.file("plugin-\(UUID().uuidString).sh", "#!/bin/sh\n" + script + "\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
            return "{exec: {apiVersion: client.authentication.k8s.io/v1, command: \(path), interactiveMode: Never, env: [{name: PLUGIN_SECRET, value: \(SecretCanary.keyBody)}]}}"
        }
        let outputs = [
            // Fails; its own message is printed (its last stderr line), the env it was given is not.
            "echo 'cannot reach the identity provider' >&2; exit 3",
            // Output that is not an ExecCredential, carrying the token.
            "echo '\(SecretCanary.token) is not JSON'",
            "printf '{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"status\":{\"token\":\"\(SecretCanary.token)\"}}'",
            "printf '{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"status\":{\"token\":\"\(SecretCanary.token)\",\"expirationTimestamp\":\"\(SecretCanary.execMarker)\"}}'",
            "printf '{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"status\":{\"clientKeyData\":\"\(SecretCanary.keyPEM.replacingOccurrences(of: "\n", with: "\\\\n"))\"}}'",
        ]
        for script in outputs {
            let r = try await run(c, user: try exec(script))
            XCTAssertEqual(r.code, 1, "\(script): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("exec plugin"), r.stderr)
        }
    }

    func testKubeconfigErrorsOnSecretFieldsQuoteNoValue() async throws {
        let c = try await E2ECluster.start(example: "")
        defer { Task { await c.stop() } }
        let token = SecretCanary.token, key = Data(SecretCanary.keyPEM.utf8).base64EncodedString()
        let users = [
            "{token: [\(token)]}",
            "{token: {value: \(token)}}",
            "{token: \(token), username: me, password: \(token)}",
            "{token: \(token), tokenFile: /nonexistent/token}",
            "{client-key-data: \"%%\(SecretCanary.keyBody)%%\", client-certificate-data: \(key)}",
            "{client-key-data: \(key)}",
            "{client-certificate-data: \(key), client-key-data: \(key)}",
            "{password: [\(token)]}",
            "{token: \(token), as-groups: [\(token)]}",
            "{token: \"\(token)",  // a YAML syntax error on the token's own line
        ]
        for user in users {
            let r = try await run(c, user: user)
            XCTAssertEqual(r.code, 2, "\(user): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(c.emulator.requests().isEmpty)
        }
    }
}
