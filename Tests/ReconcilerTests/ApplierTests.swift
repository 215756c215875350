import Foundation
@testable import KubeClient
import KubeEmulator
@testable import Reconciler
import Synchronization
import XCTest

final class ApplierTests: XCTestCase {
    func testRealRunAppliesInPlanOrderAndReportsEveryEntry() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try c.emulator.seed(configMapJSON("a"))
        try c.emulator.seed(configMapJSON("b"))
        try c.emulator.seed(configMapJSON("later"))
        let a = try c.ref("configmaps", "default", "a"), b = try c.ref("configmaps", "default", "b")
        let later = labelFinding(try c.ref("configmaps", "default", "later"))
        let bare = Finding(check: "x", object: a, reason: "bare pod", action: nil)
        c.emulator.clearRequests()

        let applied = Mutex<[String]>([])
        let results = await Applier(client: c.client(), mode: .real)
            .apply(plan([labelFinding(b), labelFinding(a)], deferred: [later], reportOnly: [bare]), onApplied: { r in
                applied.withLock { $0.append(r.entry.finding.object.name) }
            })

        XCTAssertEqual(results.map(\.outcome), [.applied, .applied, .deferred, .reported])
        XCTAssertEqual(results[2].detail, "budget maxChanges=2 reached")
        XCTAssertEqual(c.writes.map(\.name), ["b", "a"], "writes go out in plan order, deferred ones never")
        XCTAssertEqual(applied.withLock { $0 }, ["b", "a"])
        XCTAssertEqual(c.emulator.object("configmaps", namespace: "default", name: "a")?["metadata"]?["labels"]?["fixed"], "yes")
        XCTAssertNil(c.emulator.object("configmaps", namespace: "default", name: "later")?["metadata"]?["labels"]?["fixed"])
    }

    func testChangedSinceSnapshotIsSkippedAndTheRunCarriesOn() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        for n in ["patched", "deleted", "gone", "ok"] { try c.emulator.seed(configMapJSON(n)) }
        let patched = try c.ref("configmaps", "default", "patched"), deleted = try c.ref("configmaps", "default", "deleted")
        let gone = try c.ref("configmaps", "default", "gone"), ok = try c.ref("configmaps", "default", "ok")
        // Concurrent changes after the snapshot: two objects updated, one removed.
        try c.emulator.seed(configMapJSON("patched", labels: ["someone": "else"]))
        try c.emulator.seed(configMapJSON("deleted", labels: ["someone": "else"]))
        _ = try await c.client().delete(.configMaps, namespace: "default", name: "gone")

        let results = await Applier(client: c.client(), mode: .real)
            .apply(plan([labelFinding(patched), deleteFinding(deleted), labelFinding(gone), labelFinding(ok)]))

        XCTAssertEqual(results.map(\.outcome), [.skipped, .skipped, .skipped, .applied])
        XCTAssertEqual(results.map(\.httpStatus), [422, 409, 404, 200])
        for r in results.prefix(3) {
            XCTAssertTrue(r.detail?.hasPrefix("object changed since the snapshot") == true, r.detail ?? "")
        }
        XCTAssertNotNil(c.emulator.object("configmaps", namespace: "default", name: "deleted"), "the precondition kept it")
        XCTAssertEqual(c.emulator.object("configmaps", namespace: "default", name: "patched")?["metadata"]?["labels"]?["fixed"], nil)
    }

    func testOtherAPIErrorsFail() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try c.emulator.seed(configMapJSON("a"))
        let a = try c.ref("configmaps", "default", "a")
        c.emulator.addFault(FaultRule(verb: "patch", resource: "configmaps", action: .status(
            code: 403, reason: "Forbidden", message: "configmaps \"a\" is forbidden: no RBAC", retryAfterSeconds: nil)))
        let results = await Applier(client: c.client(), mode: .real).apply(plan([labelFinding(a)]))
        XCTAssertEqual(results[0].outcome, .failed)
        XCTAssertEqual(results[0].httpStatus, 403)
        XCTAssertTrue(results[0].detail?.contains("no RBAC") == true, results[0].detail ?? "")
    }

    func testInvalidPatchWithFieldCausesFailsInsteadOfSkipping() {
        let ref = ObjectRef(apiVersion: "v1", kind: "Pod", namespace: "a", name: "p", uid: "u", resourceVersion: "1")
        let request = labelFinding(ref).action!.request
        var status = APIStatus()
        status.details = .init(causes: [.init(reason: "FieldValueForbidden", message: "immutable", field: "metadata.annotations")])
        let invalid = KubeAPIError(method: "PATCH", path: request.path, code: 422, status: status)
        XCTAssertEqual(WriteOutcome.classify(invalid, request: request).0, .failed)
        let generic = KubeAPIError(method: "PATCH", path: request.path, code: 422, status: APIStatus())
        XCTAssertEqual(WriteOutcome.classify(generic, request: request).0, .skipped)
    }

    func testServerDryRunSendsDryRunAllAndPersistsNothing() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try c.emulator.seed(configMapJSON("a"))
        try c.emulator.seed(configMapJSON("b"))
        let a = try c.ref("configmaps", "default", "a"), b = try c.ref("configmaps", "default", "b")
        c.emulator.clearRequests()
        let results = await Applier(client: c.client(), mode: .serverDryRun).apply(plan([labelFinding(a), deleteFinding(b)]))
        XCTAssertEqual(results.map(\.outcome), [.dryRun, .dryRun])
        XCTAssertEqual(c.writes.count, 2)
        XCTAssertTrue(c.writes.allSatisfy { $0.query["dryRun"] == ["All"] }, "\(c.writes.map(\.rawQuery))")
        XCTAssertEqual(try c.ref("configmaps", "default", "a").resourceVersion, a.resourceVersion)
        XCTAssertNotNil(c.emulator.object("configmaps", namespace: "default", name: "b"))
    }

    func testClientDryRunSendsNothing() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try c.emulator.seed(configMapJSON("a"))
        let a = try c.ref("configmaps", "default", "a")
        c.emulator.clearRequests()
        let results = await Applier(client: c.client(), mode: .clientDryRun).apply(plan([labelFinding(a), deleteFinding(a)]))
        XCTAssertEqual(results.map(\.outcome), [.dryRun, .dryRun])
        XCTAssertEqual(c.emulator.requests().count, 0)
        // Offline mode has no client at all.
        let offline = await Applier(client: nil, mode: .offline).apply(plan([labelFinding(a)]))
        XCTAssertEqual(offline.map(\.outcome), [.dryRun])
    }

    func testStopRequestSkipsTheRestButFinishesTheWriteInFlight() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        for n in ["a", "b", "c"] { try c.emulator.seed(configMapJSON(n)) }
        let refs = try ["a", "b", "c"].map { try c.ref("configmaps", "default", $0) }
        // SIGTERM arrives once the first write has started: every later check sees it.
        let checks = Mutex(0)
        let applier = Applier(client: c.client(), mode: .real)
        let results = await applier.apply(plan(refs.map { labelFinding($0) }), stopReason: {
            checks.withLock { $0 += 1; return $0 } == 1 ? nil : "SIGTERM received"
        })
        let r = results
        XCTAssertEqual(r.map(\.outcome), [.applied, .skipped, .skipped])
        XCTAssertEqual(r[1].detail, "not started: SIGTERM received")
        XCTAssertEqual(c.writes.map(\.name), ["a"])
    }

    func testNoWriteStartsWhenTheDeadlineIsNear() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try c.emulator.seed(configMapJSON("a"))
        try c.emulator.seed(configMapJSON("b"))
        let a = try c.ref("configmaps", "default", "a"), b = try c.ref("configmaps", "default", "b")
        let clock = ManualClock()
        c.emulator.clearRequests()
        let applier = Applier(client: c.client(), mode: .real, deadline: clock.now().addingTimeInterval(40),
                              writeReserveSeconds: 30, now: clock.now)
        // The first write makes the clock pass the point where a 30 s write could still finish.
        let results = await applier.apply(plan([labelFinding(a), labelFinding(b)]), onApplied: { _ in clock.advance(15) })
        XCTAssertEqual(results.map(\.outcome), [.applied, .skipped])
        XCTAssertTrue(results[1].detail?.contains("run deadline near") == true, results[1].detail ?? "")
        XCTAssertEqual(c.writes.count, 1)
    }

    /// A 429 with Retry-After is retried by the client, but only if the write could still
    /// start then: a stop (or a Lease past its renew deadline) during the wait ends it.
    func testARetryDoesNotStartOnceTheRunMustStop() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try c.emulator.seed(configMapJSON("a"))
        let a = try c.ref("configmaps", "default", "a")
        c.emulator.clearRequests()
        c.emulator.addFault(FaultRule(verb: "patch", resource: "configmaps", count: 1, action: .status(
            code: 429, reason: "TooManyRequests", message: "too many requests", retryAfterSeconds: 1)))
        let client = KubeClient(config: ClientConfig(server: c.emulator.baseURL), options: .init(qps: 0, retry: RetryPolicy()))
        let asked = Mutex(0)
        let results = await Applier(client: client, mode: .real).apply(plan([labelFinding(a)]), stopReason: {
            asked.withLock { $0 += 1; return $0 } == 1 ? nil : "Lease not renewed within its renew deadline"
        })
        XCTAssertEqual(results.map(\.outcome), [.failed])
        XCTAssertEqual(results[0].httpStatus, 429)
        XCTAssertEqual(c.writes.count, 1, "the retry never started")
    }
}
