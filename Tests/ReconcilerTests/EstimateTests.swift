import KubeClient
@testable import Reconciler
import XCTest

final class EstimateTests: XCTestCase {
    func estimate(_ findings: [Finding], budgets: Budgets, shard: Shard? = nil, interval: Int = 300) -> Estimate {
        var s = Settings.defaults
        s.budgets = budgets
        let plan = Planner.plan([CheckReport(check: "test-check", findings: findings)], snapshot: Snapshot(), settings: s, shard: shard)
        return Estimate.compute(plan: plan, settings: s, intervalSeconds: interval)
    }

    func testRunsAtMaxChanges() {
        let findings = (0..<45).map { Fixture.finding("cm\($0)", ns: "ns\($0)") }
        let e = estimate(findings, budgets: Budgets(maxChanges: 20))
        XCTAssertEqual(e, Estimate(remainingFindings: 45, runsNeeded: 3, timeNeededSeconds: 600))
    }

    func testPerNamespaceBudgetStretchesTheRuns() {
        let findings = (0..<12).map { Fixture.finding("cm\($0)", ns: "one") } + [Fixture.reportOnly("bare")]
        let e = estimate(findings, budgets: Budgets(maxChanges: 20, maxPerNamespace: 5), interval: 60)
        XCTAssertEqual(e, Estimate(remainingFindings: 12, runsNeeded: 3, timeNeededSeconds: 120))
    }

    func testDisruptiveActionsPacedByTheHealthGateAndNodes() {
        let restarts = (0..<4).map { Fixture.finding("r\($0)", ns: "ns\($0)", cls: .disruptive, nodes: ["n1"]) }
        XCTAssertEqual(estimate(restarts, budgets: Budgets(maxUnhealthyWorkloads: 1)).runsNeeded, 4)
        XCTAssertEqual(estimate(restarts, budgets: Budgets(maxPerNode: 1, maxUnhealthyWorkloads: 10)).runsNeeded, 4)
        XCTAssertEqual(estimate(restarts, budgets: Budgets(maxPerNode: 2, maxUnhealthyWorkloads: 10)).runsNeeded, 2)
    }

    func testNothingLeft() {
        XCTAssertEqual(estimate([Fixture.reportOnly("x")], budgets: Budgets()), Estimate(remainingFindings: 0, runsNeeded: 0, timeNeededSeconds: 0))
    }

    func testZeroBudgetIsBlocked() {
        let e = estimate([Fixture.finding("a")], budgets: Budgets(maxChanges: 0))
        XCTAssertEqual(e.runsNeeded, 0)
        XCTAssertNil(e.timeNeededSeconds)
        XCTAssertEqual(e.blockedBy, "budget maxChanges=0 reached")
        let gate = estimate([Fixture.finding("a", cls: .disruptive)], budgets: Budgets(maxUnhealthyWorkloads: 0))
        XCTAssertEqual(gate.blockedBy, "health gate: 0 workloads unhealthy (maxUnhealthyWorkloads=0)")
    }

    func testOtherShardsFindingsAreNotCounted() {
        let namespaces = (0..<10).map { "ns\($0)" }
        let findings = namespaces.map { Fixture.finding("cm", ns: $0) }
        let mine = namespaces.filter { Shard.owner(ofNamespace: $0, count: 2) == 1 }.count
        XCTAssertEqual(estimate(findings, budgets: Budgets(), shard: Shard(index: 1, count: 2)).remainingFindings, mine)
    }
}
