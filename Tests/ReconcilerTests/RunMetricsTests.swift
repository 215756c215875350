import Foundation
@testable import Reconciler
import XCTest

final class RunMetricsTests: XCTestCase {
    /// A report as `-o json` prints it: two checks, three entries, one deferred.
    func report() throws -> RunReport {
        func entry(_ check: String, _ name: String, _ result: String) -> String {
            """
            {"check": "\(check)", "finding": "f", "result": "\(result)",
             "object": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "ns", "name": "\(name)", "uid": "u-\(name)", "resourceVersion": "1"}}
            """
        }
        let json = """
            {"apiVersion": "kreconcile.io/v1alpha1", "kind": "Report",
             "metadata": {"startTime": "2026-01-02T15:04:05.000000Z", "finishTime": "2026-01-02T15:04:06.500000Z", "mode": "real", "source": "https://x"},
             "checks": [{"name": "owner-references", "findings": 2}, {"name": "kubearmor-image-drift", "findings": 1}],
             "entries": [\(entry("owner-references", "a", "applied")), \(entry("owner-references", "b", "deferred")), \(entry("kubearmor-image-drift", "c", "applied"))],
             "summary": {"findings": 3, "planned": 3, "applied": 2, "dryRun": 0, "deferred": 1, "skipped": 0, "failed": 0, "reported": 0, "checksNotApplicable": 0}}
            """
        return try RunReport.decode(json: Data(json.utf8))
    }

    func lines(_ text: String) -> Set<String> { Set(text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }) }

    func testASuccessfulRunGivesEachFamily() throws {
        let text = RunMetrics.render(try report(), succeeded: true)
        let finished = try XCTUnwrap(MicroTime.parse("2026-01-02T15:04:06.500000Z")).timeIntervalSince1970
        XCTAssertTrue(lines(text).isSuperset(of: [
            #"kreconcile_findings{check="owner-references"} 2.0"#,
            #"kreconcile_findings{check="kubearmor-image-drift"} 1.0"#,
            #"kreconcile_actions{check="owner-references",result="applied"} 1.0"#,
            #"kreconcile_actions{check="owner-references",result="deferred"} 1.0"#,
            #"kreconcile_actions{check="kubearmor-image-drift",result="applied"} 1.0"#,
            "kreconcile_deferred 1.0",
            "kreconcile_run_duration_seconds 1.5",
            "kreconcile_run_success 1.0",
        ]), text)
        XCTAssertEqual(RunMetrics.lastSuccess(in: text), finished)
        XCTAssertTrue(text.contains("# TYPE kreconcile_actions gauge"), text)
        XCTAssertTrue(text.contains("# HELP kreconcile_last_success_timestamp_seconds"), text)
    }

    func testAFailedRunKeepsThePreviousSuccessTime() throws {
        let failed = RunMetrics.render(try report(), succeeded: false, previousLastSuccess: 1_700_000_000)
        XCTAssertTrue(lines(failed).contains("kreconcile_run_success 0.0"), failed)
        XCTAssertEqual(RunMetrics.lastSuccess(in: failed), 1_700_000_000)
        let first = RunMetrics.render(try report(), succeeded: false)
        XCTAssertNil(RunMetrics.lastSuccess(in: first), "no success yet: no series rather than a made-up time")
    }
}
