import Foundation
import KubeClient
import KubeEmulator
@testable import Reconciler
import XCTest

/// Backup, run records and undo, end to end on the emulator over HTTP: a real run deletes an
/// orphaned Gatekeeper binding and adds an ownerReference; undo takes both back.
final class UndoTests: XCTestCase {
    static let bindings = "validatingadmissionpolicybindings"
    static let bindingName = "gatekeeper-k8sgone-y"

    /// Only the two checks under test; the ownerReference comes from a user rule.
    static let settingsYAML = """
        checks:
          owner-references:
            kubearmorOperator: false
            rules:
            - {kind: ConfigMap, namespace: shop, selector: {app: cart}, owner: {kind: Deployment, name: cart}}
          kubearmor-image-drift: {enabled: false}
          apparmor-unprotected-pods: {enabled: false}
          gatekeeper-mutation-drift: {enabled: false}
        """

    func settings(_ extra: String = "") throws -> Settings { try Settings.load(yaml: Self.settingsYAML + "\n" + extra, path: "test.yaml") }

    /// An orphaned binding (its constraint kind is gone), a ConfigMap that should be owned by
    /// the Deployment cart, and that Deployment.
    func seed(_ e: KubeEmulator) throws {
        try e.seed(yamlOrJSON: GatekeeperEmulatorTests.templateCRD)
        try e.seed(["apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
                    "metadata": ["name": .string(Self.bindingName), "labels": ["team": "policy"], "ownerReferences": [[
                        "apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sGone", "name": "y",
                        "uid": "gone-uid", "controller": true, "blockOwnerDeletion": true]]],
                    "spec": ["policyName": "gatekeeper-k8sgone", "paramRef": ["name": "y"], "validationActions": ["Deny"]]])
        try e.seed(yamlOrJSON: "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}")
        try e.seed(yamlOrJSON: """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: cart, namespace: shop}
            spec:
              replicas: 0
              selector: {matchLabels: {app: cart-pod}}
              template:
                metadata: {labels: {app: cart-pod}}
                spec: {containers: [{name: c, image: cart:1}]}
            """)
        try e.seed(yamlOrJSON: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cart-config, namespace: shop, labels: {app: cart}}\ndata: {k: v}")
    }

    /// An object as a user would compare it: the fields the API server sets removed.
    static func withoutServerFields(_ o: JSONValue?) -> JSONValue? {
        guard var o else { return nil }
        var meta = o["metadata"]?.objectValue ?? [:]
        for key in ["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"] { meta[key] = nil }
        o["metadata"] = .object(meta)
        o["status"] = nil
        return o
    }

    func testUndoRecreatesTheDeletedBindingAndTakesTheAddedOwnerReferenceBack() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let e = c.emulator
        try seed(e)
        let bindingBefore = try XCTUnwrap(e.object(Self.bindings, namespace: nil, name: Self.bindingName))
        let configBefore = try XCTUnwrap(e.object("configmaps", namespace: "shop", name: "cart-config"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kreconcile-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)

        var options = RunOptions(mode: .real, settings: try settings(), identity: "undo-test")
        options.backupDir = dir.path
        c.emulator.clearRequests()
        let run = try await Run(options: options, client: c.client()).execute()
        XCTAssertEqual(run.entries.map(\.result), [.applied, .applied], "\(run.entries.map { "\($0.check) \($0.detail ?? "")" })")
        let runID = try XCTUnwrap(run.metadata.runID)
        XCTAssertEqual(run.metadata.record, "default/kreconcile-run-\(runID)")
        XCTAssertNil(e.object(Self.bindings, namespace: nil, name: Self.bindingName))
        XCTAssertEqual(e.object("configmaps", namespace: "shop", name: "cart-config")?["metadata"]?["ownerReferences"]?[0]?["name"], "cart")
        // One GET per reversible write, each right before it, and the record written after them.
        let sent = e.requests().filter { $0.path.hasSuffix("/" + Self.bindingName) || $0.path.hasSuffix("/cart-config") }
        XCTAssertEqual(sent.map(\.method), ["GET", "PATCH", "GET", "DELETE"], sent.map { "\($0.method) \($0.path)" }.joined(separator: "\n"))
        // --backup-dir: one file per object, named so they sort in the order written.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(files, ["\(runID)-000-configmap-shop-cart-config.yaml", "\(runID)-001-validatingadmissionpolicybinding-cluster-\(Self.bindingName).yaml"])
        let fileObject = try XCTUnwrap(try JSONValue.parseDocuments(String(contentsOf: dir.appendingPathComponent(files[1]), encoding: .utf8)).first)
        XCTAssertEqual(fileObject, bindingBefore, "the file holds the binding exactly as it was")

        let undo = try await Undo(client: c.client(), settings: try settings(), runID: nil, dryRun: false, identity: "undo-test").execute()
        XCTAssertEqual(undo.metadata.undoOf, runID)
        XCTAssertEqual(undo.entries.map(\.result), [.applied, .applied], "\(undo.entries.map { "\($0.finding) \($0.detail ?? "")" })")
        // Newest first: the delete (write 1) is taken back before the patch (write 0).
        XCTAssertEqual(undo.entries.map(\.object.kind), ["ValidatingAdmissionPolicyBinding", "ConfigMap"])
        XCTAssertTrue(undo.entries[0].finding.contains("ownerReferences dropped, their owner is gone: K8sGone y (uid gone-uid)"), undo.entries[0].finding)

        let configAfter = e.object("configmaps", namespace: "shop", name: "cart-config")
        XCTAssertEqual(Self.withoutServerFields(configAfter), Self.withoutServerFields(configBefore))
        let bindingAfter = try XCTUnwrap(e.object(Self.bindings, namespace: nil, name: Self.bindingName))
        var expected = try XCTUnwrap(Self.withoutServerFields(bindingBefore))
        expected["metadata"]?["ownerReferences"] = nil  // its owner is gone: a reference would have the GC delete it
        XCTAssertEqual(Self.withoutServerFields(bindingAfter), expected)
        XCTAssertNotEqual(bindingAfter["metadata"]?["uid"], bindingBefore["metadata"]?["uid"], "a new object")

        // Both the run and the undo are in the history, newest first.
        let history = RunHistory(client: c.client(), namespace: "default", instance: "kreconcile")
        let listed = try await history.list().map(\.summary)
        XCTAssertEqual(listed.map(\.operation), [.undo, .run])
        XCTAssertEqual(listed.first?.undoOf, runID)
        XCTAssertEqual(listed.map(\.applied), [2, 2])
        print(HistoryTable.render(listed))
        print(TableRenderer().render(undo))
    }

    func testUndoAfterSomeoneElseChangedTheObjectsReportsConflictsAndChangesNothing() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let e = c.emulator
        try seed(e)
        let run = try await Run(options: RunOptions(mode: .real, settings: try settings(), identity: "undo-test"), client: c.client()).execute()
        XCTAssertEqual(run.summary.applied, 2)
        // Someone edits the ownerReferences the run added, and creates a binding of the same name.
        let client = c.client()
        _ = try await client.patch(.configMaps, namespace: "shop", name: "cart-config",
                                   patch: .json([.replace("/metadata/ownerReferences/0/name", "cart-v2")]))
        try e.seed(["apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
                    "metadata": ["name": .string(Self.bindingName)], "spec": ["policyName": "someone-elses"]])
        let configBefore = e.object("configmaps", namespace: "shop", name: "cart-config")
        let bindingBefore = e.object(Self.bindings, namespace: nil, name: Self.bindingName)

        e.clearRequests()
        let undo = try await Undo(client: client, settings: try settings(), runID: run.metadata.runID, dryRun: false, identity: "undo-test").execute()
        XCTAssertEqual(undo.entries.map(\.result), [.skipped, .skipped])
        XCTAssertTrue(undo.entries[0].detail?.hasPrefix("conflict: an object of that name exists again") == true, undo.entries[0].detail ?? "")
        XCTAssertTrue(undo.entries[1].detail?.hasPrefix("conflict: changed since run \(run.metadata.runID ?? "")") == true, undo.entries[1].detail ?? "")
        XCTAssertEqual(undo.summary.failed, 0)
        XCTAssertEqual(e.object("configmaps", namespace: "shop", name: "cart-config"), configBefore, "not changed at all")
        XCTAssertEqual(e.object(Self.bindings, namespace: nil, name: Self.bindingName), bindingBefore, "not changed at all")
        let writes = c.writes.filter { !$0.path.contains("/leases") && !$0.path.contains("/events") && !$0.path.hasSuffix("/configmaps") }
        XCTAssertEqual(writes.map(\.method), ["POST", "PATCH"], "one refused attempt each; nothing else written")
    }

    func testUndoDryRunWritesNothingAndARestartIsListedAsIrreversible() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try seed(c.emulator)
        let run = try await Run(options: RunOptions(mode: .real, settings: try settings(), identity: "undo-test"), client: c.client()).execute()
        // A record as a run that also restarted a Deployment leaves it (restarts keep no backup).
        var record = try await RunHistory(client: c.client(), namespace: "default", instance: "kreconcile").read(runID: try XCTUnwrap(run.metadata.runID))
        let cart = try c.ref("deployments", "shop", "cart")
        let restart = Finding(check: "apparmor-unprotected-pods", object: cart, reason: "pods lack a profile",
                              action: Action(actionClass: .disruptive, target: cart, summary: "rollout restart (kubectl.kubernetes.io/restartedAt)",
                                             request: KubeRequest.patch(.deployments, namespace: "shop", name: "cart",
                                                                        patch: .strategicMerge(["spec": ["template": [:]]]))))
        record.report.entries += RunReport(metadata: record.report.metadata, checks: [],
                                           results: [ActionResult(entry: PlanEntry(finding: restart, decision: .planned(order: 2)), outcome: .applied)],
                                           estimate: nil).entries
        let (plan, lookups) = await UndoPlanner(client: c.client(), settings: try settings()).plan(record)
        XCTAssertEqual(lookups, 1, "one owner lookup: the binding's constraint")
        XCTAssertEqual(plan.entries.map(\.finding.object.kind), ["ValidatingAdmissionPolicyBinding", "ConfigMap", "Deployment"])
        XCTAssertEqual(plan.entries.last?.decision, .reportOnly)
        XCTAssertTrue(plan.entries.last?.finding.reason.contains("irreversible") == true)

        c.emulator.clearRequests()
        let dry = try await Undo(client: c.client(), settings: try settings(), runID: nil, dryRun: true).execute()
        XCTAssertEqual(dry.entries.map(\.result), [.dryRun, .dryRun])
        XCTAssertEqual(c.writes.count, 0, "a dry run writes nothing: no Lease, no record")
        XCTAssertNil(c.emulator.object(Self.bindings, namespace: nil, name: Self.bindingName))
    }

    func testUndoIsBoundedByTheBudgets() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try seed(c.emulator)
        let run = try await Run(options: RunOptions(mode: .real, settings: try settings(), identity: "undo-test"), client: c.client()).execute()
        XCTAssertEqual(run.summary.applied, 2)
        let undo = try await Undo(client: c.client(), settings: try settings("budgets: {maxChanges: 1}"), runID: nil, dryRun: false).execute()
        XCTAssertEqual(undo.entries.map(\.result), [.applied, .deferred])
        XCTAssertNotNil(c.emulator.object(Self.bindings, namespace: nil, name: Self.bindingName), "the newest write is undone first")
        XCTAssertNotNil(c.emulator.object("configmaps", namespace: "shop", name: "cart-config")?["metadata"]?["ownerReferences"])
    }

    func testARecreatedObjectKeepsTheOwnerReferencesWhoseOwnerStillExists() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try seed(c.emulator)
        let cart = try c.ref("deployments", "shop", "cart")
        let alive: JSONValue = ["apiVersion": "apps/v1", "kind": "Deployment", "name": "cart", "uid": .string(cart.uid)]
        let replaced: JSONValue = ["apiVersion": "apps/v1", "kind": "Deployment", "name": "cart", "uid": "an-older-uid"]
        let object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap",
                                 "metadata": ["name": "x", "namespace": "shop", "uid": "u", "resourceVersion": "7", "ownerReferences": [alive, replaced]]]
        let (body, dropped, lookups) = await UndoPlanner(client: c.client(), settings: .defaults).recreatable(object)
        XCTAssertEqual(body["metadata"]?["ownerReferences"], [alive])
        XCTAssertEqual(dropped, ["Deployment cart (uid an-older-uid)"])
        XCTAssertEqual(lookups, 2)
        XCTAssertNil(body["metadata"]?["uid"])
        XCTAssertNil(body["metadata"]?["resourceVersion"])
    }
}
