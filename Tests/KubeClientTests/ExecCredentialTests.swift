import Foundation
import KubeClient
import XCTest

final class ExecCredentialTests: XCTestCase {
    /// A plugin that counts its runs, records KUBERNETES_EXEC_INFO and prints a token
    /// named after the run, expiring at $EXPIRY.
    func writePlugin(_ dir: TempDir) throws -> String {
        try dir.write("bin/plugin", """
            #!/bin/sh
            n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$COUNTER"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "$INFO_OUT"
            printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"exec-token-%s","expirationTimestamp":"%s"}}' "$API" "$n" "$EXPIRY"
            """, executable: true)
    }

    func kubeconfig(_ dir: TempDir, api: String = "client.authentication.k8s.io/v1", expiry: String, extra: String = "") throws -> String {
        try dir.write("kube/config", """
            current-context: c
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", certificate-authority-data: \(b64(fakeCertPEM))}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            users:
            - name: u
              user:
                exec:
                  apiVersion: \(api)
                  command: ../bin/plugin
                  provideClusterInfo: true
                  interactiveMode: IfAvailable
                  env:
                  - {name: COUNTER, value: "\(dir.path)/count"}
                  - {name: INFO_OUT, value: "\(dir.path)/info"}
                  - {name: API, value: "\(api)"}
                  - {name: EXPIRY, value: "\(expiry)"}
            \(extra)
            """)
    }

    func testPluginRunsOnceUntilExpiryThenAgain() async throws {
        let dir = try TempDir()
        _ = try writePlugin(dir)
        let clock = ManualDate()
        let expiry = ISO8601DateFormatter().string(from: clock.now().addingTimeInterval(300))
        let path = try kubeconfig(dir, expiry: expiry)
        let cfg = try KubeconfigLoader(explicitPath: path, environment: ["PATH": "/usr/bin:/bin"], now: clock.now).load()
        let source = try XCTUnwrap(cfg.credentials)

        var credential = try await source.current()
        XCTAssertEqual(credential.authorization, "Bearer exec-token-1")
        credential = try await source.current()
        XCTAssertEqual(credential.authorization, "Bearer exec-token-1", "cached before expiry")
        clock.advance(301)
        credential = try await source.current()
        XCTAssertEqual(credential.authorization, "Bearer exec-token-2", "re-run after expirationTimestamp")
        _ = await source.invalidate()
        credential = try await source.current()
        XCTAssertEqual(credential.authorization, "Bearer exec-token-3", "re-run after a 401")

        // KUBERNETES_EXEC_INFO carries the apiVersion, interactive=false and the cluster.
        let info = try JSONValue.parse(Data(contentsOf: dir.url.appendingPathComponent("info")))
        XCTAssertEqual(info["apiVersion"]?.stringValue, "client.authentication.k8s.io/v1")
        XCTAssertEqual(info["spec"]?["interactive"]?.boolValue, false)
        XCTAssertEqual(info["spec"]?["cluster"]?["server"]?.stringValue, "https://127.0.0.1:1")
        XCTAssertEqual(info["spec"]?["cluster"]?["certificate-authority-data"]?.stringValue, b64(fakeCertPEM))
    }

    func testV1beta1Works() async throws {
        let dir = try TempDir()
        _ = try writePlugin(dir)
        let path = try kubeconfig(dir, api: "client.authentication.k8s.io/v1beta1", expiry: "2099-01-01T00:00:00Z")
        let cfg = try KubeconfigLoader(explicitPath: path, environment: ["PATH": "/usr/bin:/bin"]).load()
        let credential = try await cfg.credentials?.current()
        XCTAssertEqual(credential?.authorization, "Bearer exec-token-1")
    }

    func testMissingCommandShowsInstallHint() async throws {
        let dir = try TempDir()
        let path = try dir.write("cfg", """
            current-context: c
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: no-such-auth-plugin
                  installHint: |
                    Install no-such-auth-plugin with
                    apt-get install it
            """)
        let cfg = try KubeconfigLoader(explicitPath: path, environment: ["PATH": dir.path]).load()
        do {
            _ = try await cfg.credentials?.current()
            XCTFail("expected an error")
        } catch let error as ConfigError {
            XCTAssertTrue(error.message.contains("users[0].user.exec"), error.message)
            XCTAssertTrue(error.message.contains("\"no-such-auth-plugin\": command not found"), error.message)
            XCTAssertTrue(error.message.contains("Install no-such-auth-plugin with apt-get install it"), error.message)
            XCTAssertFalse(error.message.contains("\n"))
        }
    }

    func testFailingAndMalformedPluginsGiveClearErrorsWithoutOutput() async throws {
        let dir = try TempDir()
        let failing = try dir.write("fail", "#!/bin/sh\necho 'login expired, run sso login' >&2\nexit 3\n", executable: true)
        let garbage = try dir.write("garbage", "#!/bin/sh\necho 'SECRET-IN-OUTPUT not json'\n", executable: true)
        let wrongVersion = try dir.write("wrong", "#!/bin/sh\n" + #"echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"SECRET-TOKEN"}}'"# + "\n", executable: true)
        let cases: [(String, String)] = [
            (failing, "failed with exit code 3: login expired, run sso login"),
            (garbage, "output is not an ExecCredential JSON object"),
            (wrongVersion, "does not match the kubeconfig's client.authentication.k8s.io/v1"),
        ]
        for (command, expected) in cases {
            let source = ExecCredentialSource(
                config: ExecConfig(apiVersion: "client.authentication.k8s.io/v1", command: command, origin: "test"), cluster: nil)
            do {
                _ = try await source.current()
                XCTFail("expected an error for \(command)")
            } catch let error as ConfigError {
                XCTAssertTrue(error.message.contains(expected), error.message)
                XCTAssertFalse(error.message.contains("SECRET"), error.message)
            }
        }
    }
}
