import KubeClient
@testable import Reconciler
import XCTest

final class BreakerTests: XCTestCase {
    func findings(_ n: Int, check: String, cls: ActionClass = .metadata) -> [Finding] {
        (0..<n).map { Fixture.finding("\(check)-\($0)", ns: "ns\($0 % 50)", cls: cls, check: check) }
    }

    func run(_ reports: [CheckReport], _ settings: Settings, mode: RunMode = .real) async -> (Plan, [SafetyTrip], [ActionResult]) {
        let (plan, trips) = Breaker.plan(reports, snapshot: Snapshot(), settings: settings, shard: nil)
        let results = await Applier(client: nil, mode: mode).apply(plan)
        return (plan, trips, results)
    }

    func testACheckOverItsCountAppliesNothingAndTheOthersGoOn() async throws {
        var s = Settings.defaults
        s.safety.checks["owner-references"] = CheckSafety(abortWhen: AbortLimits(findingsOver: 3))
        let reports = [CheckReport(check: "owner-references", findings: findings(4, check: "owner-references"), examined: 100),
                       CheckReport(check: "gatekeeper-orphaned-vap", findings: findings(2, check: "gatekeeper-orphaned-vap", cls: .orphanDeletion), examined: 10)]
        let (plan, trips, results) = await run(reports, s)
        XCTAssertEqual(trips.map(\.limit), ["checks.owner-references.safety.abortWhen.findingsOver"])
        XCTAssertEqual(plan.batch.map(\.check), ["gatekeeper-orphaned-vap", "gatekeeper-orphaned-vap"])
        let aborted = results.filter { $0.outcome == .aborted }
        XCTAssertEqual(aborted.count, 4, "every would-be action of the check is listed")
        XCTAssertEqual(aborted.first?.detail,
                       "safety limit checks.owner-references.safety.abortWhen.findingsOver=3 crossed: 4 would-be actions; nothing of check owner-references is applied")
    }

    /// Found on the emulator: the tripped check's actions used to fill maxPerNamespace, so
    /// the checks that go on were deferred by a budget nothing used.
    func testATrippedCheckTakesNoBudgetFromTheOthers() async {
        var s = Settings.defaults
        s.budgets.maxChanges = 2
        s.safety.checks["a"] = CheckSafety(abortWhen: AbortLimits(findingsOver: 3))
        let reports = [CheckReport(check: "a", findings: findings(4, check: "a"), examined: 4),
                       CheckReport(check: "b", findings: findings(2, check: "b", cls: .orphanDeletion), examined: 2)]
        let (plan, _, results) = await run(reports, s)
        XCTAssertEqual(plan.batch.map(\.check), ["b", "b"])
        XCTAssertEqual(results.filter { $0.outcome == .aborted }.count, 4)
    }

    func testAbortsRunStopsEveryCheck() async {
        var s = Settings.defaults
        s.safety.checks["gatekeeper-orphaned-vap"] = CheckSafety(abortWhen: AbortLimits(percentOver: 50), aborts: .run)
        s.safety.percentMinExamined = 10
        let reports = [CheckReport(check: "owner-references", findings: findings(2, check: "owner-references"), examined: 20),
                       CheckReport(check: "gatekeeper-orphaned-vap", findings: findings(6, check: "gatekeeper-orphaned-vap", cls: .orphanDeletion), examined: 10)]
        let (plan, trips, results) = await run(reports, s)
        XCTAssertTrue(plan.batch.isEmpty)
        XCTAssertEqual(results.filter { $0.outcome == .aborted }.count, 8)
        XCTAssertEqual(trips.first?.summary, "safety limit checks.gatekeeper-orphaned-vap.safety.abortWhen.percentOver=50 crossed: 6 of 10 examined objects flagged (60%)")
        XCTAssertTrue(results.allSatisfy { $0.detail?.hasSuffix("nothing is applied in this run") == true })
    }

    func testPercentNeedsEnoughExaminedObjectsAndUsesTheFlaggedCount() async {
        var s = Settings.defaults
        s.safety.checks["x"] = CheckSafety(abortWhen: AbortLimits(percentOver: 50))
        // 3 of 4: 75 %, but only 4 examined (< 20): no trip.
        var (_, trips, _) = await run([CheckReport(check: "x", findings: findings(3, check: "x"), examined: 4)], s)
        XCTAssertTrue(trips.isEmpty)
        // One restart for 30 flagged pods of 40: 75 % of the pods, though one action.
        (_, trips, _) = await run([CheckReport(check: "x", findings: findings(1, check: "x", cls: .disruptive), examined: 40, flagged: 30)], s)
        XCTAssertEqual(trips.map(\.flagged), [30])
        // Exactly 50 % is not over 50.
        (_, trips, _) = await run([CheckReport(check: "x", findings: findings(20, check: "x"), examined: 40)], s)
        XCTAssertTrue(trips.isEmpty)
    }

    func testTheWholeRunsLimitsSumOverChecks() async {
        var s = Settings.defaults
        s.safety.abortWhen = AbortLimits(findingsOver: 5)
        let reports = [CheckReport(check: "a", findings: findings(3, check: "a"), examined: 3),
                       CheckReport(check: "b", findings: findings(3, check: "b"), examined: 3)]
        let (plan, trips, _) = await run(reports, s)
        XCTAssertEqual(trips.map(\.limit), ["safety.abortWhen.findingsOver"])
        XCTAssertEqual(trips.first?.aborts, .run)
        XCTAssertTrue(plan.batch.isEmpty)
    }

    /// The seed case: right after KubeArmor is installed nearly every pod lacks its profile.
    /// The defaults must let that run through (paced by the budgets, not aborted).
    func testDefaultsDoNotBlockTheFirstRunAfterInstallingKubeArmor() async {
        let restarts = findings(400, check: "apparmor-unprotected-pods", cls: .disruptive)
        let reports = [CheckReport(check: "apparmor-unprotected-pods", findings: restarts, examined: 2000, flagged: 1990)]
        let (plan, trips, _) = await run(reports, .defaults)
        XCTAssertTrue(trips.isEmpty)
        XCTAssertFalse(plan.batch.isEmpty)
    }

    func testADryRunSaysARealRunWouldAbort() async {
        var s = Settings.defaults
        s.safety.checks["x"] = CheckSafety(abortWhen: AbortLimits(findingsOver: 1))
        let (_, _, results) = await run([CheckReport(check: "x", findings: findings(2, check: "x"), examined: 2)], s, mode: .clientDryRun)
        XCTAssertEqual(results.map(\.outcome), [.aborted, .aborted])
        XCTAssertTrue(results[0].detail?.contains("a real run would abort here") == true, results[0].detail ?? "")
    }

    func testReportCountsAbortedAndTheEstimateIsBlocked() async {
        var s = Settings.defaults
        s.safety.checks["x"] = CheckSafety(abortWhen: AbortLimits(findingsOver: 1))
        let reports = [CheckReport(check: "x", findings: findings(2, check: "x"), examined: 2)]
        let (plan, _, results) = await run(reports, s)
        let report = RunReport(metadata: .init(startTime: "", finishTime: "", mode: .real, source: ""), checks: [], results: results, estimate: nil)
        XCTAssertEqual(report.summary.aborted, 2)
        XCTAssertTrue(TableRenderer.summaryLine(report).hasPrefix("2 findings: 2 aborted."), TableRenderer.summaryLine(report))
        let e = Estimate.compute(plan: plan, settings: s, intervalSeconds: 300)
        XCTAssertEqual(e.blockedBy, "safety limit checks.x.safety.abortWhen.findingsOver=1 crossed: 2 would-be actions")
        var withEstimate = report
        withEstimate.estimate = .init(remainingFindings: e.remainingFindings, runsNeeded: e.runsNeeded, timeNeededSeconds: e.timeNeededSeconds,
                                      scheduleIntervalSeconds: 300, blockedBy: e.blockedBy)
        XCTAssertEqual(TableRenderer.summaryLine(withEstimate),
                       "2 findings: 2 aborted. Estimate: 2 actionable findings are blocked: safety limit checks.x.safety.abortWhen.findingsOver=1 crossed: 2 would-be actions.")
    }
}
