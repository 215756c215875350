import Foundation
import KubeClient
@testable import Reconciler
import XCTest

/// The Planner and the Estimate with maintenance windows, on a fixed clock (the snapshot's time).
final class WindowPlanningTests: XCTestCase {
    func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func settings(applyTo: MaintenanceSettings.ApplyTo = .disruptive) throws -> Settings {
        var s = Settings.defaults
        s.maintenance = MaintenanceSettings(windows: [MaintenanceWindow(schedule: try CronSchedule("0 22 * * 1-5"), durationSeconds: 4 * 3600,
                                                                        timeZone: try XCTUnwrap(TimeZone(identifier: "Europe/Berlin")))],
                                            applyTo: applyTo)
        s.budgets = Budgets(maxChanges: 20, maxPerNamespace: 5, maxPerNode: 2, maxUnhealthyWorkloads: 2)
        return s
    }

    func plan(at time: String, _ settings: Settings) -> Plan {
        var snapshot = Snapshot()
        snapshot.takenAt = utc(time)
        let findings = [Fixture.finding("restart", ns: "a", cls: .disruptive), Fixture.finding("owner", ns: "b", cls: .metadata)]
        return Planner.plan([CheckReport(check: "test-check", findings: findings)], snapshot: snapshot, settings: settings, shard: nil)
    }

    func testOutsideAWindowRestartsAreDeferredWithTheNextStart() throws {
        // Saturday 2026-01-10 12:00 UTC: the next window opens Monday 22:00 CET.
        let p = plan(at: "2026-01-10T12:00:00Z", try settings())
        XCTAssertEqual(p.batch.map(\.object.name), ["owner"], "metadata fixes run at any time")
        XCTAssertEqual(p.deferred.map(\.decision), [.deferred(.maintenanceWindow(next: "2026-01-12T22:00:00+01:00"))])
        XCTAssertEqual(DeferReason.maintenanceWindow(next: "2026-01-12T22:00:00+01:00").description,
                       "outside the maintenance windows; the next opens at 2026-01-12T22:00:00+01:00")
    }

    func testInsideAWindowRestartsArePlanned() throws {
        let p = plan(at: "2026-01-12T22:30:00Z", try settings())  // Monday 23:30 CET
        XCTAssertEqual(Set(p.batch.map(\.object.name)), ["restart", "owner"])
    }

    func testApplyToAllHoldsEveryAction() throws {
        let p = plan(at: "2026-01-10T12:00:00Z", try settings(applyTo: .all))
        XCTAssertTrue(p.batch.isEmpty)
        XCTAssertEqual(p.deferred.count, 2)
    }

    func testTheEstimateWaitsForTheWindow() throws {
        let s = try settings()
        let p = plan(at: "2026-01-10T12:00:00Z", s)
        let e = Estimate.compute(plan: p, settings: s, intervalSeconds: 3600, start: utc("2026-01-10T12:00:00Z"))
        // Run 1 (now) fixes the owner; the restart waits for the first hourly run at or after
        // Monday 21:00 UTC: 57 hours later, so 58 runs in all.
        XCTAssertEqual(e.runsNeeded, 58)
        XCTAssertEqual(e.timeNeededSeconds, 57 * 3600)
        XCTAssertNil(e.blockedBy)
        // Without windows the same plan takes one run.
        var open = s
        open.maintenance = MaintenanceSettings()
        XCTAssertEqual(Estimate.compute(plan: p, settings: open, intervalSeconds: 3600, start: utc("2026-01-10T12:00:00Z")).runsNeeded, 1)
    }

    func testAScheduleThatNeverLandsInAWindowIsBlocked() throws {
        var s = try settings()
        // A 5-minute window every day at 22:00 UTC, runs every hour at :30: never inside.
        s.maintenance.windows = [MaintenanceWindow(schedule: try CronSchedule("0 22 * * *"), durationSeconds: 300, timeZone: TimeZone(identifier: "UTC")!)]
        let p = plan(at: "2026-01-10T12:30:00Z", s)
        let e = Estimate.compute(plan: p, settings: s, intervalSeconds: 3600, start: utc("2026-01-10T12:30:00Z"))
        XCTAssertNil(e.timeNeededSeconds)
        XCTAssertEqual(e.blockedBy, "no run every 3600s starts inside a maintenance window")
    }
}
