import Foundation
import KubeClient
import KubeEmulator
import Reconciler
import Synchronization
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

    /// The Lease's sleeps (renewal period, watch) wait until `tick` opens, and stay cancellable.
    func sleep(until tick: Gate) -> @Sendable (Double) async throws -> Void {
        { _ in while !tick.isOpen { try await Task.sleep(nanoseconds: 5_000_000) } }
    }

    func testALostLeaseStopsTheWritesThatHaveNotStarted() async throws {
        let c = try await exampleCluster()
        defer { Task { await c.stop() } }
        let transport = HookTransport(), renew = Gate(), stop = StopSignal()
        // While the first write is on its way, another process takes the Lease and our next
        // renewal finds it gone.
        transport.before { r in
            guard r.method == "PATCH", !renew.isOpen else { return }
            try? c.seedLease(holder: "run-b", renewTime: Date())
            renew.open()
            try? await c.waitFor("the renewal to find the Lease taken") { stop.reason != nil }
        }
        let run = Run(options: RunOptions(mode: .real, identity: "run-a"), client: c.client(transport: transport), stop: stop,
                      sleep: sleep(until: renew))
        let report = try await run.execute()
        XCTAssertEqual(report.metadata.lock?.state, "lost")
        XCTAssertTrue(report.metadata.stopped?.contains("taken or removed") == true, report.metadata.stopped ?? "")
        let results = Dictionary(report.entries.map { ($0.object.name, $0.result) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(results["kubearmor-controller"], .applied, "the write in flight finishes")
        XCTAssertEqual(results["kubearmor-apparmor-containerd-98c2c"], .skipped)
        XCTAssertEqual(c.object("leases", "default", "kreconcile")?["spec"]?["holderIdentity"], "run-b", "never released from under run-b")
    }

    /// A renewal hangs (the emulator's latency fault on the Lease) while the run writes; the
    /// first write takes 45 s of the run's clock: past the 40 s renew deadline, no write starts.
    func testNoWriteStartsAfterTheRenewDeadline() async throws {
        let c = try await exampleCluster()
        defer { Task { await c.stop() } }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let transport = HookTransport()
        let writes = Mutex(0)
        transport.after { r in if r.method == "PATCH", writes.withLock({ $0 += 1; return $0 }) == 1 { clock.advance(45) } }
        c.emulator.addFault(FaultRule(verb: "update", resource: "leases", count: 1, action: .latency(seconds: 1)))
        let firstSleep = Mutex(true)
        let sleep: @Sendable (Double) async throws -> Void = { _ in
            // Renew at once (the renewal that hangs), then not again during the test.
            if firstSleep.withLock({ let f = $0; $0 = false; return f }) { return }
            try await Task.sleep(nanoseconds: 3_600_000_000_000)
        }
        let report = try await Run(options: RunOptions(mode: .real, identity: "run-a"), client: c.client(transport: transport),
                                   now: clock.now, sleep: sleep).execute()
        let results = Dictionary(report.entries.map { ($0.object.name, $0) }, uniquingKeysWith: { a, _ in a })
        let daemonSet = results["kubearmor-apparmor-containerd-98c2c"]
        XCTAssertEqual(results["kubearmor-controller"]?.result, .applied)
        XCTAssertEqual(daemonSet?.result, .skipped)
        XCTAssertTrue(daemonSet?.detail?.contains("renew deadline 40s") == true, daemonSet?.detail ?? "")
        XCTAssertEqual(c.writes.filter { $0.method == "PATCH" }.count, 1, "no write started after the deadline")
        XCTAssertEqual(report.metadata.lock?.state, "lost")
        XCTAssertNil(c.object("leases", "default", "kreconcile")?["spec"]?["holderIdentity"], "still ours, so released")
    }

    /// Sharded and unsharded runs exclude each other (LeaseExclusion): each takes its own
    /// Lease, then steps back if the other side's is held.
    func testAShardedRunStaysOutWhileTheUnshardedLeaseIsHeld() async throws {
        let c = try await exampleCluster()
        defer { Task { await c.stop() } }
        try c.seedLease(holder: "unsharded-run", renewTime: Date())
        let report = try await Run(options: RunOptions(mode: .real, shard: Shard(index: 0, count: 3), identity: "shard-0"), client: c.client()).execute()
        XCTAssertEqual(report.metadata.lock?.state, "held-by-other")
        XCTAssertEqual(report.metadata.lock?.holder, "unsharded-run")
        XCTAssertEqual(report.metadata.lock?.lease, "default/kreconcile")
        XCTAssertTrue(c.writes.allSatisfy { $0.resource == "leases" }, "\(c.writes.map(\.path))")
        XCTAssertNil(c.object("leases", "default", "kreconcile-shard-0-of-3")?["spec"]?["holderIdentity"], "its own Lease let go")
    }

    func testTheUnshardedRunStaysOutWhileAShardLeaseIsHeld() async throws {
        let c = try await exampleCluster()
        defer { Task { await c.stop() } }
        try c.seedLease("kreconcile-shard-1-of-3", holder: "shard-1", renewTime: Date())
        try c.seedLease("kreconcile-shard-2-of-3", holder: "", renewTime: Date())  // released: no one
        let report = try await Run(options: RunOptions(mode: .real, identity: "unsharded"), client: c.client()).execute()
        XCTAssertEqual(report.metadata.lock?.state, "held-by-other")
        XCTAssertEqual(report.metadata.lock?.holder, "shard-1")
        XCTAssertTrue(c.writes.allSatisfy { $0.resource == "leases" }, "\(c.writes.map(\.path))")
        XCTAssertNil(c.object("leases", "default", "kreconcile")?["spec"]?["holderIdentity"], "its own Lease let go")
        // Once the shard is done, the unsharded run acts.
        try c.seedLease("kreconcile-shard-1-of-3", holder: "", renewTime: Date())
        let next = try await Run(options: RunOptions(mode: .real, identity: "unsharded"), client: c.client()).execute()
        XCTAssertEqual(next.metadata.lock?.state, "acquired")
        // Owner reference, orphaned binding, image; the restarts wait for the health gate.
        XCTAssertEqual(next.entries.filter { $0.result == .applied }.count, 3)
    }

    func testAStopWhileListingReportsAndReleasesWithoutWriting() async throws {
        let c = try await exampleCluster()
        defer { Task { await c.stop() } }
        let stop = StopSignal(), transport = HookTransport()
        // SIGTERM arrives as the first list request goes out.
        transport.before { r in if r.method == "GET", r.url.contains("limit=") { stop.request("SIGTERM received") } }
        let run = Run(options: RunOptions(mode: .real, identity: "run-a"), client: c.client(transport: transport), stop: stop)
        let report = try await run.execute()
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
