import Foundation
import KubeClient
import KubeEmulator
@testable import Reconciler
import Synchronization
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
        let time = VirtualTime()
        let clock = time.clock
        _ = try await lock(c, "crashed-run", clock: clock).acquire()
        clock.advance(61)
        let read = try XCTUnwrap(lease(c)?["metadata"]?["resourceVersion"]?.stringValue)
        c.emulator.clearRequests()
        // Watched for a full duration of our clock (virtual sleeps), unchanged: taken over.
        let next = LeaseLock(client: c.client(), name: "kreconcile", namespace: "default", holder: "run-b", durationSeconds: 60,
                             now: clock.now, sleep: time.sleep)
        let got = try await next.acquire()
        XCTAssertEqual(got, .acquired(tookOverFrom: "crashed-run"))
        let spec = try XCTUnwrap(lease(c)?["spec"])
        XCTAssertEqual(spec["holderIdentity"], "run-b")
        XCTAssertEqual(spec["leaseTransitions"], 1)
        XCTAssertEqual(spec["acquireTime"]?.stringValue, MicroTime.format(clock.now()))
        let put = try XCTUnwrap(c.writes.last)
        XCTAssertEqual(put.method, "PUT")
        let body = try JSONValue.parse(try XCTUnwrap(put.body))
        XCTAssertEqual(body["metadata"]?["resourceVersion"]?.stringValue, read, "the takeover is conditional on what was read")
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
    /// A virtual clock whose sleeps move it forward at once, and run `onSleep` first.
    final class VirtualTime: Sendable {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        private let hook = Mutex<(@Sendable (Double) async -> Void)?>(nil)
        func onSleep(_ h: (@Sendable (Double) async -> Void)?) { hook.withLock { $0 = h } }
        var sleep: @Sendable (Double) async throws -> Void {
            { [self] seconds in
                if let h = hook.withLock({ $0 }) { await h(seconds) }
                clock.advance(seconds)
                await Task.yield()
            }
        }
    }

    func testRenewalsFailingPastTheRenewDeadlineStopTheRun() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let time = VirtualTime()
        let mine = LeaseLock(client: c.client(), name: "kreconcile", namespace: "default", holder: "run-a", durationSeconds: 60,
                             now: time.clock.now, sleep: time.sleep)
        _ = try await mine.acquire()
        XCTAssertEqual(mine.renewDeadlineSeconds, 40)
        // Every renewal within the deadline fails (4 of them); the release afterwards goes through.
        c.emulator.addFault(FaultRule(verb: "update", resource: "leases", count: 4, action: .status(
            code: 500, reason: "InternalError", message: "etcdserver: request timed out", retryAfterSeconds: nil)))
        let reason: String = await withCheckedContinuation { continuation in
            Task { await mine.startRenewing { continuation.resume(returning: $0) } }
        }
        XCTAssertTrue(reason.contains("could not renew"), reason)
        let attempts = c.emulator.requests().filter { $0.verb == "update" }.count
        XCTAssertEqual(attempts, 4, "renewed every 10 s (deadline / 4) and retried until the 40 s deadline")
        let gated = await mine.mayWrite()
        XCTAssertNotNil(gated)
        try await mine.release()
        XCTAssertNil(lease(c)?["spec"]?["holderIdentity"], "past the deadline but still ours: released")
    }

    /// The gate itself: writes may start only before lastRenewed + renewDeadline.
    func testMayWriteOnlyBeforeTheRenewDeadline() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let clock = ManualClock()
        let mine = LeaseLock(client: c.client(), name: "kreconcile", namespace: "default", holder: "run-a", durationSeconds: 60,
                             renewDeadlineSeconds: 30, now: clock.now)
        var gate = await mine.mayWrite()
        XCTAssertNotNil(gate, "not held yet")
        _ = try await mine.acquire()
        clock.advance(29.9)
        gate = await mine.mayWrite()
        XCTAssertNil(gate)
        try await mine.renew()
        clock.advance(29.9)
        gate = await mine.mayWrite()
        XCTAssertNil(gate, "a renewal moves the deadline")
        clock.advance(0.2)
        gate = await mine.mayWrite()
        XCTAssertTrue(gate?.contains("renew deadline 30s") == true, gate ?? "nil")
        clock.advance(-10)
        gate = await mine.mayWrite()
        XCTAssertNotNil(gate, "once past the deadline the Lease stays lost")
    }

    /// A renewal's update lands on the server, but its answer is slow; release meanwhile
    /// must not write with the version the renewal replaced (409, Lease left held).
    func testReleaseWaitsForTheRenewalInFlightAndClearsTheHolder() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let transport = HookTransport()
        let lock = LeaseLock(client: c.client(transport: transport), name: "kreconcile", namespace: "default", holder: "run-a", durationSeconds: 60)
        _ = try await lock.acquire()
        let answer = Gate(), renewLanded = Gate()
        let puts = Mutex(0)
        transport.after { r in
            guard r.matches("PUT", "leases"), puts.withLock({ $0 += 1; return $0 }) == 1 else { return }
            renewLanded.open()
            await answer.wait()
        }
        let renewal = Task { try await lock.renew() }
        await renewLanded.wait()
        let release = Task { try await lock.release() }
        try await c.waitFor("release waiting for the renewal") { await lock.writersWaiting > 0 }  // condition, not a sleep
        XCTAssertEqual(puts.withLock { $0 }, 1, "release has sent nothing while the renewal is unanswered")
        answer.open()
        try await renewal.value
        try await release.value
        XCTAssertNil(lease(c)?["spec"]?["holderIdentity"], "release cleared the holder")
        XCTAssertEqual(lease(c)?["spec"]?["leaseDurationSeconds"], 1)
    }

    /// Our last renewal landed but its answer was lost (a timeout): release finds its
    /// version stale, sees the Lease still names us, and clears it at the current version.
    func testReleaseAfterAnUnansweredRenewalStillClearsTheHolder() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let transport = HookTransport()
        let lock = LeaseLock(client: c.client(transport: transport), name: "kreconcile", namespace: "default", holder: "run-a", durationSeconds: 60)
        _ = try await lock.acquire()
        // Another write of ours moves the version on without the lock seeing it.
        var current = try XCTUnwrap(lease(c))
        current = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "kreconcile", "namespace": "default"],
                   "spec": current["spec"] ?? [:]]
        try c.emulator.seed(current)
        try await lock.release()
        XCTAssertNil(lease(c)?["spec"]?["holderIdentity"])
    }

    func testReleaseReportsWhyWhenAnotherHolderTookTheLease() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let lock = LeaseLock(client: c.client(), name: "kreconcile", namespace: "default", holder: "run-a", durationSeconds: 60)
        _ = try await lock.acquire()
        try c.seedLease(holder: "run-b", renewTime: Date())
        do {
            try await lock.release()
            XCTFail("release must say it could not clear the holder")
        } catch let error as LeaseError {
            XCTAssertTrue(error.description.contains("now held by run-b"), error.description)
        }
        XCTAssertEqual(lease(c)?["spec"]?["holderIdentity"], "run-b")
    }

    /// Our clock runs 2 minutes ahead: the live holder's renewTime looks 60 s expired.
    /// As client-go does, the record is watched for a full duration of our own time; the
    /// holder renews meanwhile, so it is alive and keeps the Lease.
    func testASkewedClockCannotStealALiveLease() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let time = VirtualTime()
        try c.seedLease(holder: "other", renewTime: time.clock.now().addingTimeInterval(-120))
        let renewals = Mutex(0)
        time.onSleep { _ in
            // The holder renews every 20 s by its own (slow) clock.
            if renewals.withLock({ $0 += 1; return $0 }) == 2 {
                try? c.seedLease(holder: "other", renewTime: time.clock.now().addingTimeInterval(-100))
            }
        }
        let lock = LeaseLock(client: c.client(), name: "kreconcile", namespace: "default", holder: "run-b", durationSeconds: 60,
                             now: time.clock.now, sleep: time.sleep)
        guard case .heldBy(let holder) = try await lock.acquire() else { return XCTFail("a live Lease was taken") }
        XCTAssertEqual(holder.identity, "other")
        XCTAssertEqual(lease(c)?["spec"]?["holderIdentity"], "other")
    }

    /// A holder that really stopped: unchanged for a full duration of our clock, then taken.
    func testAnUnchangedLeaseIsTakenAfterAFullDurationOfOurClock() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let time = VirtualTime()
        let start = time.clock.now()
        try c.seedLease(holder: "crashed", renewTime: start.addingTimeInterval(-120))
        let lock = LeaseLock(client: c.client(), name: "kreconcile", namespace: "default", holder: "run-b", durationSeconds: 60,
                             now: time.clock.now, sleep: time.sleep)
        let got = try await lock.acquire()
        XCTAssertEqual(got, .acquired(tookOverFrom: "crashed"))
        XCTAssertGreaterThanOrEqual(time.clock.now().timeIntervalSince(start), 60, "watched for the whole duration first")
        XCTAssertEqual(lease(c)?["spec"]?["holderIdentity"], "run-b")
        // A stop request while watching: not taken.
        try c.seedLease(holder: "crashed", renewTime: time.clock.now().addingTimeInterval(-120))
        let stopped = LeaseLock(client: c.client(), name: "kreconcile", namespace: "default", holder: "run-c", durationSeconds: 60,
                                now: time.clock.now, sleep: time.sleep)
        guard case .heldBy = try await stopped.acquire(shouldStop: { true }) else { return XCTFail("taken despite the stop") }
    }
}

extension Array where Element: Sendable {
    func asyncFilter(_ keep: (Element) async -> Bool) async -> [Element] {
        var out: [Element] = []
        for e in self where await keep(e) { out.append(e) }
        return out
    }
}
