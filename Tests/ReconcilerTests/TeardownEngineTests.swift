import Foundation
import KubeClient
import KubeEmulator
@testable import Reconciler
import XCTest

final class TeardownEngineTests: XCTestCase {
    let secret = "kubearmor-controller-webhook-server-cert"

    /// The report for a failure message (encoding it cannot fail: plain Codable values).
    func dump(_ r: TeardownReport) -> String { (try? r.json()) ?? "\(r)" }

    func testKubeArmorTeardownDeletesInOrderAndWaitsForTheControllersPods() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try TeardownFixtures.install(c.emulator)
        let controllerPods = TeardownFixtures.pods(c.emulator, namespace: "kubearmor", app: "kubearmor-controller").count
        XCTAssertEqual(controllerPods, 1, "the controller runs before the teardown")
        let h = TeardownHarness(emulator: c.emulator) { TeardownFixtures.pods($0, namespace: "kubearmor", app: "kubearmor-controller").count }

        let report = try await h.teardown("kubearmor").execute()
        XCTAssertEqual(report.exitCode, 0, dump(report))
        XCTAssertEqual(report.steps.map(\.status), [.finished, .finished, .finished, .finished, .finished, .finished, .finished, .finished, .skipped])

        let writes = TeardownFixtures.writes(c.emulator)
        XCTAssertEqual(writes.map(TeardownFixtures.describe), [
            "PATCH deployments/kubearmor-operator",
            "DELETE mutatingwebhookconfigurations/kubearmor-controller-mutating-webhook-configuration",
            "DELETE deployments/kubearmor-controller", "DELETE deployments/kubearmor-relay",
            "DELETE daemonsets/kubearmor-apparmor-containerd-98c2c",
            "DELETE services/kubearmor", "DELETE services/kubearmor-controller-webhook-service", "DELETE secrets/\(secret)",
            "DELETE configmaps/kubearmor-config",
            "DELETE serviceaccounts/kubearmor", "DELETE serviceaccounts/kubearmor-relay", "DELETE serviceaccounts/kubearmor-controller",
            "DELETE serviceaccounts/kubearmor-snitch",
            "DELETE roles/kubearmor-controller-leader-election-role", "DELETE rolebindings/kubearmor-controller-leader-election-rolebinding",
            "DELETE clusterrolebindings/kubearmor-clusterrolebinding", "DELETE clusterrolebindings/kubearmor-relay-clusterrolebinding",
            "DELETE clusterrolebindings/kubearmor-controller-clusterrolebinding", "DELETE clusterrolebindings/kubearmor-snitch-binding",
            "DELETE clusterroles/kubearmor-clusterrole", "DELETE clusterroles/kubearmor-relay-clusterrole",
            "DELETE clusterroles/kubearmor-controller-clusterrole", "DELETE clusterroles/kubearmor-snitch",
            "DELETE kubearmorconfigs/kubearmorconfig-default",
            "DELETE deployments/kubearmor-operator",
        ])
        // Every delete carries the uid seen when its step began.
        for w in writes where w.method == "DELETE" {
            XCTAssertTrue(String(decoding: w.body ?? Data(), as: UTF8.self).contains("\"preconditions\":{\"uid\""), TeardownFixtures.describe(w))
        }
        // The Secret's delete came after the controller's pods were gone (PROBLEM 1).
        let all = c.emulator.requests()
        let secretDelete = try XCTUnwrap(all.firstIndex { $0.method == "DELETE" && $0.name == secret })
        let controllerDelete = try XCTUnwrap(all.firstIndex { $0.method == "DELETE" && $0.name == "kubearmor-controller" })
        XCTAssertEqual(h.probe(atRequest: controllerDelete, initial: controllerPods), 1, "its pods ran when the controller was deleted")
        XCTAssertEqual(h.probe(atRequest: secretDelete, initial: controllerPods), 0, "controller pods were still there when the Secret went")
        XCTAssertTrue(c.emulator.objects("pods", namespace: "kubearmor").isEmpty)
        XCTAssertNil(c.emulator.object("kubearmorconfigs", namespace: "kubearmor", name: "kubearmorconfig-default"))
        XCTAssertNotNil(c.emulator.object("customresourcedefinitions", namespace: nil, name: "kubearmorconfigs.operator.kubearmor.com"), "CRDs kept")
        XCTAssertNil(c.emulator.object("leases", namespace: "default", name: "kreconcile")?["spec"]?["holderIdentity"], "Lease released")

        // A second teardown (Helm retrying the hook) finds nothing left and writes nothing.
        c.emulator.clearRequests()
        let again = try await h.teardown("kubearmor").execute()
        XCTAssertEqual(again.exitCode, 0)
        XCTAssertTrue(again.steps.allSatisfy { $0.objects.isEmpty }, dump(again))
        XCTAssertEqual(TeardownFixtures.writes(c.emulator).map(TeardownFixtures.describe), [])
    }

    func testGatekeeperTeardownRemovesWebhooksFirstAndGeneratedPoliciesByOwner() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try TeardownFixtures.install(c.emulator)
        let h = TeardownHarness(emulator: c.emulator)
        let report = try await h.teardown("gatekeeper").execute()
        XCTAssertEqual(report.exitCode, 0, dump(report))
        XCTAssertEqual(TeardownFixtures.writes(c.emulator).map(TeardownFixtures.describe), [
            "DELETE validatingwebhookconfigurations/gatekeeper-validating-webhook-configuration",
            "DELETE mutatingwebhookconfigurations/gatekeeper-mutating-webhook-configuration",
            "PATCH deployments/gatekeeper-controller-manager", "PATCH deployments/gatekeeper-audit",
            "DELETE validatingadmissionpolicybindings/gatekeeper-k8sallowedrepos-repo-is-openpolicyagent",
            "DELETE validatingadmissionpolicybindings/gatekeeper-k8srequiredlabels-ns-must-have-owner",
            "DELETE validatingadmissionpolicies/gatekeeper-k8srequiredlabels",
            "DELETE deployments/gatekeeper-controller-manager", "DELETE deployments/gatekeeper-audit",
            "DELETE services/gatekeeper-webhook-service", "DELETE secrets/gatekeeper-webhook-server-cert",
            "DELETE serviceaccounts/gatekeeper-admin",
        ])
        XCTAssertTrue(c.emulator.objects("pods", namespace: "gatekeeper-system").isEmpty)
        // User policy stays without --delete-crds.
        XCTAssertNotNil(c.emulator.object("constrainttemplates", namespace: nil, name: "k8srequiredlabels"))
        XCTAssertNotNil(c.emulator.object("k8srequiredlabels", namespace: nil, name: "ns-must-have-owner"))
        XCTAssertEqual(report.steps.filter { $0.status == .skipped }.map(\.name), ["constraint-crds", "gatekeeper-crds"])

        c.emulator.clearRequests()
        let crds = try await h.teardown("gatekeeper", deleteCRDs: true).execute()
        XCTAssertEqual(crds.exitCode, 0, dump(crds))
        XCTAssertEqual(TeardownFixtures.writes(c.emulator).map(TeardownFixtures.describe), [
            "DELETE customresourcedefinitions/k8srequiredlabels.constraints.gatekeeper.sh",
            "DELETE customresourcedefinitions/assign.mutations.gatekeeper.sh",
            "DELETE customresourcedefinitions/constrainttemplates.templates.gatekeeper.sh",
        ])
    }

    func testClientDryRunListsEveryStepAndSendsNoWrite() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try TeardownFixtures.install(c.emulator)
        let before = c.emulator.resourceVersion
        let report = try await TeardownHarness(emulator: c.emulator).teardown("kubearmor", mode: .clientDryRun).execute()
        XCTAssertEqual(report.exitCode, 0)
        XCTAssertEqual(c.emulator.requests().filter { $0.method != "GET" }.count, 0)
        XCTAssertEqual(c.emulator.resourceVersion, before)
        XCTAssertEqual(report.steps.first?.objects.map(\.result), ["planned"])
        XCTAssertEqual(report.steps.first { $0.name == "namespaced-objects" }?.objects.count, 10)
        XCTAssertTrue(report.steps.flatMap(\.objects).allSatisfy { $0.request != nil })
        XCTAssertTrue(report.table().contains("no write sent"), report.table())

        let server = try await TeardownHarness(emulator: c.emulator).teardown("kubearmor", mode: .serverDryRun).execute()
        XCTAssertEqual(server.exitCode, 0, dump(server))
        let writes = c.emulator.requests().filter { $0.method != "GET" }
        XCTAssertEqual(writes.count, 25)
        XCTAssertTrue(writes.allSatisfy(\.dryRun))
        XCTAssertEqual(c.emulator.resourceVersion, before, "nothing persisted")
    }

    /// The newer operator's finalizer on a KubeArmorConfig: the step scales the operator back
    /// up to remove it; nobody does here, so the step times out naming the object and the
    /// finalizer. --remove-finalizers then finishes the job and says what it removed.
    func testAFinalizerNobodyRemovesTimesOutNamingItThenRemoveFinalizersFinishes() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try TeardownFixtures.install(c.emulator)
        var cr = try XCTUnwrap(c.emulator.object("kubearmorconfigs", namespace: "kubearmor", name: "kubearmorconfig-default"))
        cr["metadata"]?["finalizers"] = ["kubearmorconfig.operator.kubearmor.com"]
        try c.emulator.seed(cr)
        let h = TeardownHarness(emulator: c.emulator)

        let report = try await h.teardown("kubearmor").execute()
        XCTAssertEqual(report.exitCode, 1)
        let step = try XCTUnwrap(report.steps.first { $0.name == "kubearmorconfig" })
        XCTAssertEqual(step.status, .timedOut)
        XCTAssertEqual(step.remaining, [.init(object: "KubeArmorConfig kubearmor/kubearmorconfig-default",
                                              finalizers: ["kubearmorconfig.operator.kubearmor.com"], terminating: true)])
        XCTAssertTrue(step.message?.contains("kubearmorconfig-default (finalizers: kubearmorconfig.operator.kubearmor.com)") == true, step.message ?? "")
        XCTAssertEqual(step.objects.map(\.action), ["delete", "scale-up"])
        XCTAssertEqual(c.emulator.object("deployments", namespace: "kubearmor", name: "kubearmor-operator")?.value(at: ["spec", "replicas"]), 1,
                       "the operator was scaled back up to remove its finalizer")
        XCTAssertEqual(report.steps.last(where: { $0.name == "operator" })?.status, .notStarted)
        XCTAssertTrue(report.table().contains("remaining: KubeArmorConfig kubearmor/kubearmorconfig-default (terminating), finalizers: kubearmorconfig.operator.kubearmor.com"),
                      report.table())
        XCTAssertTrue(h.removed.withLock { $0.isEmpty }, "never removed silently")

        let forced = try await h.teardown("kubearmor", removeFinalizers: true).execute()
        XCTAssertEqual(forced.exitCode, 0, dump(forced))
        XCTAssertEqual(h.removed.withLock { $0 }, ["removed finalizer kubearmorconfig.operator.kubearmor.com from KubeArmorConfig kubearmor/kubearmorconfig-default"])
        XCTAssertNil(c.emulator.object("kubearmorconfigs", namespace: "kubearmor", name: "kubearmorconfig-default"))
        XCTAssertNil(c.emulator.object("deployments", namespace: "kubearmor", name: "kubearmor-operator"))
    }

    func testADeleteThatWouldTakeALaterStepsObjectsAlongIsRefused() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try TeardownFixtures.install(c.emulator)
        // The operator owns the Secret: deleting the operator first would let the garbage
        // collector delete the Secret at once, out of order.
        let profile = try TeardownProfile.parse(yaml: """
            apiVersion: kreconcile.io/v1alpha1
            kind: TeardownProfile
            name: wrong
            namespace: kubearmor
            steps:
            - name: operator-first
              objects: [{group: apps, kind: Deployment, names: [kubearmor-operator]}]
              action: delete
              propagation: Background
            - name: secret
              objects: [{kind: Secret, names: [\(secret)]}]
              action: delete
            """, file: "wrong.yaml")
        let report = try await TeardownHarness(emulator: c.emulator).teardown(profile).execute()
        XCTAssertEqual(report.exitCode, 1)
        XCTAssertEqual(report.steps.map(\.status), [.failed, .notStarted])
        XCTAssertEqual(report.steps[0].message?.hasPrefix("deleting Deployment kubearmor/kubearmor-operator now would let the garbage collector delete Secret kubearmor/\(secret) (step secret)"), true, report.steps[0].message ?? "")
        XCTAssertEqual(TeardownFixtures.writes(c.emulator).count, 0)
    }

    func testAnObjectRecreatedUnderTheSameNameIsNotDeleted() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try TeardownFixtures.install(c.emulator)
        // The Secret is replaced between the step's read and its delete: 409, reported, kept.
        c.emulator.addFault(FaultRule(verb: "delete", resource: "secrets", count: 1,
                                      action: .status(code: 409, reason: "Conflict", message: "Precondition failed: UID in precondition", retryAfterSeconds: nil)))
        let report = try await TeardownHarness(emulator: c.emulator).teardown("kubearmor").execute()
        XCTAssertEqual(report.exitCode, 1)
        let step = try XCTUnwrap(report.steps.first { $0.name == "namespaced-objects" })
        XCTAssertEqual(step.status, .failed)
        XCTAssertEqual(step.objects.first { $0.object.hasPrefix("Secret") }?.result, "failed")
        XCTAssertEqual(report.steps.first { $0.name == "cluster-rbac" }?.status, .notStarted)
        XCTAssertNotNil(c.emulator.object("secrets", namespace: "kubearmor", name: secret))
    }
}
