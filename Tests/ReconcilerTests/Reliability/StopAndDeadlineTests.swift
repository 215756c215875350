import Foundation
import KubeClient
import KubeEmulator
import Reconciler
import Synchronization
import XCTest

/// SIGTERM (what the CLI's signal handler turns into a stop request) in the middle of the
/// listing, of the plan and of the batch of writes, and the run deadline: no write starts
/// after it, the Lease is released, the run exits 1 saying why, and the next run converges.
final class StopAndDeadlineTests: XCTestCase {
    static let spec = ClusterSpec(nodes: 2, namespaces: 1, pods: 10, daemonsets: 1, statefulsets: 1, pdbs: 1, seed: 3, problemRate: 0.5)

    static var settings: Settings {
        var s = Settings.defaults
        s.client.pageSize = 4
        s.budgets = Budgets(maxChanges: 30, maxPerNamespace: 10, maxPerNode: 10, maxUnhealthyWorkloads: 10)
        return s
    }

    /// Not bookkeeping: the Lease, Events and the run's own record (run history) are written
    /// after a stop too, like the Lease's release.
    static func isActionWrite(_ r: HTTPRequest) -> Bool {
        r.method != "GET" && !r.url.contains("/leases") && !r.url.contains("/events") && !isRunRecord(r)
    }

    static func isRunRecord(_ r: HTTPRequest) -> Bool {
        RunInvariants.isRunRecord(method: r.method, configMap: r.url.contains("/configmaps"), name: r.url, body: r.body)
    }

    /// The snapshot's lists, not the run-history list made when the record is kept.
    static func isSnapshotList(_ r: RequestRecord) -> Bool {
        r.verb == "list" && !(r.query["labelSelector"]?.contains { $0.contains(RecordCodec.runIDLabel) } ?? false)
    }

    /// Runs with `hook` around each request (it may request the stop), then checks the rules.
    func stopped(at what: String, hook: @escaping @Sendable (HTTPRequest, StopSignal) async -> Void,
                 after: Bool = false, settings: Settings = StopAndDeadlineTests.settings,
                 expectLine: String = "SIGTERM") async throws {
        let c = try await ReliabilityCluster(spec: Self.spec)
        let stop = StopSignal()
        let transport = HookTransport()
        let writesAfterStop = Mutex<[String]>([])
        transport.before { r in
            if stop.reason != nil, Self.isActionWrite(r) { writesAfterStop.withLock { $0.append("\(r.method) \(r.url)") } }
            if !after { await hook(r, stop) }
        }
        if after { transport.after { r in await hook(r, stop) } }
        let r = await c.run(settings: settings, waits: .block, stop: stop, transport: transport)
        XCTAssertEqual(r.exitCode, 1, "\(what): \(r.line)")
        XCTAssert(r.line.contains(expectLine), "\(what): \(r.line)")
        XCTAssertEqual(writesAfterStop.withLock { $0 }, [], "\(what): writes started after the stop")
        let lease = c.emulator.object("leases", namespace: "default", name: "kreconcile")
        XCTAssertEqual(lease?["spec"]?["holderIdentity"]?.stringValue ?? "", "", "\(what): the Lease is released")
        // The next run (another CronJob pod) finishes the job.
        var runs = 0
        var last = r
        repeat {
            c.emulator.settle(maxSteps: 20)
            last = await c.run(settings: settings)
            runs += 1
            XCTAssertEqual(last.exitCode, 0, "\(what): next run \(runs): \(last.line)")
        } while last.actionable > 0 && runs < 6
        XCTAssertEqual(last.actionable, 0, "\(what): converged after the stop")
        await c.stop()
    }

    func testSIGTERMWhileListing() async throws {
        try await stopped(at: "listing", hook: { r, stop in
            if r.method == "GET", r.url.contains("/pods?") { stop.request("SIGTERM received") }
        })
    }

    /// After the last list page has arrived and before the first write: the plan.
    func testSIGTERMWhilePlanning() async throws {
        let lists = Mutex(0)
        try await stopped(at: "planning", hook: { r, stop in
            guard r.method == "GET", r.url.contains("limit=") else { return }
            let n = lists.withLock { $0 += 1; return $0 }
            if n == Self.listRequests { stop.request("SIGTERM received") }
        }, after: true)
    }

    /// A fault-free first run of this cluster sends this many list requests (the test below
    /// proves it, so the planning test stops right after the last one).
    static let listRequests = 34

    func testListRequestCountOfTheScenario() async throws {
        let c = try await ReliabilityCluster(spec: Self.spec)
        let r = await c.run(settings: Self.settings, waits: .block)
        XCTAssertEqual(r.requests.filter(Self.isSnapshotList).count, Self.listRequests)
        await c.stop()
    }

    func testSIGTERMDuringTheBatchOfWrites() async throws {
        let writes = Mutex(0)
        try await stopped(at: "writes", hook: { r, stop in
            guard Self.isActionWrite(r) else { return }
            // The third write is on the wire when the signal comes: it finishes, no other starts.
            if writes.withLock({ $0 += 1; return $0 }) == 3 { stop.request("SIGTERM received") }
        })
    }

    /// The deadline while a slow list holds the run: the listing stops, nothing is written.
    func testDeadlineWhileListing() async throws {
        var settings = Self.settings
        settings.timeouts.runDeadlineSeconds = 1
        settings.timeouts.requestSeconds = 1
        let c = try await ReliabilityCluster(spec: Self.spec)
        c.emulator.addFault(FaultRule(verb: "list", resource: "pods", action: .latency(seconds: 3)))
        let r = await c.run(settings: settings, waits: .block)
        c.emulator.clearFaults()
        XCTAssertEqual(r.exitCode, 1, r.line)
        XCTAssert(r.line.contains("run deadline of 1s"), r.line)
        XCTAssertEqual(RunInvariants.actionWrites(r.requests).map(\.path), [])
        XCTAssertEqual(c.emulator.object("leases", namespace: "default", name: "kreconcile")?["spec"]?["holderIdentity"]?.stringValue ?? "", "")
        await c.stop()
    }

    /// The deadline during the writes: slow writes, and none starts once the rest of the
    /// deadline is shorter than a request may take.
    func testDeadlineDuringTheWrites() async throws {
        var settings = Self.settings
        settings.timeouts.runDeadlineSeconds = 2
        settings.timeouts.requestSeconds = 1
        let c = try await ReliabilityCluster(spec: Self.spec)
        c.emulator.addFault(FaultRule(verb: "patch", action: .latency(seconds: 0.4)))
        let started = Date()
        let r = await c.run(settings: settings, waits: .block, requestTimeout: 1)
        c.emulator.clearFaults()
        XCTAssertEqual(r.exitCode, 1, r.line)
        XCTAssert(r.line.contains("run deadline of 2s"), r.line)
        let writes = RunInvariants.actionWrites(r.requests)
        XCTAssertFalse(writes.isEmpty, "some writes fit before the deadline")
        XCTAssertLessThan(writes.count, r.report?.entries.filter { $0.action != nil }.count ?? 0, "the deadline cut the batch")
        XCTAssertLessThan(Date().timeIntervalSince(started), 2 + 1.5, "no write ran past the deadline by more than one request")
        c.emulator.settle(maxSteps: 20)
        var next = await c.run(settings: Self.settings)
        for _ in 0..<4 where next.actionable > 0 {
            c.emulator.settle(maxSteps: 20)
            next = await c.run(settings: Self.settings)
        }
        XCTAssertEqual(next.actionable, 0, next.line)
        await c.stop()
    }
}
