import Foundation
import Reconciler
import XCTest

final class RunIDTests: XCTestCase {
    func testRunIDsCarryTheUTCTimeAndSortByIt() {
        let id = RunID.make(at: Date(timeIntervalSince1970: 1_796_023_665))  // 2026-11-30T07:27:45Z
        XCTAssertTrue(id.hasPrefix("20261130-072745-"), id)
        XCTAssertTrue(RunID.isValid(id), id)
        XCTAssertTrue(RunID.make(at: Date(timeIntervalSince1970: 951_782_400)).hasPrefix("20000229-000000-"), "a leap day")
        XCTAssertTrue(RunID.make(at: Date(timeIntervalSince1970: 0)).hasPrefix("19700101-000000-"))
        XCTAssertLessThan(RunID.make(at: Date(timeIntervalSince1970: 1_796_023_665)), RunID.make(at: Date(timeIntervalSince1970: 1_796_023_666)))
        XCTAssertFalse(RunID.isValid("20261130-072745-zzzzzz"))
    }
}
