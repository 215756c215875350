import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// `--metrics-file` and `--pushgateway` on a real run of the binary.
final class MetricsTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Binary.path),
                          "kreconcile is not built at \(Binary.path); run `swift build --build-tests` first")
    }

    func testMetricsFileHoldsTheRunAndAFailedRunKeepsTheLastSuccess() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let file = c.dir.appendingPathComponent("kreconcile.prom").path
        let r = try await c.run(["run", "--metrics-file", file])
        XCTAssertEqual(r.code, 0, r.stderr)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertTrue(text.contains(#"kreconcile_actions{check="owner-references",result="applied"} 1.0"#), text)
        XCTAssertTrue(text.contains(#"kreconcile_actions{check="kubearmor-image-drift",result="applied"} 1.0"#), text)
        XCTAssertTrue(text.contains("kreconcile_run_success 1.0"), text)
        let success = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("kreconcile_last_success_timestamp_seconds ") })

        // The API server is gone: the next run fails before acting.
        await c.emulator.shutdown()
        let failed = try await c.run(["run", "--metrics-file", file])
        XCTAssertEqual(failed.code, 1, failed.stderr)
        let after = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertTrue(after.contains("kreconcile_run_success 0.0"), after)
        XCTAssertTrue(after.split(separator: "\n").contains(success), "the last success survives a failed run: \(after)")
    }

    func testPushgatewayGetsAPutOfTheRunsGroup() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        // The emulator is no Pushgateway: it logs the PUT and answers 404, which kreconcile
        // reports on stderr without failing the run.
        let r = try await c.run(["run", "--pushgateway", c.emulator.baseURL + "/"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let push = try XCTUnwrap(c.emulator.requests().first { $0.path.hasPrefix("/metrics/") }, "no push reached the server")
        XCTAssertEqual(push.method, "PUT")
        XCTAssertEqual(push.path, "/metrics/job/kreconcile")
        let body = String(decoding: push.body ?? Data(), as: UTF8.self)
        XCTAssertTrue(body.contains("kreconcile_run_success 1.0"), body)
        XCTAssertTrue(r.stderr.contains("Pushgateway refused"), r.stderr)
    }

    func testABadPushgatewayURLIsAUsageError() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let r = try await c.run(["run", "--pushgateway", "pushgateway:9091"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("--pushgateway"), r.stderr)
        XCTAssertTrue(c.emulator.requests().isEmpty, "nothing is sent on a usage error")
    }
}
