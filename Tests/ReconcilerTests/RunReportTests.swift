import Foundation
import KubeClient
import Reconciler
import XCTest

final class RunReportTests: XCTestCase {
    func sampleReport(mode: RunMode = .clientDryRun) -> RunReport {
        let cm = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "kubearmor", name: "kubearmor-config", uid: "u-1", resourceVersion: "41")
        let vapb = ObjectRef(apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding",
                             namespace: nil, name: "gatekeeper-k8srequiredlabels-gone", uid: "u-2", resourceVersion: "42")
        let pod = ObjectRef(apiVersion: "v1", kind: "Pod", namespace: "shop", name: "bare", uid: "u-3", resourceVersion: "43")
        let fix = labelFinding(cm)
        let orphan = deleteFinding(vapb, resource: ResourceDescriptor(group: "admissionregistration.k8s.io", version: "v1",
                                                                      plural: "validatingadmissionpolicybindings",
                                                                      kind: "ValidatingAdmissionPolicyBinding", namespaced: false))
        let bare = Finding(check: "apparmor-unprotected-pods", object: pod, reason: "bare pod without AppArmor profile", action: nil)
        let results = [
            ActionResult(entry: PlanEntry(finding: fix, decision: .planned(order: 0)), outcome: mode == .real ? .applied : .dryRun,
                         detail: mode == .real ? nil : "not sent (client dry run)"),
            ActionResult(entry: PlanEntry(finding: orphan, decision: .deferred(.maxChanges(1))), outcome: .deferred,
                         detail: DeferReason.maxChanges(1).description),
            ActionResult(entry: PlanEntry(finding: bare, decision: .reportOnly), outcome: .reported),
        ]
        let meta = RunReport.Metadata(startTime: "2026-01-02T15:04:05.000000Z", finishTime: "2026-01-02T15:04:06.000000Z",
                                      mode: mode, source: "examples/cluster.yaml")
        return RunReport(metadata: meta,
                         checks: [.init(name: "owner-references", findings: 1), .init(name: "gatekeeper-orphaned-vap", findings: 1),
                                  .init(name: "kubearmor-image-drift", findings: 0, notApplicable: "KubeArmorConfig API not served")],
                         results: results,
                         estimate: .init(remainingFindings: 2, runsNeeded: 2, timeNeededSeconds: 300, scheduleIntervalSeconds: 300))
    }

    func testSummaryCountsEveryOutcome() {
        let s = sampleReport().summary
        XCTAssertEqual([s.findings, s.planned, s.dryRun, s.deferred, s.reported, s.applied, s.checksNotApplicable], [3, 1, 1, 1, 1, 0, 1])
    }

    func testTableHasTheColumnsRowsAndSummary() {
        let text = TableRenderer().render(sampleReport())
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("CHECK"))
        for column in ["OBJECT", "FINDING", "ACTION", "RESULT"] { XCTAssertTrue(lines[0].contains(column)) }
        XCTAssertTrue(lines[1].contains("ConfigMap/kubearmor/kubearmor-config") && lines[1].hasSuffix("dry-run: not sent (client dry run)"), lines[1])
        XCTAssertTrue(lines[2].contains("ValidatingAdmissionPolicyBinding/gatekeeper-k8srequiredlabels-gone"), lines[2])
        XCTAssertTrue(lines[2].hasSuffix("deferred: budget maxChanges=1 reached"), lines[2])
        XCTAssertTrue(lines[3].contains("reported"), lines[3])
        XCTAssertEqual(lines[4], "check kubearmor-image-drift: not applicable: KubeArmorConfig API not served")
        XCTAssertEqual(lines[5], "3 findings: 1 dry-run, 1 deferred, 1 reported only; 1 check not applicable. "
            + "Estimate: 2 actionable findings need 2 runs at the current budgets, this one included (the last about 5m from now at a 5m schedule).")
        XCTAssertFalse(text.contains("PATCH"), "requests only with --show-requests")
        // Columns line up: RESULT starts at the same offset in the header and every row.
        let offset = lines[0].range(of: "RESULT")!.lowerBound.utf16Offset(in: lines[0])
        XCTAssertTrue(lines[1].dropFirst(offset).hasPrefix("dry-run"))
    }

    func testShowRequestsPrintsTheExactRequestUnderEachAction() {
        let text = TableRenderer(showRequests: true).render(sampleReport())
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[2], "    PATCH /api/v1/namespaces/kubearmor/configmaps/kubearmor-config?fieldManager=kreconcile application/json-patch+json "
            + #"[{"op":"test","path":"/metadata/resourceVersion","value":"41"},{"op":"add","path":"/metadata/labels/fixed","value":"yes"}]"#)
        XCTAssertTrue(lines[4].hasPrefix("    DELETE /apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/gatekeeper-k8srequiredlabels-gone application/json"), lines[4])
        XCTAssertTrue(lines[4].contains(#""preconditions":{"resourceVersion":"42","uid":"u-2"}"#), lines[4])
        let server = TableRenderer(showRequests: true).render(sampleReport(mode: .serverDryRun))
        XCTAssertTrue(server.contains("?dryRun=All&fieldManager=kreconcile"), server)
        XCTAssertEqual(sampleReport(mode: .serverDryRun).entries[0].action?.request.query["dryRun"], "All", "the JSON shows what was sent")
        XCTAssertNil(sampleReport(mode: .clientDryRun).entries[0].action?.request.query["dryRun"])
    }

    func testJSONIsTheDocumentedSchemaAndRoundTrips() throws {
        let report = sampleReport()
        let text = try report.json()
        let json = try JSONValue.parse(Data(text.utf8))
        XCTAssertEqual(json["apiVersion"], "kreconcile.io/v1alpha1")
        XCTAssertEqual(json["kind"], "Report")
        XCTAssertEqual(json["metadata"]?["mode"], "client-dry-run")
        let first = try XCTUnwrap(json["entries"]?[0])
        XCTAssertEqual(first["result"], "dry-run")
        XCTAssertEqual(first["object"]?["resourceVersion"], "41")
        XCTAssertEqual(first["action"]?["class"], "metadata")
        XCTAssertEqual(first["action"]?["request"]?["method"], "PATCH")
        XCTAssertEqual(first["action"]?["request"]?["body"]?[0]?["op"], "test", "the body is structured JSON, not a string")
        XCTAssertEqual(json["entries"]?[2]?["action"], nil)
        XCTAssertEqual(json["summary"]?["deferred"], 1)
        XCTAssertEqual(json["estimate"]?["runsNeeded"], 2)
        XCTAssertEqual(try RunReport.decode(json: Data(text.utf8)), report)
        XCTAssertEqual(try report.json(), text, "byte-stable")
    }

    func testYAMLCarriesTheSameSchema() throws {
        let yaml = try sampleReport().yaml()
        XCTAssertTrue(yaml.contains("apiVersion: kreconcile.io/v1alpha1\n"), yaml)
        XCTAssertTrue(yaml.contains("kind: Report\n"))
        XCTAssertTrue(yaml.contains("resourceVersion: '41'"), "numeric-looking strings stay strings: \(yaml)")
        XCTAssertTrue(yaml.contains("result: deferred"))
    }

    func testDurations() {
        XCTAssertEqual(TableRenderer.duration(45), "45s")
        XCTAssertEqual(TableRenderer.duration(300), "5m")
        XCTAssertEqual(TableRenderer.duration(5400), "1h30m")
        XCTAssertEqual(TableRenderer.duration(90), "1m30s")
    }
}
