import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// Operator safety through the binary against the emulator: the breaker's exit 4, the
/// timings, notifications to a loopback server, and bad settings (exit 2).
final class SafetyEndToEndTests: XCTestCase {
    override func setUpWithError() throws { try Binary.require() }

    /// The example without the operator's ownerReferences: owner-references has a fix for
    /// every object the operator creates (more than 2).
    let tripConfig = """
        checks:
          apparmor-unprotected-pods: {enabled: false}
          owner-references:
            safety: {abortWhen: {findingsOver: 2}, aborts: run}

        """

    func testABreakerTripAppliesNothingAndExits4() async throws {
        let c = try await E2ECluster.start(example: try E2ECluster.exampleWithoutOperatorOwners())
        defer { Task { await c.stop() } }
        let config = try c.file("trip.yaml", tripConfig)
        let table = try await c.run(["run", "--config", config])
        XCTAssertEqual(table.code, 4, table.stdout + table.stderr)
        XCTAssertTrue(table.stdout.contains("ABORTED: safety limit checks.owner-references.safety.abortWhen.findingsOver=2 crossed"), table.stdout)
        XCTAssertEqual(c.writes().map { "\($0.method) \($0.path)" }, [], "nothing applied, not even the other checks' fixes")

        let json = try await c.run(["run", "--config", config, "-o", "json"])
        XCTAssertEqual(json.code, 4)
        let report = try json.json()
        let results = Set((report["entries"]?.arrayValue ?? []).filter { $0["action"] != nil }.compactMap { $0["result"]?.stringValue })
        XCTAssertEqual(results, ["aborted"], "every would-be action is listed as aborted")
        XCTAssertEqual(report["safety"]?["runAborted"], true)
        XCTAssertEqual(report["safety"]?["trips"]?[0]?["limit"], "checks.owner-references.safety.abortWhen.findingsOver")
        XCTAssertGreaterThan(report["summary"]?["aborted"]?.intValue ?? 0, 2)
        XCTAssertEqual(c.writes().map { "\($0.method) \($0.path)" }, [])
    }

    func testADryRunSaysARealRunWouldAbort() async throws {
        let c = try await E2ECluster.start(example: try E2ECluster.exampleWithoutOperatorOwners())
        defer { Task { await c.stop() } }
        let r = try await c.run(["plan", "--config", try c.file("trip.yaml", tripConfig)])
        XCTAssertEqual(r.code, 4, r.stderr)
        XCTAssertTrue(r.stdout.contains("a real run would abort here"), r.stdout)
        XCTAssertEqual(c.writes(includingBookkeeping: true).map { "\($0.method) \($0.path)" }, [])
    }

    func testTheReportCarriesTimingsAndTheFlagPrintsThem() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let r = try await c.run(["plan", "-o", "json", "--timings"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let timings = try XCTUnwrap(try r.json()["timings"])
        let kinds = Dictionary(uniqueKeysWithValues: (timings["list"]?.arrayValue ?? []).map { ($0["resource"]?.stringValue ?? "", $0) })
        let deployments = try XCTUnwrap(kinds["deployments.apps"], "\(kinds.keys.sorted())")
        XCTAssertGreaterThanOrEqual(deployments["requests"]?.intValue ?? 0, 1)
        XCTAssertGreaterThan(deployments["objects"]?.intValue ?? 0, 0)
        XCTAssertGreaterThan(deployments["bytes"]?.intValue ?? 0, 0)
        let listed = c.emulator.requests().filter { $0.method == "GET" && $0.resource == "deployments" }.count
        XCTAssertEqual(deployments["requests"]?.intValue, listed, "one request per page, as the server saw them")
        for phase in ["lockSeconds", "listSeconds", "checksSeconds", "planSeconds", "applySeconds", "reportSeconds", "totalSeconds"] {
            XCTAssertNotNil(timings[phase]?.doubleValue, phase)
        }
        XCTAssertTrue(r.stderr.contains("PHASE") && r.stderr.contains("deployments.apps"), r.stderr)
        XCTAssertFalse(r.stdout.contains("PHASE"), "the table goes to stderr")
    }

    /// A kubeconfig with a bearer token, so a leak would show.
    func tokenEnvironment(_ c: E2ECluster, token: String, extra: [String: String]) throws -> [String: String] {
        let kubeconfig = try c.file("kubeconfig-token", """
            apiVersion: v1
            kind: Config
            clusters: [{name: e, cluster: {server: "\(c.emulator.baseURL)"}}]
            users: [{name: e, user: {token: \(token)}}]
            contexts: [{name: e, context: {cluster: e, user: e, namespace: default}}]
            current-context: e

            """)
        return c.environment.merging(["KUBECONFIG": kubeconfig]) { _, new in new }.merging(extra) { _, new in new }
    }

    func testANotificationCarriesTheSummaryAndNeverTheToken() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let hookPath = "/services/T000/B000/hook-SECRET-path"
        let config = try c.file("notify.yaml", """
            checks: {apparmor-unprotected-pods: {enabled: false}}
            notify: {urlEnv: NOTIFY_URL, format: generic, on: [applied, failed, aborted]}

            """)
        let env = try tokenEnvironment(c, token: SecretCanary.token, extra: ["NOTIFY_URL": "http://127.0.0.1:\(server.port)\(hookPath)"])
        let r = try await RunningBinary(["run", "--config", config, "-o", "json"], environment: env).wait()
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(server.requests.count, 1)
        let received = try XCTUnwrap(server.requests.first)
        XCTAssertTrue(received.head.hasPrefix("POST \(hookPath) HTTP/1.1"), received.head)
        let body = try JSONValue.parse(Data(received.body.utf8))
        XCTAssertEqual(body["kind"], "RunNotification")
        XCTAssertEqual(body["events"]?.arrayValue, ["applied"])
        XCTAssertEqual(body["summary"]?["applied"]?.intValue, try r.json()["summary"]?["applied"]?.intValue)
        for leak in [SecretCanary.token, "kubearmor-controller", "Authorization"] {
            XCTAssertFalse(received.head.contains(leak) || received.body.contains(leak), "\(leak) sent to the webhook")
        }
        XCTAssertEqual(try r.json()["notification"]?["sent"], true)
        XCTAssertFalse((r.stdout + r.stderr).contains("SECRET-path"), "the webhook URL is never printed")
    }

    func testAFailedNotificationIsReportedAndKeepsTheExitCode() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let server = try LoopbackHTTPServer(status: 500)
        defer { server.stop() }
        let config = try c.file("notify.yaml", """
            checks: {apparmor-unprotected-pods: {enabled: false}}
            notify: {urlFile: \(try c.file("url", "http://127.0.0.1:\(server.port)/hook/SECRET-path\n")), format: slack}

            """)
        let r = try await RunningBinary(["run", "--config", config], environment: c.environment).wait()
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(server.requests.count, 2, "one retry")
        XCTAssertTrue(server.requests[0].body.hasPrefix("{\"text\":\"kreconcile real run (applied): "), server.requests[0].body)
        XCTAssertTrue(r.stdout.contains("failed after 2 attempts: HTTP 500"), r.stdout)
        XCTAssertFalse((r.stdout + r.stderr).contains("SECRET-path"))
    }

    func testBadSafetySettingsExit2NamingTheField() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let cases = [
            ("safety: {abortWhen: {percentOver: 120}}", "safety.abortWhen.percentOver: must be a percentage over 0 and at most 100, got 120"),
            ("maintenance: {windows: [{schedule: \"0 22 * * 1-5\", duration: 4h, timeZone: Mars/Olympus}]}", "maintenance.windows[0].timeZone: unknown time zone \"Mars/Olympus\""),
            ("maintenance: {windows: [{schedule: \"0 22 * 13 *\", duration: 4h}]}", "maintenance.windows[0].schedule: month field \"13\": 13 is out of range 1-12"),
            ("notify: {urlEnv: NOT_SET_ANYWHERE}", "notify.urlEnv: environment variable NOT_SET_ANYWHERE is not set"),
        ]
        for (yaml, message) in cases {
            let r = try await c.run(["run", "--config", try c.file("bad.yaml", yaml + "\n")])
            XCTAssertEqual(r.code, 2, yaml)
            XCTAssertTrue(r.stderr.contains(message), r.stderr)
        }
        XCTAssertEqual(c.writes(includingBookkeeping: true).map { "\($0.method) \($0.path)" }, [], "nothing was sent")
    }
}
