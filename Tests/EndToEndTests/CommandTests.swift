import Foundation
import KubeClient
import XCTest

/// The commands that need no cluster, the help text, and the terminal-only progress line.
final class CommandTests: XCTestCase {
    override func setUpWithError() throws {
        try Binary.require()
    }

    func run(_ args: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"]) async throws -> Outcome {
        try await RunningBinary(args, environment: environment).wait()
    }

    func testHelpDocumentsTheExitCodes() async throws {
        for args in [["--help"], ["run", "--help"], ["plan", "--help"]] {
            let r = try await run(args)
            XCTAssertEqual(r.code, 0)
            for line in ["EXIT CODES", "0  the run did what it planned", "1  an action or an API request failed",
                         "2  bad usage, settings", "3  only with --exit-code", "4  aborted by a safety limit"] {
                XCTAssertTrue(r.stdout.contains(line), "\(args): missing \(line)")
            }
        }
    }

    func testChecksListsEveryCheckWithItsOptions() async throws {
        let r = try await run(["checks"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("owner-references\n  "), r.stdout)
        XCTAssertTrue(r.stdout.contains("kubearmor-image-drift\n  "), r.stdout)
        XCTAssertTrue(r.stdout.contains("option rules"), r.stdout)
    }

    func testPrintDefaultsIsAValidSettingsFile() async throws {
        let r = try await run(["config", "--print-defaults"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("maxChanges: 20"), r.stdout)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kreconcile-cfg-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: dir) }  // best-effort cleanup of a temp file
        try r.stdout.write(to: dir, atomically: true, encoding: .utf8)
        let valid = try await run(["config", "--validate", dir.path])
        XCTAssertEqual(valid.code, 0, valid.stderr)
        try "lock:\n  leaseDurationSeconds: soon\n".write(to: dir, atomically: true, encoding: .utf8)
        let invalid = try await run(["config", "--validate", dir.path])
        XCTAssertEqual(invalid.code, 2)
        XCTAssertTrue(invalid.stderr.contains("lock.leaseDurationSeconds"), invalid.stderr)
    }

    func testBadUsageExitsTwo() async throws {
        let example = Binary.packageRoot.appendingPathComponent("examples/cluster.yaml").path
        let cases: [([String], String)] = [
            (["run", "--snapshot", "/nonexistent.yaml"], "/nonexistent.yaml"),
            (["run", "--snapshot", example, "--dry-run=server"], "--dry-run=server"),
            (["run", "--snapshot", example, "--schedule-interval", "soon"], "--schedule-interval"),
            (["run", "--snapshot", example, "--shard", "/3"], "JOB_COMPLETION_INDEX"),
            (["run", "--snapshot", example, "-o", "xml"], "xml"),
            (["run", "--kubeconfig", "/nonexistent/kubeconfig"], "/nonexistent/kubeconfig"),
        ]
        for (args, named) in cases {
            let r = try await run(args)
            XCTAssertEqual(r.code, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(named), "\(args): \(r.stderr)")
        }
        let env = try await run(["run", "--snapshot", example, "--shard", "/3", "-o", "json"],
                                environment: ["JOB_COMPLETION_INDEX": "1", "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(env.code, 0, env.stderr)
        XCTAssertEqual(try env.json()["metadata"]?["shard"], "1/3")
    }

    func testProgressLineOnlyOnATerminal() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let piped = try await c.run(["plan"])
        XCTAssertFalse(piped.stderr.contains("listing:"), piped.stderr)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("script(1) is needed for a pseudo-terminal") }
        // script(1) gives the child a pseudo-terminal, so isatty(2) is true there.
        let tty = try await RunningBinary(["-qec", "\(Binary.path) plan", "/dev/null"], environment: c.environment, executable: "/usr/bin/script").wait()
        XCTAssertEqual(tty.code, 0, tty.stdout)
        XCTAssertTrue(tty.stdout.contains("listing: "), tty.stdout)
        XCTAssertTrue(tty.stdout.contains("kinds, "), tty.stdout)
    }
}
