import KubeClient
@testable import Reconciler
import XCTest

final class OwnerReferencesCheckTests: XCTestCase {
    let check = OwnerReferencesCheck()
    let op = Fixture.operatorDeployment

    func evaluate(_ snapshot: Snapshot, _ settings: Settings = .defaults) -> CheckReport { check.evaluate(snapshot, settings) }

    func testAddsTheOperatorReferenceWhereMissing() throws {
        let owned = Fixture.deployment("kubearmor-relay", owners: [Fixture.ownerRef(op)])
        let controller = Fixture.deployment("kubearmor-controller", labels: ["kubearmor-app": "kubearmor-controller"])
        let secret = Fixture.object("Secret", "kubearmor-controller-webhook-server-cert")
        let unrelated = Fixture.object("ConfigMap", "something-else")
        let elsewhere = Fixture.object("ConfigMap", "kubearmor-config", ns: "default")  // not the operator's namespace
        let report = evaluate(Snapshot(workloads: [op, owned, controller], objects: [secret, unrelated, elsewhere]))

        XCTAssertNil(report.notApplicable)
        XCTAssertEqual(report.findings.map(\.object.description),
                       ["Deployment kubearmor/kubearmor-controller", "Secret kubearmor/kubearmor-controller-webhook-server-cert"])
        let finding = report.findings[0]
        XCTAssertTrue(finding.reason.contains("no ownerReferences, none to Deployment kubearmor/kubearmor-operator (uid \(op.meta.uid))"), finding.reason)
        let action = try XCTUnwrap(finding.action)
        XCTAssertEqual(action.actionClass, .metadata)
        XCTAssertEqual(action.target, controller.ref)
        XCTAssertEqual(action.request.method, "PATCH")
        XCTAssertEqual(action.request.path, "/apis/apps/v1/namespaces/kubearmor/deployments/kubearmor-controller")
        XCTAssertEqual(action.request.contentType, MediaType.jsonPatch)
        XCTAssertEqual(try Fixture.patchOps(action.request), [
            ["op": "test", "path": "/metadata/resourceVersion", "value": "10"],
            ["op": "add", "path": "/metadata/ownerReferences",
             "value": [["apiVersion": "apps/v1", "kind": "Deployment", "name": "kubearmor-operator", "uid": .string(op.meta.uid)]]],
        ])
        XCTAssertEqual(report.findings[1].action?.request.path, "/api/v1/namespaces/kubearmor/secrets/kubearmor-controller-webhook-server-cert")
    }

    func testAppendsToExistingOwnersAndSkipsDeletingObjects() throws {
        let other = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "uid-x")
        let sa = Fixture.object("ServiceAccount", "kubearmor", owners: [other])
        var deleting = Fixture.object("ConfigMap", "kubearmor-config")
        deleting.meta.deletionTimestamp = "2026-01-01T00:00:00Z"
        let report = evaluate(Snapshot(workloads: [op], objects: [sa, deleting]))
        XCTAssertEqual(report.findings.count, 1)
        let ops = try Fixture.patchOps(try XCTUnwrap(report.findings[0].action).request)
        XCTAssertEqual(ops[1]["op"], "add")
        XCTAssertEqual(ops[1]["path"], "/metadata/ownerReferences/-")
        XCTAssertEqual(ops[1]["value"]?["uid"], .string(op.meta.uid))
    }

    func testStaleOperatorUIDIsReportedNotPatched() {
        let stale = OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: "kubearmor-operator", uid: "old-uid")
        let cm = Fixture.object("ConfigMap", "kubearmor-config", owners: [stale])
        let report = evaluate(Snapshot(workloads: [op], objects: [cm]))
        XCTAssertEqual(report.findings.count, 1)
        XCTAssertNil(report.findings[0].action)
        XCTAssertTrue(report.findings[0].reason.contains("has uid old-uid"), report.findings[0].reason)
    }

    func testOperatorFoundByNameOrLabel() {
        let byName = Fixture.deployment("kubearmor-operator", ns: "ops")
        let cm = Fixture.object("ConfigMap", "kubearmor-config", ns: "ops")
        XCTAssertEqual(evaluate(Snapshot(workloads: [byName], objects: [cm])).findings.count, 1)
        let byLabel = Fixture.deployment("ka-op", ns: "ops", labels: ["kubearmor-app": "kubearmor-operator"])
        let finding = evaluate(Snapshot(workloads: [byLabel], objects: [cm])).findings.first
        XCTAssertEqual(finding?.action.map { try? Fixture.patchOps($0.request)[1]["value"]?[0]?["name"] }, .some(.some("ka-op")))
    }

    func testNotApplicableWithoutOperatorOrRules() {
        let report = evaluate(Snapshot(objects: [Fixture.object("ConfigMap", "kubearmor-config")]))
        XCTAssertTrue(report.findings.isEmpty)
        XCTAssertEqual(report.notApplicable?.hasPrefix("no KubeArmor operator Deployment"), true)
    }

    func testSeveralOperatorsAreReportedOnly() {
        let second = Fixture.deployment("kubearmor-operator-2", ns: "other", labels: ["kubearmor-app": "kubearmor-operator"])
        let report = evaluate(Snapshot(workloads: [op, second], objects: [Fixture.object("ConfigMap", "kubearmor-config")]))
        XCTAssertEqual(report.findings.count, 2)
        XCTAssertTrue(report.findings.allSatisfy { $0.action == nil && $0.reason.hasPrefix("2 KubeArmor operator Deployments") })
    }

    func testBuiltInRuleCanBeTurnedOff() throws {
        let settings = try Fixture.settings("checks: {owner-references: {kubearmorOperator: false}}")
        XCTAssertNotNil(evaluate(Snapshot(workloads: [op], objects: [Fixture.object("ConfigMap", "kubearmor-config")]), settings).notApplicable)
    }

    func testUserRules() throws {
        let settings = try Fixture.settings("""
        checks:
          owner-references:
            rules:
            - kind: ConfigMap
              selector: {app: cart}
              owner: {kind: Deployment, name: cart}
            - kind: Secret
              selector: {team: shop}
              owner: {kind: Namespace, name: shop}
        """)
        XCTAssertTrue(check.inputs(for: settings).contains(.builtIn(.configMaps)))
        XCTAssertTrue(check.inputs(for: settings).contains(.builtIn(.namespaces)))
        let cart = Fixture.deployment("cart", ns: "shop")
        let cm = Fixture.object("ConfigMap", "cart-config", ns: "shop", labels: ["app": "cart"])
        let owned = Fixture.object("ConfigMap", "cart-owned", ns: "shop", labels: ["app": "cart"], owners: [Fixture.ownerRef(cart)])
        let noOwnerHere = Fixture.object("ConfigMap", "cart-config", ns: "staging", labels: ["app": "cart"])
        let unlabelled = Fixture.object("ConfigMap", "other", ns: "shop")
        let secret = Fixture.object("Secret", "shop-token", ns: "shop", labels: ["team": "shop"])
        let shopNS = Fixture.namespace("shop")
        let report = evaluate(Snapshot(workloads: [cart], objects: [cm, owned, noOwnerHere, unlabelled, secret, shopNS]), settings)

        XCTAssertEqual(report.findings.map(\.object.description),
                       ["ConfigMap shop/cart-config", "ConfigMap staging/cart-config", "Secret shop/shop-token"])
        XCTAssertEqual(try Fixture.patchOps(try XCTUnwrap(report.findings[0].action).request)[1]["value"]?[0]?["uid"], .string(cart.meta.uid))
        // The owner must be in the object's own namespace: none in staging.
        XCTAssertNil(report.findings[1].action)
        XCTAssertTrue(report.findings[1].reason.contains("not found in namespace staging"), report.findings[1].reason)
        // A cluster-scoped owner is valid for a namespaced object.
        XCTAssertEqual(try Fixture.patchOps(try XCTUnwrap(report.findings[2].action).request)[1]["value"]?[0]?["kind"], "Namespace")
    }

    func testNamespacedOwnerNeverOnClusterScopedObject() throws {
        // Settings reject this rule; built by hand it must still not produce an action.
        var settings = Settings.defaults
        settings.checks.options["owner-references"]?["rules"] = [[
            "kind": "ClusterRole", "selector": ["app": "cart"], "owner": ["kind": "Deployment", "name": "cart"],
        ]]
        let role = Fixture.object("ClusterRole", "cart-role", apiVersion: "rbac.authorization.k8s.io/v1", ns: nil, labels: ["app": "cart"])
        let report = evaluate(Snapshot(workloads: [Fixture.deployment("cart", ns: "shop")], objects: [role]), settings)
        XCTAssertEqual(report.findings.count, 1)
        XCTAssertNil(report.findings[0].action)
        XCTAssertTrue(report.findings[0].reason.contains("a namespaced owner is invalid for a cluster-scoped object"), report.findings[0].reason)
    }

    func testRuleForACustomKindPatchesItsResource() throws {
        let settings = try Fixture.settings("""
        checks:
          owner-references:
            rules:
            - {kind: Widget, apiVersion: example.com/v1, resource: widgets, selector: {app: cart}, owner: {kind: Deployment, name: cart, controller: true}}
        """)
        XCTAssertTrue(check.inputs(for: settings).contains(SnapshotInput(.discovered(group: "example.com", versions: ["v1"], plural: "widgets", kind: "Widget"),
                                                                          optional: true, shape: .object(keepSpec: false))))
        let cart = Fixture.deployment("cart", ns: "shop")
        let widget = Fixture.object("Widget", "w1", apiVersion: "example.com/v1", ns: "shop", labels: ["app": "cart"])
        let report = evaluate(Snapshot(workloads: [cart], objects: [widget]), settings)
        let action = try XCTUnwrap(report.findings.first?.action)
        XCTAssertEqual(action.request.path, "/apis/example.com/v1/namespaces/shop/widgets/w1")
        XCTAssertEqual(try Fixture.patchOps(action.request)[1]["value"]?[0]?["controller"], true)

        // Not served (CRD absent): the rule has nothing to act on.
        let absent = Snapshot(workloads: [cart], unavailable: [GroupKind("example.com", "Widget"): "not served"])
        XCTAssertEqual(evaluate(absent, settings).findings, [])
    }

    func testNothingIsAddedForAnOwnerBeingDeleted() {
        var deleting = op
        deleting.meta.deletionTimestamp = "2026-01-01T00:00:00Z"
        let report = evaluate(Snapshot(workloads: [deleting], objects: [Fixture.object("ConfigMap", "kubearmor-config")]))
        XCTAssertNil(report.notApplicable)
        XCTAssertEqual(report.findings, [])
    }

    /// A reference to an owner being deleted hands the dependent to the garbage collector.
    func testUserRuleSkipsAnOwnerBeingDeleted() throws {
        let settings = try Fixture.settings("""
        checks:
          owner-references:
            kubearmorOperator: false
            rules:
            - kind: ConfigMap
              selector: {app: cart}
              owner: {kind: Deployment, name: cart}
        """)
        var cart = Fixture.deployment("cart", ns: "shop")
        cart.meta.deletionTimestamp = "2026-01-01T00:00:00Z"
        let cm = Fixture.object("ConfigMap", "cart-config", ns: "shop", labels: ["app": "cart"])
        let report = evaluate(Snapshot(workloads: [cart], objects: [cm]), settings)
        XCTAssertTrue(report.findings.allSatisfy { $0.action == nil }, "\(report.findings)")
    }
}
