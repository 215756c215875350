import Foundation
import KubeClient
import XCTest

/// Every invalid kubeconfig, settings, snapshot and teardown-profile field: one line naming
/// the file and the field, checked in process for the whole table, and through the binary
/// for a sample of it (exit 2, nothing on stdout, not one request: BadInputRunner). The
/// tables are generated from valid documents holding every field their parser reads.
final class BadInputTests: XCTestCase {
    override func setUpWithError() throws {
        try Binary.require()
    }

    /// The whole table in process, then every `stride`-th case (about 20) through the binary.
    func check(_ kind: String, _ table: [BadInput], runner: BadInputRunner, parse: (_ home: String) -> InProcessParsers.Parse,
               file: StaticString = #filePath, line: UInt = #line) async throws {
        XCTAssertEqual(Set(table.map(\.name)).count, table.count, "\(kind): case names are unique", file: file, line: line)
        let inProcess = try runner.runInProcess(table, parse: parse)
        for f in inProcess.failures { XCTFail("\(kind) (in process): \(f.input): \(f.problem)", file: file, line: line) }
        let stride = max(1, table.count / 20)
        let sample = table.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
        let binary = try await runner.run(sample)
        for f in binary.failures { XCTFail("\(kind) (binary): \(f.input): \(f.problem)", file: file, line: line) }
        print("bad input: \(kind): table of \(table.count) cases in process in \(String(format: "%.2f", inProcess.seconds)) s, "
              + "\(sample.count) of them through the binary in \(String(format: "%.1f", binary.seconds)) s; "
              + "\(inProcess.failures.count + binary.failures.count) failed")
    }

    func testKubeconfig() async throws {
        let table = KubeconfigTable.cases
        XCTAssertGreaterThan(table.count, 100)
        try await check("kubeconfig", table, runner: BadInputRunner(arguments: { ["run", "--kubeconfig", $0] }, fileLabel: { "kubeconfig \($0)" },
                                                                    auxiliaryFiles: KubeconfigTable.auxiliaryFiles),
                        parse: InProcessParsers.kubeconfig)
    }

    func testSettings() async throws {
        let defaults = try await RunningBinary(["config", "--print-defaults"], environment: ["PATH": "/usr/bin:/bin"]).wait()
        XCTAssertEqual(defaults.code, 0, defaults.stderr)
        let document = try XCTUnwrap(try JSONValue.parseDocuments(defaults.stdout).first)
        XCTAssertNotNil(document["checks"]?["owner-references"]?["safety"], "the defaults hold each check's options and safety")
        let table = SettingsTable.cases(defaults: document)
        XCTAssertGreaterThan(table.count, 150)
        try await check("settings", table, runner: BadInputRunner(arguments: { ["run", "--config", $0] }), parse: { _ in InProcessParsers.settings })
    }

    func testSnapshot() async throws {
        let table = SnapshotTable.cases
        XCTAssertGreaterThan(table.count, 150)
        try await check("snapshot", table, runner: BadInputRunner(arguments: { ["run", "--snapshot", $0] }), parse: { _ in InProcessParsers.snapshot })
    }

    func testTeardownProfile() async throws {
        let table = TeardownProfileTable.cases
        XCTAssertGreaterThan(table.count, 100)
        try await check("teardown profile", table, runner: BadInputRunner(arguments: { ["teardown", "--profile", $0] }),
                        parse: { _ in InProcessParsers.teardownProfile })
    }
}

enum BadInputTables {
    /// The kubeconfig of every case but the kubeconfig ones: valid, so only the file under
    /// test can be wrong, and pointed at the emulator, so anything sent would show.
    static let validKubeconfig = """
        apiVersion: v1
        kind: Config
        current-context: ctx
        clusters: [{name: c, cluster: {server: "@SERVER@"}}]
        users: [{name: u, user: {token: \(SecretCanary.token)}}]
        contexts: [{name: ctx, context: {cluster: c, user: u, namespace: default}}]

        """
}
