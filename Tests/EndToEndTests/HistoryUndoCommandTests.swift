import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// `kreconcile run`, `history` and `undo` as a user runs them, against the emulator.
final class HistoryUndoCommandTests: XCTestCase {
    override func setUpWithError() throws { try Binary.require() }

    /// An orphaned Gatekeeper binding (its constraint kind is gone) on an otherwise empty cluster.
    static let cluster = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: constrainttemplates.templates.gatekeeper.sh}
        spec:
          group: templates.gatekeeper.sh
          names: {kind: ConstraintTemplate, listKind: ConstraintTemplateList, plural: constrainttemplates, singular: constrainttemplate}
          scope: Cluster
          versions:
          - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata:
          name: gatekeeper-k8sgone-y
          ownerReferences:
          - {apiVersion: constraints.gatekeeper.sh/v1beta1, kind: K8sGone, name: y, uid: gone-uid, controller: true, blockOwnerDeletion: true}
        spec: {policyName: gatekeeper-k8sgone, paramRef: {name: y}, validationActions: [Deny]}
        """

    func testRunThenHistoryThenUndo() async throws {
        let c = try await E2ECluster.start(example: Self.cluster)
        defer { Task { await c.stop() } }
        let backups = c.dir.appendingPathComponent("backups").path
        let run = try await c.run(["run", "--backup-dir", backups])
        XCTAssertEqual(run.code, 0, run.stderr)
        XCTAssertNil(c.object("validatingadmissionpolicybindings", nil, "gatekeeper-k8sgone-y"))
        let line = try XCTUnwrap(run.stdout.split(separator: "\n").first { $0.hasPrefix("run ") }, run.stdout)
        let runID = String(line.dropFirst(4).prefix(22))
        XCTAssertTrue(line.contains("record ConfigMap default/kreconcile-run-\(runID)"), String(line))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: backups).count, 1)

        let list = try await c.run(["history"])
        XCTAssertEqual(list.code, 0, list.stderr)
        XCTAssertTrue(list.stdout.hasPrefix("RUN "), list.stdout)
        XCTAssertTrue(list.stdout.contains(runID), list.stdout)
        let json = try await c.run(["history", "-o", "json"])
        XCTAssertEqual(try json.json()["items"]?[0]?["applied"], 1)
        let one = try await c.run(["history", runID])
        XCTAssertEqual(one.code, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("gatekeeper-orphaned-vap"), one.stdout)
        XCTAssertTrue(one.stdout.contains("1 finding: 1 applied"), one.stdout)

        let dry = try await c.run(["undo", "--dry-run"])
        XCTAssertEqual(dry.code, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("re-create ValidatingAdmissionPolicyBinding gatekeeper-k8sgone-y"), dry.stdout)
        XCTAssertNil(c.object("validatingadmissionpolicybindings", nil, "gatekeeper-k8sgone-y"), "a dry run writes nothing")

        let undo = try await c.run(["undo", runID])
        XCTAssertEqual(undo.code, 0, undo.stderr)
        XCTAssertNotNil(c.object("validatingadmissionpolicybindings", nil, "gatekeeper-k8sgone-y"))
        XCTAssertTrue(undo.stdout.contains("of run \(runID)"), undo.stdout)
        let after = try await c.run(["history"])
        XCTAssertTrue(after.stdout.contains("undo of \(runID)"), after.stdout)
        print("$ kreconcile run\n\(run.stdout)\n$ kreconcile history\n\(list.stdout)\n$ kreconcile undo --dry-run\n\(dry.stdout)\n$ kreconcile undo \(runID)\n\(undo.stdout)\n$ kreconcile history\n\(after.stdout)")
    }

    func testBadSettingsAndArgumentsExitTwoNamingTheField() async throws {
        let c = try await E2ECluster.start(example: Self.cluster)
        defer { Task { await c.stop() } }
        let cases: [(String, String)] = [
            ("history: {maxRuns: 0}", "history.maxRuns"),
            ("history: {maxRuns: 1001}", "history.maxRuns"),
            ("history: {maxAgeDays: 0}", "history.maxAgeDays"),
            ("history: {maxAgeDays: week}", "history.maxAgeDays"),
            ("history: {enabled: maybe}", "history.enabled"),
            ("history: {maxRun: 3}", "history.maxRun: unknown field, did you mean maxRuns?"),
            ("history: 5", "history: must be a mapping"),
        ]
        for (yaml, named) in cases {
            let config = try c.file("bad.yaml", yaml + "\n")
            for args in [["config", "--validate", config], ["run", "--config", config], ["history", "--config", config], ["undo", "--config", config]] {
                let r = try await c.run(args)
                XCTAssertEqual(r.code, 2, "\(yaml) \(args): \(r.stderr)")
                XCTAssertTrue(r.stderr.contains(named), "\(yaml) \(args): \(r.stderr)")
            }
        }
        let file = try c.file("not-a-dir", "x")
        let args: [([String], String)] = [
            (["run", "--backup-dir", file], "--backup-dir: \(file) exists and is not a directory"),
            (["undo", "last-tuesday"], "RUN-ID: \"last-tuesday\" is not a run id"),
            (["history", "x"], "RUN-ID: \"x\" is not a run id"),
            (["undo", "--dry-run=server"], "--dry-run=server"),
        ]
        for (a, named) in args {
            let r = try await c.run(a)
            XCTAssertEqual(r.code, 2, "\(a): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(named), "\(a): \(r.stderr)")
        }
        XCTAssertTrue(c.writes(includingBookkeeping: true).isEmpty, "nothing sent")
    }
}
