import Foundation
@testable import Reconciler
import XCTest

/// Window evaluation on fixed instants, across the 2026 DST changes: Europe/Berlin springs
/// forward 29 March 02:00 CET -> 03:00 CEST (01:00 UTC) and falls back 25 October 03:00
/// CEST -> 02:00 CET (01:00 UTC); America/New_York springs forward 8 March 02:00 EST ->
/// 03:00 EDT (07:00 UTC) and falls back 1 November 02:00 EDT -> 01:00 EST (06:00 UTC).
final class MaintenanceWindowTests: XCTestCase {
    func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func window(_ schedule: String, _ duration: Int, _ zone: String) throws -> MaintenanceWindow {
        MaintenanceWindow(schedule: try CronSchedule(schedule), durationSeconds: duration, timeZone: try XCTUnwrap(TimeZone(identifier: zone)))
    }

    func testWeekdayEveningsInBerlin() throws {
        let w = try window("0 22 * * 1-5", 4 * 3600, "Europe/Berlin")
        // Friday 2026-01-09 21:59 CET = 20:59 UTC: closed; the window opens 21:00 UTC.
        XCTAssertNil(w.window(containing: utc("2026-01-09T20:59:00Z")))
        XCTAssertEqual(w.nextStart(after: utc("2026-01-09T20:59:00Z")), utc("2026-01-09T21:00:00Z"))
        // Saturday 01:30 CET: still inside Friday's window (22:00 + 4h).
        XCTAssertEqual(w.window(containing: utc("2026-01-10T00:30:00Z")), DateInterval(start: utc("2026-01-09T21:00:00Z"), duration: 4 * 3600))
        // Saturday evening: closed, the next is Monday 22:00 CET.
        XCTAssertNil(w.window(containing: utc("2026-01-10T21:30:00Z")))
        XCTAssertEqual(w.nextStart(after: utc("2026-01-10T21:30:00Z")), utc("2026-01-12T21:00:00Z"))
    }

    func testBerlinSummerTimeShiftsTheUTCStart() throws {
        let w = try window("0 22 * * *", 3600, "Europe/Berlin")
        // 28 March 22:00 CET = 21:00 UTC; 29 March 22:00 CEST = 20:00 UTC.
        XCTAssertEqual(w.nextStart(after: utc("2026-03-28T12:00:00Z")), utc("2026-03-28T21:00:00Z"))
        XCTAssertEqual(w.nextStart(after: utc("2026-03-29T12:00:00Z")), utc("2026-03-29T20:00:00Z"))
        // And back on 25 October: 22:00 CET = 21:00 UTC.
        XCTAssertEqual(w.nextStart(after: utc("2026-10-24T12:00:00Z")), utc("2026-10-24T20:00:00Z"))
        XCTAssertEqual(w.nextStart(after: utc("2026-10-25T12:00:00Z")), utc("2026-10-25T21:00:00Z"))
    }

    func testBerlinSkippedHourOpensAtTheJump() throws {
        // 02:30 does not exist on 29 March in Berlin: the window opens at 03:00 CEST (01:00 UTC).
        let w = try window("30 2 * * *", 3600, "Europe/Berlin")
        XCTAssertEqual(w.nextStart(after: utc("2026-03-28T12:00:00Z")), utc("2026-03-29T01:00:00Z"))
        XCTAssertEqual(w.window(containing: utc("2026-03-29T01:59:00Z"))?.start, utc("2026-03-29T01:00:00Z"))
        XCTAssertNil(w.window(containing: utc("2026-03-29T02:00:00Z")), "an hour of elapsed time, not until 03:30")
        // The day before: 02:30 CET = 01:30 UTC.
        XCTAssertEqual(w.nextStart(after: utc("2026-03-27T12:00:00Z")), utc("2026-03-28T01:30:00Z"))
    }

    func testBerlinRepeatedHourOpensOnce() throws {
        // 02:30 happens twice on 25 October (CEST 00:30 UTC, then CET 01:30 UTC): once, the first.
        let w = try window("30 2 * * *", 1800, "Europe/Berlin")
        XCTAssertEqual(w.nextStart(after: utc("2026-10-24T12:00:00Z")), utc("2026-10-25T00:30:00Z"))
        XCTAssertEqual(w.nextStart(after: utc("2026-10-25T00:30:00Z")), utc("2026-10-26T01:30:00Z"))
        XCTAssertNil(w.window(containing: utc("2026-10-25T01:40:00Z")), "the second 02:30 opens nothing")
    }

    func testWindowOverTheFallBackNightLastsItsDuration() throws {
        // 22:00 CEST on 24 October (20:00 UTC) + 6h of real time ends at 02:00 UTC = 03:00
        // CET, not at 04:00 local (03:00 UTC) as wall-clock arithmetic would have it.
        let w = try window("0 22 * * *", 6 * 3600, "Europe/Berlin")
        XCTAssertNotNil(w.window(containing: utc("2026-10-25T01:59:00Z")))
        XCTAssertNil(w.window(containing: utc("2026-10-25T02:00:00Z")))
    }

    func testNewYorkSpringForwardAndFallBack() throws {
        let w = try window("30 2 * * 0", 3600, "America/New_York")  // Sundays 02:30
        // 8 March 02:30 does not exist: opens at the jump, 03:00 EDT = 07:00 UTC.
        XCTAssertEqual(w.nextStart(after: utc("2026-03-07T12:00:00Z")), utc("2026-03-08T07:00:00Z"))
        // 1 March 02:30 EST = 07:30 UTC; 15 March 02:30 EDT = 06:30 UTC.
        XCTAssertEqual(w.nextStart(after: utc("2026-02-28T12:00:00Z")), utc("2026-03-01T07:30:00Z"))
        XCTAssertEqual(w.nextStart(after: utc("2026-03-09T12:00:00Z")), utc("2026-03-15T06:30:00Z"))
        // 1 November: 01:30 happens twice; a 01:30 window opens at the first (EDT, 05:30 UTC).
        let early = try window("30 1 1 11 *", 3600, "America/New_York")
        XCTAssertEqual(early.nextStart(after: utc("2026-10-31T12:00:00Z")), utc("2026-11-01T05:30:00Z"))
        XCTAssertNil(early.window(containing: utc("2026-11-01T06:45:00Z")), "not again at 01:30 EST")
    }

    /// The Vixie rule end to end: "0 3 13 * 5" fires on the 13th and on every Friday.
    func testDayOfMonthOrDayOfWeekOverAMonth() throws {
        let w = try window("0 3 13 * 5", 3600, "UTC")
        var starts: [Date] = []
        var t = utc("2026-03-01T00:00:00Z")
        while let next = w.nextStart(after: t), next < utc("2026-04-01T00:00:00Z") { starts.append(next); t = next }
        let days = starts.map { Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: $0).day! }
        XCTAssertEqual(days, [6, 13, 20, 27], "Fridays 6, 13, 20, 27 (the 13th is one of them)")
        let w2 = try window("0 3 13 * 1", 3600, "UTC")  // the 13th (a Friday) or Mondays
        var days2: [Int] = []
        t = utc("2026-03-01T00:00:00Z")
        while let next = w2.nextStart(after: t), next < utc("2026-04-01T00:00:00Z") {
            days2.append(Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: next).day!)
            t = next
        }
        XCTAssertEqual(days2, [2, 9, 13, 16, 23, 30])
    }

    func testNeverFiringScheduleHasNoStart() throws {
        XCTAssertNil(try window("0 0 31 2 *", 3600, "UTC").nextStart(after: utc("2026-01-01T00:00:00Z")))
        XCTAssertEqual(try window("0 0 29 2 *", 3600, "UTC").nextStart(after: utc("2026-01-01T00:00:00Z")), utc("2028-02-29T00:00:00Z"))
    }
}
