import KubeClient
@testable import Reconciler
import XCTest

/// Every orphan and non-orphan case of `gatekeeper-orphaned-vap`, from fixtures.
final class GatekeeperOrphanedVAPCheckTests: XCTestCase {
    let check = OrphanedVAPCheck()

    static func obj(_ apiVersion: String, _ kind: String, _ name: String, uid: String, rv: String = "5",
                    owners: [OwnerReference] = [], spec: JSONValue? = nil, deleting: Bool = false) -> ObjectRecord {
        ObjectRecord(apiVersion: apiVersion, kind: kind,
                     meta: MetaRecord(name: name, namespace: nil, uid: uid, resourceVersion: rv, ownerReferences: owners,
                                      deletionTimestamp: deleting ? "2026-01-01T00:00:00Z" : nil),
                     spec: spec)
    }
    static func controller(_ apiVersion: String, _ kind: String, _ name: String, _ uid: String) -> OwnerReference {
        OwnerReference(apiVersion: apiVersion, kind: kind, name: name, uid: uid, controller: true, blockOwnerDeletion: true)
    }

    // A healthy install: template k8srequiredlabels, its CRD and constraint, policy and binding.
    let template = obj("templates.gatekeeper.sh/v1", "ConstraintTemplate", "k8srequiredlabels", uid: "t1")
    let crd = obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "k8srequiredlabels.constraints.gatekeeper.sh", uid: "crd1")
    let constraint = obj("constraints.gatekeeper.sh/v1beta1", "K8sRequiredLabels", "must-have-owner", uid: "c1")
    // The template controller reads v1beta1, so the owner reference says v1beta1 although v1 is served.
    lazy var policy = Self.obj("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", "gatekeeper-k8srequiredlabels", uid: "p1",
                               owners: [Self.controller("templates.gatekeeper.sh/v1beta1", "ConstraintTemplate", "k8srequiredlabels", "t1")])
    lazy var binding = Self.binding("gatekeeper-k8srequiredlabels-must-have-owner", uid: "b1", policy: "gatekeeper-k8srequiredlabels",
                                    owner: Self.controller("constraints.gatekeeper.sh/v1beta1", "K8sRequiredLabels", "must-have-owner", "c1"))
    let gatekeeper = Fixture.deployment("gatekeeper-controller-manager", ns: "gatekeeper-system", labels: ["gatekeeper.sh/operation": "webhook"])

    static func binding(_ name: String, uid: String, policy: String, owner: OwnerReference?, apiVersion: String = "admissionregistration.k8s.io/v1") -> ObjectRecord {
        obj(apiVersion, "ValidatingAdmissionPolicyBinding", name, uid: uid, owners: owner.map { [$0] } ?? [],
            spec: ["policyName": .string(policy), "paramRef": ["name": "x"]])
    }

    static let allListed: Set<GroupKind> = [GatekeeperAPI.policy, GatekeeperAPI.binding, GatekeeperAPI.template, GatekeeperAPI.crd,
                                            GroupKind("constraints.gatekeeper.sh", "*"), GroupKind("constraints.gatekeeper.sh", "K8sRequiredLabels"), .deployment]

    func snapshot(_ objects: [ObjectRecord], workloads: [WorkloadRecord]? = nil, unavailable: [GroupKind: String] = [:]) -> Snapshot {
        var listed = Self.allListed
        for k in unavailable.keys { listed.remove(k) }
        return Snapshot(workloads: workloads ?? [gatekeeper], objects: objects, listed: listed, unavailable: unavailable)
    }

    func testOwnersAliveGiveNoFinding() {
        let report = check.evaluate(snapshot([template, crd, constraint, policy, binding]), .defaults)
        XCTAssertNil(report.notApplicable)
        XCTAssertEqual(report.findings, [])
    }

    func testBindingWhoseConstraintKindIsGoneIsDeletedWithPreconditions() throws {
        let orphan = Self.binding("gatekeeper-k8sallowedrepos-repo-is-openpolicyagent", uid: "b2", policy: "gatekeeper-k8sallowedrepos",
                                  owner: Self.controller("constraints.gatekeeper.sh/v1beta1", "K8sAllowedRepos", "repo-is-openpolicyagent", "c2"))
        let report = check.evaluate(snapshot([template, crd, constraint, policy, binding, orphan]), .defaults)
        XCTAssertEqual(report.findings.map(\.object.name), ["gatekeeper-k8sallowedrepos-repo-is-openpolicyagent"])
        let f = report.findings[0]
        XCTAssertEqual(f.reason, "orphaned: its K8sAllowedRepos repo-is-openpolicyagent (uid c2) no longer exists, and kind K8sAllowedRepos.constraints.gatekeeper.sh is no longer served; the garbage collector keeps it and it keeps enforcing")
        let action = try XCTUnwrap(f.action)
        XCTAssertEqual(action.actionClass, .orphanDeletion)
        XCTAssertEqual(action.request.method, "DELETE")
        XCTAssertEqual(action.request.path, "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/gatekeeper-k8sallowedrepos-repo-is-openpolicyagent")
        let body = try JSONValue.parse(try XCTUnwrap(action.request.body))
        XCTAssertEqual(body["preconditions"], ["uid": "b2", "resourceVersion": "5"])
    }

    func testOwnerRecreatedWithAnotherUIDIsAnOrphan() throws {
        let recreated = Self.obj("constraints.gatekeeper.sh/v1beta1", "K8sRequiredLabels", "must-have-owner", uid: "c1-new")
        let report = check.evaluate(snapshot([template, crd, recreated, policy, binding]), .defaults)
        XCTAssertEqual(report.findings.map(\.object.uid), ["b1"])
        XCTAssertTrue(report.findings[0].reason.contains("its K8sRequiredLabels must-have-owner (uid c1) no longer exists; a K8sRequiredLabels must-have-owner with uid c1-new was created since"), report.findings[0].reason)
        XCTAssertFalse(report.findings[0].reason.contains("no longer served"), "the kind is still served")
        XCTAssertNotNil(report.findings[0].action)
    }

    func testTemplateDeletedOrphansItsPolicy() {
        // Template gone (CRD too): both the policy and the binding lose their owners.
        let report = check.evaluate(snapshot([policy, binding]), .defaults)
        XCTAssertEqual(report.findings.map(\.object.kind), ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"])
        XCTAssertTrue(report.findings[0].reason.contains("its ConstraintTemplate k8srequiredlabels (uid t1) no longer exists"), report.findings[0].reason)
        XCTAssertTrue(report.findings[1].reason.contains("kind K8sRequiredLabels.constraints.gatekeeper.sh is no longer served"), report.findings[1].reason)
        XCTAssertTrue(report.findings.allSatisfy { $0.action?.actionClass == .orphanDeletion })
    }

    func testBindingWhosePolicyIsGoneButConstraintLivesIsReportedOnly() {
        let report = check.evaluate(snapshot([template, crd, constraint, binding]), .defaults)
        XCTAssertEqual(report.findings.count, 1)
        XCTAssertNil(report.findings[0].action)
        XCTAssertTrue(report.findings[0].reason.hasPrefix("binds policy gatekeeper-k8srequiredlabels, which does not exist, while its K8sRequiredLabels must-have-owner lives"))
    }

    func testObjectsWithoutAGatekeeperControllerAreNeverTouched() {
        let noOwner = Self.binding("gatekeeper-looks-generated", uid: "b3", policy: "gone", owner: nil)
        let foreign = Self.binding("someone-elses", uid: "b4", policy: "gone", owner: Self.controller("example.com/v1", "Policy", "p", "zzz"))
        var notController = Self.controller("constraints.gatekeeper.sh/v1beta1", "K8sGone", "x", "zzz")
        notController.controller = nil
        let weak = Self.binding("gatekeeper-weak", uid: "b5", policy: "gone", owner: notController)
        XCTAssertEqual(check.evaluate(snapshot([noOwner, foreign, weak]), .defaults).findings, [])
    }

    func testOwnerBeingDeletedOrDependentBeingDeletedIsLeftToTheGarbageCollector() {
        let dying = Self.obj("constraints.gatekeeper.sh/v1beta1", "K8sRequiredLabels", "must-have-owner", uid: "c1", deleting: true)
        var dyingBinding = binding
        dyingBinding.meta.deletionTimestamp = "2026-01-01T00:00:00Z"
        XCTAssertEqual(check.evaluate(snapshot([template, crd, dying, policy, binding]), .defaults).findings, [])
        XCTAssertEqual(check.evaluate(snapshot([crd, dyingBinding]), .defaults).findings, [])
    }

    func testV1beta1ServerDeletesThroughV1beta1() throws {
        let oldPolicy = Self.obj("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy", "gatekeeper-gone", uid: "p9",
                                 owners: [Self.controller("templates.gatekeeper.sh/v1beta1", "ConstraintTemplate", "gone", "t9")])
        let report = check.evaluate(snapshot([template, oldPolicy]), .defaults)
        XCTAssertEqual(report.findings.count, 1)
        XCTAssertEqual(report.findings[0].action?.request.path, "/apis/admissionregistration.k8s.io/v1beta1/validatingadmissionpolicies/gatekeeper-gone")
    }

    func testGatekeeperUninstalledIsSaidAndCleanedOnlyWhenAsked() throws {
        let unavailable: [GroupKind: String] = [GatekeeperAPI.template: "templates.gatekeeper.sh is not served"]
        let leftovers = snapshot([policy, binding], workloads: [], unavailable: unavailable)
        let report = check.evaluate(leftovers, .defaults)
        XCTAssertEqual(report.findings.count, 2)
        XCTAssertTrue(report.findings.allSatisfy { $0.action == nil })
        XCTAssertTrue(report.findings[0].reason.hasPrefix("Gatekeeper is uninstalled (templates.gatekeeper.sh is not served, no constraint CRDs, no Gatekeeper Deployment) but this generated object remains"), report.findings[0].reason)
        XCTAssertTrue(report.findings[0].reason.hasSuffix("not deleted (set checks.gatekeeper-orphaned-vap.cleanUninstalled: true to delete)"))

        let settings = try Fixture.settings("checks:\n  gatekeeper-orphaned-vap:\n    cleanUninstalled: true\n")
        XCTAssertEqual(check.evaluate(leftovers, settings).findings.compactMap(\.action).count, 2)
        // With the Gatekeeper Deployment still there it is an ordinary orphan.
        XCTAssertEqual(check.evaluate(snapshot([policy, binding], unavailable: unavailable), .defaults).findings.compactMap(\.action).count, 2)
    }

    func testNotApplicableWithoutValidatingAdmissionPolicy() {
        let s = Snapshot(objects: [], listed: [], unavailable: [GatekeeperAPI.policy: "not served", GatekeeperAPI.binding: "not served"])
        XCTAssertEqual(check.evaluate(s, .defaults).notApplicable, "ValidatingAdmissionPolicy is not served (not served)")
    }
}
