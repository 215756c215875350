import Foundation
import KubeClient
import KubeEmulator
import Reconciler
import XCTest

/// The whole pipeline in process, for what the binary's tests cannot time precisely:
/// a Lease lost mid-run, a stop while listing, the offline input errors.
final class RunTests: XCTestCase {
    func exampleCluster() async throws -> TestCluster {
        let c = try await TestCluster.start()
        try ExampleCluster.seed(c.emulator)
        c.emulator.clearRequests()
        return c
    }

    func testALostLeaseStopsTheWritesThatHaveNotStarted() async throws {
        let c = try await exampleCluster()
        defer { Task { await c.stop() } }
        var settings = Settings.defaults
        settings.lock.leaseDurationSeconds = 3  // renewed every second
        settings.checks.enabled.remove("apparmor-unprotected-pods")  // one write per kind below
        // The first write is slow; meanwhile another process takes the Lease.
        c.emulator.addFault(FaultRule(verb: "patch", resource: "deployments", count: 1, action: .latency(seconds: 1.6)))
        let run = Run(options: RunOptions(mode: .real, settings: settings, identity: "run-a"), client: c.client())
        async let pending = run.execute()
        while !c.emulator.requests().contains(where: { $0.resource == "daemonsets" && $0.verb == "list" }) {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        try c.emulator.seed(["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                             "metadata": ["name": "kreconcile", "namespace": "default"],
                             "spec": ["holderIdentity": "run-b", "leaseDurationSeconds": 60]])
        let report = try await pending
        XCTAssertEqual(report.metadata.lock?.state, "lost")
        XCTAssertTrue(report.metadata.stopped?.contains("taken or removed") == true, report.metadata.stopped ?? "")
        let results = Dictionary(report.entries.map { ($0.object.name, $0.result) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(results["kubearmor-controller"], .applied, "the write in flight finishes")
        XCTAssertEqual(results["kubearmor-apparmor-containerd-98c2c"], .skipped)
        XCTAssertEqual(c.object("leases", "default", "kreconcile")?["spec"]?["holderIdentity"], "run-b", "never released from under run-b")
    }

    func testAStopWhileListingReportsAndReleasesWithoutWriting() async throws {
        let c = try await exampleCluster()
        defer { Task { await c.stop() } }
        c.emulator.addFault(FaultRule(verb: "list", action: .latency(seconds: 0.5)))
        let stop = StopSignal()
        let run = Run(options: RunOptions(mode: .real, identity: "run-a"), client: c.client(), stop: stop)
        async let pending = run.execute()
        try await Task.sleep(nanoseconds: 150_000_000)
        stop.request("SIGTERM received")
        let report = try await pending
        XCTAssertEqual(report.metadata.stopped, "SIGTERM received")
        XCTAssertTrue(report.entries.isEmpty)
        XCTAssertEqual(c.writes.filter { $0.resource != "leases" }.count, 0)
        XCTAssertNil(c.object("leases", "default", "kreconcile")?["spec"]?["holderIdentity"], "released")
    }

    func testOfflineInputErrorsAreInputErrors() async throws {
        let run = Run(options: RunOptions(mode: .offline, snapshotFiles: ["/nonexistent/cluster.yaml"]), client: nil)
        do {
            _ = try await run.execute()
            XCTFail("a missing file must fail")
        } catch {
            XCTAssertTrue(error.isInputError)
            XCTAssertTrue(error.description.contains("/nonexistent/cluster.yaml"), error.description)
        }
    }

    func testOfflineRunPlansTheExampleLikeAClientDryRun() async throws {
        let c = try await exampleCluster()
        defer { Task { await c.stop() } }
        // One clock for both: the rollout restart of apparmor-unprotected-pods stamps the run's time.
        let clock: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_780_000_000) }
        let offline = try await Run(options: RunOptions(mode: .offline, snapshotFiles: [ExampleCluster.path]), client: nil, now: clock).execute()
        let dry = try await Run(options: RunOptions(mode: .clientDryRun), client: c.client(), now: clock).execute()
        XCTAssertEqual(offline.entries.map(\.action?.request), dry.entries.map(\.action?.request),
                       "the file and the cluster it describes give the same plan")
        // Problems 1-5, plus the example's Assign reported as at risk (it targets only Pods).
        XCTAssertEqual(offline.entries.count, 6)
        XCTAssertNil(offline.metadata.lock)
        XCTAssertEqual(dry.metadata.lock?.state, "not-taken")
        XCTAssertTrue(c.writes.isEmpty)
    }
}

extension TestCluster {
    func object(_ resource: String, _ namespace: String?, _ name: String) -> JSONValue? {
        emulator.object(resource, namespace: namespace, name: name)
    }
}
