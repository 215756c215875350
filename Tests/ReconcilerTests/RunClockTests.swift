import Foundation
import Reconciler
import XCTest

/// The run's injectable clock drives the maintenance windows and the report's timings.
final class RunClockTests: XCTestCase {
    func run(at time: String) async throws -> RunReport {
        let settings = try Fixture.settings("""
            budgets: {maxUnhealthyWorkloads: 5}
            maintenance:
              windows: [{schedule: "0 22 * * 1-5", duration: 4h, timeZone: America/New_York}]
            """)
        let now = ISO8601DateFormatter().date(from: time)!
        let options = RunOptions(mode: .offline, settings: settings, snapshotFiles: [ExampleCluster.path])
        return try await Run(options: options, client: nil, now: { now }).execute()
    }

    func restarts(_ report: RunReport) -> [RunReport.Entry] {
        report.entries.filter { $0.action?.actionClass == "disruptive" }
    }

    func testTheRunsClockOpensAndClosesTheWindow() async throws {
        // Saturday 2026-01-10 noon in New York: closed until Monday 22:00 EST.
        let closed = try await run(at: "2026-01-10T17:00:00Z")
        XCTAssertFalse(restarts(closed).isEmpty)
        for e in restarts(closed) {
            XCTAssertEqual(e.result, .deferred)
            XCTAssertEqual(e.detail, "outside the maintenance windows; the next opens at 2026-01-12T22:00:00-05:00")
        }
        XCTAssertTrue(closed.entries.contains { $0.action?.actionClass == "metadata" && $0.result == .dryRun }, "metadata fixes go at any time")
        // Monday 23:00 EST: inside.
        let open = try await run(at: "2026-01-13T04:00:00Z")
        XCTAssertTrue(restarts(open).allSatisfy { $0.result == .dryRun }, "\(restarts(open).map(\.detail))")
        XCTAssertNotNil(open.timings)
        XCTAssertGreaterThan(open.timings?.totalSeconds ?? 0, 0)
    }
}
