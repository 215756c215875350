@testable import Reconciler
import XCTest

final class CronScheduleTests: XCTestCase {
    func testRangesStepsListsAndNames() throws {
        let s = try CronSchedule("*/15 9-17/4 1,15 jan-mar MON-fri")
        XCTAssertEqual(s.minutes, [0, 15, 30, 45])
        XCTAssertEqual(s.hours, [9, 13, 17])
        XCTAssertEqual(s.daysOfMonth, [1, 15])
        XCTAssertEqual(s.months, [1, 2, 3])
        XCTAssertEqual(s.daysOfWeek, [1, 2, 3, 4, 5])
        // a/n runs from a to the end of the range (cronie, robfig/cron).
        XCTAssertEqual(try CronSchedule("5/20 * * * *").minutes, [5, 25, 45])
    }

    func testSundayIsZeroOrSeven() throws {
        XCTAssertEqual(try CronSchedule("0 0 * * 7").daysOfWeek, [0])
        XCTAssertEqual(try CronSchedule("0 0 * * 5-7").daysOfWeek, [5, 6, 0])
        XCTAssertEqual(try CronSchedule("0 0 * * sun").daysOfWeek, [0])
    }

    func testMacros() throws {
        let daily = try CronSchedule("@daily"), plain = try CronSchedule("0 0 * * *")
        XCTAssertEqual([daily.minutes, daily.hours], [plain.minutes, plain.hours])
        XCTAssertTrue(daily.matchesDay(month: 2, day: 29, weekday: 4))
        XCTAssertEqual(try CronSchedule("@weekly").daysOfWeek, [0])
        XCTAssertEqual(try CronSchedule("@hourly").minutes, [0])
    }

    /// Vixie cron: both day fields restricted -> either matches; one starting with * -> both must.
    func testDayOfMonthOrDayOfWeek() throws {
        let either = try CronSchedule("0 0 13 * 5")  // the 13th, or any Friday
        XCTAssertTrue(either.matchesDay(month: 3, day: 13, weekday: 2))
        XCTAssertTrue(either.matchesDay(month: 3, day: 6, weekday: 5))
        XCTAssertFalse(either.matchesDay(month: 3, day: 7, weekday: 6))
        let fridays = try CronSchedule("0 0 * * 5")
        XCTAssertFalse(fridays.matchesDay(month: 3, day: 13, weekday: 2))
        XCTAssertTrue(fridays.matchesDay(month: 3, day: 6, weekday: 5))
        // "*/2" starts with * too: AND, so only odd days that are Fridays.
        let stepped = try CronSchedule("0 0 */2 * 5")
        XCTAssertTrue(stepped.matchesDay(month: 3, day: 13, weekday: 5))
        XCTAssertFalse(stepped.matchesDay(month: 3, day: 6, weekday: 5))
        XCTAssertFalse(stepped.matchesDay(month: 3, day: 13, weekday: 2))
    }

    func testErrorsNameTheField() {
        func problem(_ text: String) -> String {
            do { _ = try CronSchedule(text); return "parsed" } catch { return error.description }
        }
        XCTAssertEqual(problem("61 * * * *"), "minute field \"61\": 61 is out of range 0-59")
        XCTAssertEqual(problem("0 24 * * *"), "hour field \"24\": 24 is out of range 0-23")
        XCTAssertEqual(problem("0 0 0 * *"), "day-of-month field \"0\": 0 is out of range 1-31")
        XCTAssertEqual(problem("0 0 * foo *"), "month field \"foo\": \"foo\" is not a number or a name like jan")
        XCTAssertEqual(problem("0 0 * * 1-8"), "day-of-week field \"1-8\": 8 is out of range 0-7")
        XCTAssertEqual(problem("0 0 * * 5-1"), "day-of-week field \"5-1\": range 5-1 runs backwards")
        XCTAssertEqual(problem("*/0 * * * *"), "minute field \"*/0\": step \"0\" must be a whole number of 1 or more")
        XCTAssertEqual(problem("0 22 * *"), "\"0 22 * *\" has 4 fields; a schedule has 5: minute hour day-of-month month day-of-week")
        XCTAssertEqual(problem("1,,2 * * * *"), "minute field \"1,,2\": empty list element")
    }
}
