import Foundation
import KubeClient
import KubeEmulator
@testable import Reconciler
import XCTest

/// Run records in ConfigMaps on the emulator: retention, size limits, dry runs.
final class RunHistoryTests: XCTestCase {
    /// No check enabled: each run is only lock, list namespaces, record.
    static let quiet = """
        checks:
          owner-references: {enabled: false}
          kubearmor-image-drift: {enabled: false}
          apparmor-unprotected-pods: {enabled: false}
          gatekeeper-orphaned-vap: {enabled: false}
          gatekeeper-mutation-drift: {enabled: false}
        """

    func testSixtyRunsKeepFiftyAndOldRecordsArePrunedWithinTheBudget() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_790_000_000))
        let settings = try Settings.load(yaml: Self.quiet, path: "t.yaml")
        var ids: [String] = []
        for _ in 1...60 {
            let report = try await Run(options: RunOptions(mode: .real, settings: settings, identity: "history-test"), client: c.client(), now: clock.now).execute()
            ids.append(try XCTUnwrap(report.metadata.runID))
            clock.advance(60)
        }
        let history = RunHistory(client: c.client(), namespace: "default", instance: "kreconcile")
        let kept = try await history.list().map(\.summary.runID)
        XCTAssertEqual(kept, Array(ids.suffix(50).reversed()), "the newest 50, newest first")
        XCTAssertEqual(c.emulator.objects("configmaps", namespace: "default").count, 50)

        // Eight days on, all 50 are past maxAgeDays (7): one run deletes at most maxChanges (20) of them.
        clock.advance(8 * 86_400)
        c.emulator.clearRequests()
        let late = try await Run(options: RunOptions(mode: .real, settings: settings, identity: "history-test"), client: c.client(), now: clock.now).execute()
        let afterPrune = try await history.list()
        XCTAssertEqual(afterPrune.count, 50 + 1 - 20)
        let deletes = c.writes.filter { $0.method == "DELETE" }
        XCTAssertEqual(deletes.count, 20)
        for d in deletes {
            XCTAssertNotNil(try JSONValue.parse(try XCTUnwrap(d.body))["preconditions"]?["uid"]?.stringValue, "deleted by uid: \(d.path)")
        }
        XCTAssertEqual(afterPrune.first?.summary.runID, late.metadata.runID)
    }

    func testDryRunsWriteNoRecord() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let settings = try Settings.load(yaml: Self.quiet, path: "t.yaml")
        for mode in [RunMode.clientDryRun, .serverDryRun] {
            let report = try await Run(options: RunOptions(mode: mode, settings: settings), client: c.client()).execute()
            XCTAssertNil(report.metadata.runID)
        }
        XCTAssertEqual(c.writes.count, 0)
        XCTAssertEqual(c.emulator.objects("configmaps", namespace: "default").count, 0)
    }

    func testHistoryDisabledWritesNoRecord() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let settings = try Settings.load(yaml: Self.quiet + "\nhistory: {enabled: false}", path: "t.yaml")
        let report = try await Run(options: RunOptions(mode: .real, settings: settings), client: c.client()).execute()
        XCTAssertNil(report.metadata.record)
        XCTAssertEqual(c.emulator.objects("configmaps", namespace: "default").count, 0)
    }

    /// A report and `count` backups of deleted objects, each holding `bytes` of random
    /// (incompressible) text.
    func record(backups count: Int, bytes: Int) -> RunRecord {
        let meta = RunReport.Metadata(startTime: "2026-11-30T07:00:00.000000Z", finishTime: "2026-11-30T07:00:02.500000Z", mode: .real, source: "test")
        let backups = (0..<count).map { i -> Backup in
            var noise = [UInt8](repeating: 0, count: bytes * 3 / 4)
            for j in noise.indices { noise[j] = UInt8.random(in: 0...255) }
            let ref = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "ns", name: "cm-\(i)", uid: "uid-\(i)", resourceVersion: "1")
            return Backup(order: i, operation: .delete, target: ref, check: "c", summary: "delete cm-\(i)", path: "/api/v1/namespaces/ns/configmaps/cm-\(i)",
                          object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("cm-\(i)")],
                                   "data": ["blob": .string(Data(noise).base64EncodedString())]])
        }
        return RunRecord(runID: "20261130-070000-abcdef", operation: .run, report: RunReport(metadata: meta, checks: [], results: [], estimate: nil),
                         backups: backups)
    }

    /// What the API server counts against the 1 MiB limit: data values plus decoded binaryData.
    func payloadSize(_ cm: JSONValue) -> Int {
        let data = (cm["data"]?.objectValue ?? [:]).values.reduce(0) { $0 + ($1.stringValue?.utf8.count ?? 0) }
        let binary = (cm["binaryData"]?.objectValue ?? [:]).values.reduce(0) { $0 + (Data(base64Encoded: $1.stringValue ?? "")?.count ?? 0) }
        return data + binary
    }

    func testARecordOverTheConfigMapLimitIsCutWithAMarkerAndTheRunGoesOn() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let history = RunHistory(client: c.client(), namespace: "default", instance: "kreconcile")
        // 12 x 120 KB of noise: about 1.4 MB even gzipped.
        let outcome = await history.record(record(backups: 12, bytes: 120_000), now: Date())
        XCTAssertTrue(outcome.written, outcome.record)
        let marker = try XCTUnwrap(outcome.truncated)
        XCTAssertTrue(marker.hasPrefix("TRUNCATED: record over the ConfigMap size limit (1048576 bytes)"), marker)
        let cm = try XCTUnwrap(c.emulator.object("configmaps", namespace: "default", name: "kreconcile-run-20261130-070000-abcdef"))
        XCTAssertLessThanOrEqual(payloadSize(cm), RecordCodec.configMapLimit)
        XCTAssertNotNil(cm["binaryData"]?[RecordCodec.gzipKey], "large records are gzipped")

        let stored = try await history.read(runID: "20261130-070000-abcdef")
        XCTAssertEqual(stored.truncated, marker)
        let dropped = stored.backups.filter { $0.notKept?.hasPrefix("dropped") == true }
        XCTAssertFalse(dropped.isEmpty)
        XCTAssertLessThan(dropped.count, 12, "only as many as needed")
        XCTAssertTrue(dropped.allSatisfy { $0.object == nil })
        let listed = try await history.list()
        let summary = try XCTUnwrap(listed.first?.summary)
        XCTAssertTrue(summary.truncated)
        XCTAssertTrue(HistoryTable.render([summary]).contains("20261130-070000-abcdef*"))
    }

    func testSmallRecordsArePlainJSONAndLargerOnesGzipAndBothReadBack() throws {
        for (bytes, key) in [(1_000, RecordCodec.plainKey), (200_000, RecordCodec.gzipKey)] {
            // Compressible: the same text repeated.
            var r = record(backups: 1, bytes: 8)
            r.backups[0].object?["data"] = ["blob": .string(String(repeating: "abc ", count: bytes / 4))]
            let (cm, stored) = try RecordCodec().configMap(r, namespace: "default", instance: "kreconcile")
            XCTAssertNil(stored.truncated)
            XCTAssertEqual(Array((cm["data"]?.objectValue ?? cm["binaryData"]?.objectValue ?? [:]).keys), [key])
            XCTAssertEqual(try RecordCodec.record(from: cm), r)
            XCTAssertEqual(cm["metadata"]?["labels"]?[RecordCodec.runIDLabel], .string(r.runID))
            XCTAssertEqual(cm["metadata"]?["labels"]?[RecordCodec.managedBy], "kreconcile")
        }
    }
}
