import Foundation
import KubeClient
import KubeEmulator
import Reconciler
import XCTest

final class LeaseLockTests: XCTestCase {
    func lock(_ c: TestCluster, _ holder: String, clock: ManualClock, duration: Int = 60) -> LeaseLock {
        LeaseLock(client: c.client(), name: "kreconcile", namespace: "default", holder: holder, durationSeconds: duration, now: clock.now)
    }

    func lease(_ c: TestCluster) -> JSONValue? { c.emulator.object("leases", namespace: "default", name: "kreconcile") }

    func testMicroTimeHasExactlySixFractionalDigits() {
        let date = Date(timeIntervalSince1970: 1_767_366_245.5)  // 2026-01-02T15:04:05.5Z
        XCTAssertEqual(MicroTime.format(date), "2026-01-02T15:04:05.500000Z")
        XCTAssertEqual(MicroTime.format(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000000Z")
        XCTAssertEqual(MicroTime.parse("2026-01-02T15:04:05.500000Z"), date)
        XCTAssertEqual(MicroTime.parse("2026-01-02T16:04:05.5+01:00"), date)
        XCTAssertEqual(MicroTime.parse("2026-01-02T15:04:05Z"), Date(timeIntervalSince1970: 1_767_366_245))
        XCTAssertNil(MicroTime.parse("yesterday"))
    }

    func testFirstRunCreatesTheLeaseSecondSeesTheLiveHolder() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let first = lock(c, "run-a", clock: clock)
        let got = try await first.acquire()
        XCTAssertEqual(got, .acquired(tookOverFrom: nil))
        let spec = try XCTUnwrap(lease(c)?["spec"])
        XCTAssertEqual(spec["holderIdentity"], "run-a")
        XCTAssertEqual(spec["leaseDurationSeconds"], 60)
        XCTAssertEqual(spec["renewTime"]?.stringValue, MicroTime.format(clock.now()))
        XCTAssertNotNil(spec["renewTime"]?.stringValue?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/))

        clock.advance(30)
        let second = lock(c, "run-b", clock: clock)
        guard case .heldBy(let holder) = try await second.acquire() else { return XCTFail("run-b must not get the lock") }
        XCTAssertEqual(holder.identity, "run-a")
        XCTAssertEqual(holder.expires, Date(timeIntervalSince1970: 1_800_000_060))
        XCTAssertEqual(lease(c)?["spec"]?["holderIdentity"], "run-a", "a refused acquire writes nothing")
    }

    func testExpiredLeaseIsTakenOverWithTheResourceVersionPrecondition() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        _ = try await lock(c, "crashed-run", clock: clock).acquire()
        clock.advance(61)
        c.emulator.clearRequests()
        let next = lock(c, "run-b", clock: clock)
        let got = try await next.acquire()
        XCTAssertEqual(got, .acquired(tookOverFrom: "crashed-run"))
        let spec = try XCTUnwrap(lease(c)?["spec"])
        XCTAssertEqual(spec["holderIdentity"], "run-b")
        XCTAssertEqual(spec["leaseTransitions"], 1)
        XCTAssertEqual(spec["acquireTime"]?.stringValue, MicroTime.format(clock.now()))
        let put = try XCTUnwrap(c.writes.first)
        XCTAssertEqual(put.method, "PUT")
        let body = try JSONValue.parse(try XCTUnwrap(put.body))
        XCTAssertNotNil(body["metadata"]?["resourceVersion"]?.stringValue, "the takeover is conditional on what was read")
    }

    func testReleaseLetsTheNextRunInImmediately() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let clock = ManualClock()
        let first = lock(c, "run-a", clock: clock)
        _ = try await first.acquire()
        try await first.release()
        XCTAssertNil(lease(c)?["spec"]?["holderIdentity"])
        let got = try await lock(c, "run-b", clock: clock).acquire()
        XCTAssertEqual(got, .acquired(tookOverFrom: nil))
    }

    func testConcurrentAcquiresNeverBothWin() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let clock = ManualClock()
        for round in 0..<5 {
            let locks = (0..<4).map { lock(c, "run-\(round)-\($0)", clock: clock) }
            let outcomes = await withTaskGroup(of: String.self) { group in
                for l in locks {
                    group.addTask { do { return "\(try await l.acquire())" } catch { return "error: \(error)" } }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            XCTAssertFalse(outcomes.contains { $0.hasPrefix("error") }, "\(outcomes)")
            let winners = await locks.asyncFilter { await $0.isHeld }
            XCTAssertEqual(winners.count, 1, "round \(round): \(outcomes)")
            try await winners[0].release()
        }
    }

    func testRenewalThatFindsTheLeaseTakenMarksItLost() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let clock = ManualClock()
        let mine = lock(c, "run-a", clock: clock)
        _ = try await mine.acquire()
        try await mine.renew()
        XCTAssertEqual(lease(c)?["spec"]?["holderIdentity"], "run-a")
        // Someone else rewrote it (e.g. after our process stalled past the duration).
        var stolen = try XCTUnwrap(lease(c))
        stolen = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                  "metadata": ["name": "kreconcile", "namespace": "default"], "spec": ["holderIdentity": "thief"]]
        try c.emulator.seed(stolen)
        do {
            try await mine.renew()
            XCTFail("renewal must fail")
        } catch let error as LeaseError {
            XCTAssertTrue(error.description.contains("taken"), error.description)
        }
        let held = await mine.isHeld
        XCTAssertFalse(held)
        try await mine.release()  // nothing to release: must not clear the thief's claim
        XCTAssertEqual(lease(c)?["spec"]?["holderIdentity"], "thief")
    }
}

extension LeaseLockTests {
    func testRenewalsFailingPastTwoThirdsOfTheDurationStopTheRun() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let mine = LeaseLock(client: c.client(), name: "kreconcile", namespace: "default", holder: "run-a", durationSeconds: 3)
        _ = try await mine.acquire()
        c.emulator.addFault(FaultRule(verb: "update", resource: "leases", action: .status(
            code: 500, reason: "InternalError", message: "etcdserver: request timed out", retryAfterSeconds: nil)))
        let started = Date()
        let reason: String = await withCheckedContinuation { continuation in
            Task { await mine.startRenewing { continuation.resume(returning: $0) } }
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertTrue(reason.contains("could not renew"), reason)
        XCTAssertGreaterThanOrEqual(elapsed, 1.9, "one failed renewal within the deadline is retried")
        XCTAssertLessThan(elapsed, 3, "it steps down before the Lease could expire")
        let held = await mine.isHeld
        XCTAssertFalse(held)
        try await mine.release()
    }
}

extension Array where Element: Sendable {
    func asyncFilter(_ keep: (Element) async -> Bool) async -> [Element] {
        var out: [Element] = []
        for e in self where await keep(e) { out.append(e) }
        return out
    }
}
