import Foundation
import KubeClient
@testable import Reconciler
import XCTest

/// The rules of `apparmor-unprotected-pods` on hand-built snapshots (AppArmorCluster).
final class AppArmorUnprotectedPodsCheckTests: XCTestCase {
    typealias C = AppArmorCluster
    let rsOwner = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "gone", uid: "uid-gone", controller: true)

    func names(_ report: CheckReport) -> [String] { report.findings.map(\.object.name).sorted() }

    func settings(_ yaml: String) throws -> Settings { try Fixture.settings(yaml) }

    // MARK: which containers are protected

    func testAnnotationOrFieldOnContainerOrPodProtects() {
        var c = C()
        c.pods.append(C.pod("by-annotation", annotations: [C.annotation("app"): "localhost/kubearmor-shop-x-app"], owner: rsOwner))
        var field = C.pod("by-container-field", owner: rsOwner)
        field.containers[0].appArmorProfile = AppArmorProfileRecord(type: "RuntimeDefault")
        var podLevel = C.pod("by-pod-field", owner: rsOwner)
        podLevel.appArmorProfile = AppArmorProfileRecord(type: "Localhost", localhostProfile: "kubearmor-shop-x-app")
        c.pods += [field, podLevel, C.pod("none", owner: rsOwner)]
        // Only the pod without any profile is a finding.
        XCTAssertEqual(names(c.evaluate()), ["none"])
    }

    func testContainerFieldWinsOverPodField() throws {
        var c = C()
        var pod = C.pod("mixed", owner: rsOwner)
        pod.appArmorProfile = AppArmorProfileRecord(type: "Localhost", localhostProfile: "kubearmor-shop-mixed-app")
        pod.containers[0].appArmorProfile = AppArmorProfileRecord(type: "RuntimeDefault")
        c.pods.append(pod)
        // With requirement kubearmor the container's own runtime/default is what counts.
        let report = c.evaluate(try settings("checks:\n  apparmor-unprotected-pods:\n    profileRequirement: kubearmor\n"))
        XCTAssertEqual(report.findings.count, 1)
        XCTAssertNil(report.findings[0].action, "another profile is reported, not restarted")
        XCTAssertTrue(report.findings[0].reason.contains("app runs runtime/default"), report.findings[0].reason)
        XCTAssertEqual(c.evaluate().findings.count, 0, "requirement any: runtime/default protects")
    }

    func testUnconfinedIsADeliberateChoice() {
        var c = C()
        c.pods.append(C.pod("unconfined", annotations: [C.annotation("app"): "unconfined"], owner: rsOwner))
        var field = C.pod("unconfined-field", owner: rsOwner)
        field.containers[0].appArmorProfile = AppArmorProfileRecord(type: "Unconfined")
        c.pods.append(field)
        XCTAssertEqual(c.evaluate().findings, [])
    }

    func testOnlyAppContainersAreJudgedAndAnnotationsNeverReachEphemeralContainers() {
        var c = C()
        // The init container's annotation does not protect the app container.
        var initOnly = C.pod("init-annotated", annotations: [C.annotation("setup"): "runtime/default"], owner: rsOwner)
        initOnly.initContainers = [PodContainerRecord(name: "setup")]
        // An init container without a profile is no finding (KubeArmor only annotates containers).
        var appOnly = C.pod("app-annotated", annotations: [C.annotation("app"): "runtime/default"], owner: rsOwner)
        appOnly.initContainers = [PodContainerRecord(name: "setup")]
        c.pods += [initOnly, appOnly]
        XCTAssertEqual(names(c.evaluate()), ["init-annotated"])

        // The API rules for the other kinds: an annotation names an init container, never
        // an ephemeral one (only the field can give it a profile).
        let dbg = PodContainerRecord(name: "debug")
        let pod = C.pod("p", annotations: [C.annotation("debug"): "runtime/default"])
        XCTAssertEqual(AppArmorProfiles.profile(of: dbg, .initContainer, in: pod), "runtime/default")
        XCTAssertNil(AppArmorProfiles.profile(of: dbg, .ephemeral, in: pod))
        XCTAssertEqual(AppArmorProfiles.profile(of: PodContainerRecord(name: "debug", appArmorProfile: .init(type: "Unconfined")), .ephemeral, in: pod), "unconfined")
    }

    // MARK: which pods are in KubeArmor's reach

    func testNodesWithoutEnforcementOrKubeArmorPodAreSkipped() {
        var c = C()
        c.pods.append(C.pod("on-unlabelled-node", node: "node-3", owner: rsOwner))
        c.pods.append(C.pod("on-enforcing-node", node: "node-2", owner: rsOwner))
        XCTAssertEqual(names(c.evaluate()), ["on-enforcing-node"])
        // node-2's KubeArmor pod stops running: node-2 no longer enforces.
        c.pods = c.pods.map { var p = $0; if p.meta.name == "kubearmor-node-2" { p.phase = "Pending" }; return p }
        XCTAssertEqual(names(c.evaluate()), [])
    }

    func testNotApplicableWithoutAnyEnforcingNode() {
        var c = C()
        c.pods.removeAll { $0.meta.labels["kubearmor-app"] != nil }
        let report = c.evaluate()
        XCTAssertNotNil(report.notApplicable)
        XCTAssertTrue(report.notApplicable!.contains("no node enforces AppArmor"), report.notApplicable!)
    }

    func testKubeSystemSkipLabelsExcludedAndOptedOutPodsAreNotFindings() throws {
        var c = C()
        c.objects.append(Fixture.namespace("quiet", annotations: ["kreconcile.io/skip": "true"]))
        c.objects.append(Fixture.namespace("private"))
        c.pods += [
            C.pod("sys", ns: "kube-system", owner: rsOwner),
            C.pod("cilium", labels: ["io.cilium/app": "operator"], owner: rsOwner),
            C.pod("armor", labels: ["kubearmor-app": "kubearmor-relay"], owner: rsOwner),
            C.pod("opted-out", labels: ["kreconcile.io/skip": "true"], owner: rsOwner),
            C.pod("in-quiet-namespace", ns: "quiet", owner: rsOwner),
            C.pod("in-excluded", ns: "private", owner: rsOwner),
            C.pod("counted", owner: rsOwner),
        ]
        let s = try settings("excludeNamespaces: [private]\n")
        XCTAssertEqual(names(c.evaluate(s)), ["counted"])
    }

    // MARK: how a pod is fixed

    func testDeploymentPodsGetOneRolloutRestartPreconditionedOnResourceVersion() throws {
        var c = C()
        let d = c.deployment("checkout", pods: 3, nodes: ["node-1", "node-2"])
        let report = c.evaluate()
        XCTAssertEqual(report.findings.count, 1, "one restart fixes all three pods")
        let finding = report.findings[0]
        XCTAssertEqual(finding.object, d.ref)
        XCTAssertTrue(finding.reason.hasPrefix("3 pods to recreate: checkout-abc-0 (container checkout has no AppArmor profile"), finding.reason)
        let action = try XCTUnwrap(finding.action)
        XCTAssertEqual(action.actionClass, .disruptive)
        XCTAssertEqual(action.disruptedNodes.sorted(), ["node-1", "node-1", "node-2"], "every pod of the workload counts on its node")
        XCTAssertEqual(action.disruptedPodLabels, ["app": "checkout"])
        XCTAssertEqual(action.request.method, "PATCH")
        XCTAssertEqual(action.request.path, "/apis/apps/v1/namespaces/shop/deployments/checkout")
        XCTAssertEqual(action.request.contentType, MediaType.strategicMergePatch)
        let body = try JSONValue.parse(action.request.body!)
        XCTAssertEqual(body, [
            "metadata": ["resourceVersion": .string(d.meta.resourceVersion)],
            "spec": ["template": ["metadata": ["annotations": ["kubectl.kubernetes.io/restartedAt": "2026-05-28T20:26:40Z"]]]],
        ])
    }

    func testStatefulSetAndDaemonSetPodsAreRestartedThroughTheirWorkload() throws {
        var c = C()
        let sts = WorkloadRecord(kind: "StatefulSet", meta: Fixture.meta("db", ns: "shop", generation: 1), replicas: 1,
                                 status: WorkloadStatus(observedGeneration: 1, replicas: 1, readyReplicas: 1))
        let ds = Fixture.daemonSet("agent", ns: "shop")
        c.workloads += [sts, ds]
        c.pods.append(C.pod("db-0", owner: OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "db", uid: sts.meta.uid, controller: true)))
        c.pods.append(C.pod("agent-x", owner: OwnerReference(apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: ds.meta.uid, controller: true)))
        let paths = c.evaluate().findings.compactMap { $0.action?.request.path }.sorted()
        XCTAssertEqual(paths, ["/apis/apps/v1/namespaces/shop/daemonsets/agent", "/apis/apps/v1/namespaces/shop/statefulsets/db"])
    }

    func testReplicaSetWithoutDeploymentAndUnknownControllersAreEvicted() throws {
        var c = C()
        let rs = ObjectRecord(apiVersion: "apps/v1", kind: "ReplicaSet", meta: Fixture.meta("lonely", ns: "shop"))
        c.objects.append(rs)
        c.pods.append(C.pod("lonely-1", owner: OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "lonely", uid: rs.meta.uid, controller: true)))
        c.pods.append(C.pod("custom-1", owner: OwnerReference(apiVersion: "example.com/v1", kind: "Widget", name: "w", uid: "uid-w", controller: true)))
        let report = c.evaluate()
        for f in report.findings {
            let action = try XCTUnwrap(f.action, f.reason)
            XCTAssertEqual(action.request.path, "/api/v1/namespaces/shop/pods/\(f.object.name)/eviction")
            let body = try JSONValue.parse(action.request.body!)
            XCTAssertEqual(body["deleteOptions"]?["preconditions"]?["uid"]?.stringValue, f.object.uid)
            XCTAssertNil(action.disruptedPodLabels, "the API server checks an eviction's budgets itself")
        }
        XCTAssertEqual(names(report), ["custom-1", "lonely-1"])
        // A ReplicaSet missing from the snapshot: reported, nothing is known about it.
        c.pods.append(C.pod("orphan", owner: rsOwner))
        let orphan = c.evaluate().findings.first { $0.object.name == "orphan" }
        XCTAssertNil(orphan?.action)
    }

    func testPausedDeploymentBarePodsAndJobPodsAreReported() throws {
        var c = C()
        c.deployment("frozen", paused: true)
        c.pods.append(C.pod("bare"))
        c.pods.append(C.pod("batch-1", owner: OwnerReference(apiVersion: "batch/v1", kind: "Job", name: "batch", uid: "uid-job", controller: true)))
        let report = c.evaluate()
        XCTAssertEqual(report.findings.count, 3)
        XCTAssertTrue(report.findings.allSatisfy { $0.action == nil }, "\(report.findings)")
        let reasons = Dictionary(uniqueKeysWithValues: report.findings.map { ($0.object.name, $0.reason) })
        XCTAssertTrue(reasons["frozen"]!.contains("Deployment is paused"), reasons["frozen"]!)
        XCTAssertTrue(reasons["bare"]!.contains("never deletes it"), reasons["bare"]!)
        XCTAssertTrue(reasons["batch-1"]!.contains("owned by Job batch"), reasons["batch-1"]!)

        let evictJobs = try settings("checks:\n  apparmor-unprotected-pods:\n    evictJobPods: true\n")
        let job = c.evaluate(evictJobs).findings.first { $0.object.name == "batch-1" }
        XCTAssertEqual(job?.action?.request.path, "/api/v1/namespaces/shop/pods/batch-1/eviction")
        XCTAssertNil(c.evaluate(evictJobs).findings.first { $0.object.name == "bare" }?.action, "bare pods: never, whatever the settings")
    }

    func testWebhookNotReadyPlansNoDisruption() {
        for c0 in [C(webhook: false), C(controllerAvailable: 0)] {
            var c = c0
            c.deployment("checkout")
            c.pods.append(C.pod("lone", owner: OwnerReference(apiVersion: "example.com/v1", kind: "Widget", name: "w", uid: "uid-w", controller: true)))
            let report = c.evaluate()
            XCTAssertEqual(report.findings.count, 2)
            for f in report.findings {
                XCTAssertNil(f.action)
                XCTAssertTrue(f.reason.contains("KubeArmor webhook not ready"), f.reason)
            }
            XCTAssertEqual(c.plan().batch, [])
        }
    }

    func testWorkloadStillRollingOutIsNotRestartedAgain() {
        var c = C()
        c.deployment("rolling", status: WorkloadStatus(observedGeneration: 2, replicas: 3, availableReplicas: 2, updatedReplicas: 1))
        let f = c.evaluate().findings
        XCTAssertEqual(f.count, 1)
        XCTAssertNil(f[0].action)
        XCTAssertTrue(f[0].reason.contains("rollout in progress"), f[0].reason)
    }

    func testAPodOptedOutKeepsItsWorkloadFromBeingRestarted() {
        var c = C()
        c.deployment("web", pods: 2)
        c.pods = c.pods.map { var p = $0; if p.meta.name == "web-abc-1" { p.meta.labels["kreconcile.io/skip"] = "true" }; return p }
        let f = c.evaluate().findings
        XCTAssertEqual(f.count, 1)
        XCTAssertNil(f[0].action)
        XCTAssertTrue(f[0].reason.contains("web-abc-1 is left alone"), f[0].reason)
    }

    // MARK: bounds

    func testBudgetAtZeroDefersTheRestartOfWorkloadsItCovers() {
        var c = C()
        c.deployment("guarded")
        c.deployment("free", labels: ["app": "free", "tier": "web"])
        c.pdb("guarded", selector: ["matchLabels": ["app": "guarded"]], allowed: 0)
        c.pdb("free", selector: ["matchExpressions": [["key": "tier", "operator": "In", "values": ["web"]]]], allowed: 1)
        var s = Settings.defaults
        s.budgets.maxUnhealthyWorkloads = 5
        let plan = c.plan(s)
        XCTAssertEqual(plan.batch.map(\.object.name), ["free"])
        XCTAssertEqual(plan.deferred.map(\.decision), [.deferred(.disruptionBudget("shop/guarded"))])
    }

    func testHealthGateDefersRestartsWhileAnotherWorkloadIsUnhealthy() {
        var c = C()
        c.deployment("checkout")
        c.workloads.append(Fixture.deployment("broken", ns: "blog", replicas: 2,
                                              status: WorkloadStatus(observedGeneration: 1, replicas: 2, availableReplicas: 0, unavailableReplicas: 2, updatedReplicas: 2)))
        let plan = c.plan()
        XCTAssertEqual(plan.batch, [])
        XCTAssertEqual(plan.deferred.map(\.decision), [.deferred(.healthGate(unhealthy: 1, limit: 1))])
    }

    func testPerNodeBudgetCountsEveryPodOfARestartedWorkload() {
        var c = C()
        c.deployment("big", pods: 3, nodes: ["node-1"], created: "2026-01-01T00:00:00Z")
        c.deployment("small", ns: "blog", pods: 1, nodes: ["node-1"], created: "2026-02-01T00:00:00Z")
        c.deployment("elsewhere", ns: "blog", pods: 1, nodes: ["node-2"], created: "2026-02-02T00:00:00Z")
        var s = Settings.defaults
        s.budgets.maxUnhealthyWorkloads = 10
        let d = Dictionary(uniqueKeysWithValues: c.plan(s).entries.map { ($0.finding.object.name, $0.decision) })
        // big alone exceeds maxPerNode=2 on node-1 but is the only disruption there: it may go
        // (else it could never be fixed); small then finds node-1 full.
        XCTAssertEqual(d["big"], .planned(order: 0))
        XCTAssertEqual(d["small"], .deferred(.maxPerNode(node: "node-1", limit: 2)))
        XCTAssertEqual(d["elsewhere"], .planned(order: 1))
    }

    func testRestartsAreOfferedOldestFirstSpreadOverNamespaces() {
        var c = C()
        for i in 0..<4 { c.deployment("shop\(i)", pods: 1, nodes: ["node-\(i % 2 + 1)"], created: "2026-01-0\(i + 1)T00:00:00Z") }
        c.deployment("blog0", ns: "blog", pods: 1, nodes: ["node-2"], created: "2026-01-09T00:00:00Z")
        c.deployment("blog1", ns: "blog", pods: 1, nodes: ["node-1"], created: "2026-01-03T12:00:00Z")
        var s = Settings.defaults
        s.budgets = Budgets(maxChanges: 100, maxPerNamespace: 100, maxPerNode: 100, maxUnhealthyWorkloads: 100)
        // shop's oldest (01-01) first, then blog's oldest (01-03 12:00), alternating.
        XCTAssertEqual(c.plan(s).batch.map(\.object.name), ["shop0", "blog1", "shop1", "blog0", "shop2", "shop3"])
    }

    // MARK: options

    func testProfileRequirementIsValidated() throws {
        XCTAssertThrowsError(try settings("checks:\n  apparmor-unprotected-pods:\n    profileRequirement: strict\n")) { error in
            XCTAssertTrue("\(error)".contains("checks.apparmor-unprotected-pods.profileRequirement: must be kubearmor or any"), "\(error)")
        }
        XCTAssertNoThrow(try settings("checks:\n  apparmor-unprotected-pods:\n    profileRequirement: kubearmor\n"))
    }
}
