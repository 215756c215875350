import KubeClient
@testable import Reconciler
import XCTest

final class KubeArmorImageDriftCheckTests: XCTestCase {
    let check = KubeArmorImageDriftCheck()

    func config(_ name: String = "kubearmorconfig-default", spec: JSONValue = [:]) -> ObjectRecord {
        Fixture.object("KubeArmorConfig", name, apiVersion: "operator.kubearmor.com/v1", spec: spec)
    }

    func operatorWith(env: [String: String]) -> WorkloadRecord {
        Fixture.deployment("kubearmor-operator", labels: ["kubearmor-app": "kubearmor-operator"],
                           containers: [ContainerRecord(name: "kubearmor-operator", image: "kubearmor/kubearmor-operator:v1.5.0", env: env)])
    }

    func daemonSet(kubearmor: String, initImage: String, generation: Int = 3, observed: Int? = nil) -> WorkloadRecord {
        Fixture.daemonSet("kubearmor-apparmor-containerd-98c2c", generation: generation, labels: ["kubearmor-app": "kubearmor"],
                          containers: [ContainerRecord(name: "kubearmor", image: kubearmor)],
                          initContainers: [ContainerRecord(name: "init", image: initImage)],
                          status: WorkloadStatus(observedGeneration: observed ?? generation, desiredNumberScheduled: 2, numberAvailable: 2,
                                                 numberUnavailable: 0, updatedNumberScheduled: 2))
    }

    func relay(_ image: String) -> WorkloadRecord {
        Fixture.deployment("kubearmor-relay", containers: [ContainerRecord(name: "kubearmor-relay-server", image: image)])
    }

    func controller(_ image: String) -> WorkloadRecord {
        Fixture.deployment("kubearmor-controller", containers: [ContainerRecord(name: "kube-rbac-proxy", image: "rbac:1"), ContainerRecord(name: "manager", image: image)])
    }

    func testDesiredImagePrecedenceAndPatch() throws {
        // env beats the CR for kubearmor; the CR beats the default for relay; init and
        // controller fall back to the defaults, which they already run (written differently).
        let op = operatorWith(env: ["RELATED_IMAGE_KUBEARMOR": "kubearmor/kubearmor:v1.5.1"])
        let cr = config(spec: ["kubearmorImage": ["image": "kubearmor/kubearmor:v9"], "kubearmorRelayImage": ["image": "kubearmor/kubearmor-relay-server:v1.5.1"]])
        let ds = daemonSet(kubearmor: "kubearmor/kubearmor:v1.4.0", initImage: "docker.io/kubearmor/kubearmor-init:stable")
        let snapshot = Snapshot(workloads: [op, ds, relay("kubearmor/kubearmor-relay-server:v1.4.0"), controller("docker.io/kubearmor/kubearmor-controller")],
                                objects: [cr])
        let report = check.evaluate(snapshot, .defaults)
        XCTAssertNil(report.notApplicable)
        XCTAssertEqual(report.findings.map(\.object.description),
                       ["DaemonSet kubearmor/kubearmor-apparmor-containerd-98c2c", "Deployment kubearmor/kubearmor-relay"])

        let dsFinding = report.findings[0]
        XCTAssertEqual(dsFinding.reason, "container kubearmor runs kubearmor/kubearmor:v1.4.0, desired kubearmor/kubearmor:v1.5.1 (env RELATED_IMAGE_KUBEARMOR of Deployment kubearmor/kubearmor-operator)")
        let action = try XCTUnwrap(dsFinding.action)
        XCTAssertEqual(action.actionClass, .imagePatch)
        XCTAssertEqual(action.request.path, "/apis/apps/v1/namespaces/kubearmor/daemonsets/kubearmor-apparmor-containerd-98c2c")
        XCTAssertEqual(try Fixture.patchOps(action.request), [
            ["op": "test", "path": "/metadata/resourceVersion", "value": "10"],
            ["op": "test", "path": "/spec/template/spec/containers/0/image", "value": "kubearmor/kubearmor:v1.4.0"],
            ["op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "kubearmor/kubearmor:v1.5.1"],
        ])
        XCTAssertTrue(report.findings[1].reason.contains("(KubeArmorConfig kubearmor/kubearmorconfig-default spec.kubearmorRelayImage.image)"), report.findings[1].reason)
    }

    func testContainerAndInitContainerDriftIsOneAction() throws {
        let ds = daemonSet(kubearmor: "kubearmor/kubearmor:v1", initImage: "kubearmor/kubearmor-init:v1")
        let report = check.evaluate(Snapshot(workloads: [operatorWith(env: [:]), ds], objects: [config()]), .defaults)
        XCTAssertEqual(report.findings.count, 1)
        let ops = try Fixture.patchOps(try XCTUnwrap(report.findings[0].action).request)
        XCTAssertEqual(ops.map { $0["path"] }, [
            "/metadata/resourceVersion",
            "/spec/template/spec/containers/0/image", "/spec/template/spec/containers/0/image",
            "/spec/template/spec/initContainers/0/image", "/spec/template/spec/initContainers/0/image",
        ])
        XCTAssertEqual(ops[2]["value"], "kubearmor/kubearmor:stable")
        XCTAssertEqual(ops[4]["value"], "kubearmor/kubearmor-init:stable")
    }

    func testControllerContainerIndexIsItsPosition() throws {
        let report = check.evaluate(Snapshot(workloads: [operatorWith(env: ["RELATED_IMAGE_KUBEARMOR_CONTROLLER": "kubearmor/kubearmor-controller:v2"]),
                                                         controller("kubearmor/kubearmor-controller:v1")], objects: [config()]), .defaults)
        let ops = try Fixture.patchOps(try XCTUnwrap(report.findings.first?.action).request)
        XCTAssertEqual(ops[1], ["op": "test", "path": "/spec/template/spec/containers/1/image", "value": "kubearmor/kubearmor-controller:v1"])
    }

    func testRolloutInProgressIsReportedNotPatched() {
        let ds = daemonSet(kubearmor: "kubearmor/kubearmor:v1", initImage: "kubearmor/kubearmor-init:stable", generation: 4, observed: 3)
        let report = check.evaluate(Snapshot(workloads: [operatorWith(env: [:]), ds], objects: [config()]), .defaults)
        XCTAssertEqual(report.findings.count, 1)
        XCTAssertNil(report.findings[0].action)
        XCTAssertTrue(report.findings[0].reason.hasSuffix("rollout in progress (observedGeneration 3 < generation 4), not patched this run"), report.findings[0].reason)
    }

    func testMissingOrAmbiguousConfigIsReportedOnly() {
        let ds = daemonSet(kubearmor: "kubearmor/kubearmor:v1", initImage: "kubearmor/kubearmor-init:stable")
        let none = check.evaluate(Snapshot(workloads: [operatorWith(env: [:]), ds], objects: [], listed: [.deployment, .daemonSet, KubeArmorOperator.configKind]), .defaults)
        XCTAssertEqual(none.findings.count, 1)
        XCTAssertEqual(none.findings[0].object.name, "kubearmor-operator")
        XCTAssertNil(none.findings[0].action)
        XCTAssertTrue(none.findings[0].reason.hasPrefix("no KubeArmorConfig in namespace kubearmor"))

        let two = check.evaluate(Snapshot(workloads: [operatorWith(env: [:]), ds], objects: [config("a"), config("b")]), .defaults)
        XCTAssertEqual(two.findings.map(\.object.name), ["a", "b"])
        XCTAssertTrue(two.findings.allSatisfy { $0.action == nil && $0.reason.hasPrefix("2 KubeArmorConfigs in namespace kubearmor (a, b)") })
    }

    func testNotApplicableWithoutOperatorOrCRD() {
        XCTAssertNotNil(check.evaluate(Snapshot(workloads: [relay("x")], objects: [config()]), .defaults).notApplicable)
        let noCRD = Snapshot(workloads: [operatorWith(env: [:])], unavailable: [KubeArmorOperator.configKind: "operator.kubearmor.com/v1 is not served"])
        XCTAssertEqual(check.evaluate(noCRD, .defaults).notApplicable, "KubeArmorConfig is not available: operator.kubearmor.com/v1 is not served")
    }

    func testImageNormalisation() {
        XCTAssertTrue(ImageReference.same("kubearmor/kubearmor:stable", "docker.io/kubearmor/kubearmor:stable"))
        XCTAssertTrue(ImageReference.same("nginx", "docker.io/library/nginx:latest"))
        XCTAssertTrue(ImageReference.same("index.docker.io/library/nginx:1.27", "nginx:1.27"))
        XCTAssertTrue(ImageReference.same("localhost:5000/app", "localhost:5000/app:latest"))
        XCTAssertFalse(ImageReference.same("quay.io/kubearmor/kubearmor:stable", "kubearmor/kubearmor:stable"))
        XCTAssertFalse(ImageReference.same("kubearmor/kubearmor:v1", "kubearmor/kubearmor:v2"))
        XCTAssertFalse(ImageReference.same("kubearmor/kubearmor@sha256:aa", "kubearmor/kubearmor:latest"))
        XCTAssertEqual(ImageReference.normalized("registry:5000/ns/app@sha256:ab"), "registry:5000/ns/app@sha256:ab")
    }

    func drifted() -> [WorkloadRecord] {
        [daemonSet(kubearmor: "kubearmor/kubearmor:v1", initImage: "kubearmor/kubearmor-init:stable"), relay("kubearmor/kubearmor-relay-server:v1")]
    }

    /// A pre-delete teardown deletes the operator (or the config) first: no rollout then.
    func testNothingWhileTheOperatorOrTheConfigIsBeingDeleted() {
        var op = operatorWith(env: [:])
        op.meta.deletionTimestamp = "2026-01-01T00:00:00Z"
        let whileOperatorGoes = check.evaluate(Snapshot(workloads: [op] + drifted(), objects: [config()]), .defaults)
        XCTAssertTrue(whileOperatorGoes.findings.allSatisfy { $0.action == nil }, "\(whileOperatorGoes.findings)")
        var cr = config()
        cr.meta.deletionTimestamp = "2026-01-01T00:00:00Z"
        let whileConfigGoes = check.evaluate(Snapshot(workloads: [operatorWith(env: [:])] + drifted(), objects: [cr]), .defaults)
        XCTAssertTrue(whileConfigGoes.findings.allSatisfy { $0.action == nil }, "\(whileConfigGoes.findings)")
    }

    /// An admission webhook that pins digests turns `img:tag` into `img:tag@sha256:…`.
    func testTagWithDigestIsTheSameImageAsTheTag() {
        let digest = "@sha256:" + String(repeating: "ab", count: 32)
        let ds = daemonSet(kubearmor: "kubearmor/kubearmor:stable" + digest, initImage: "docker.io/kubearmor/kubearmor-init:stable" + digest)
        let report = check.evaluate(Snapshot(workloads: [operatorWith(env: [:]), ds], objects: [config()]), .defaults)
        XCTAssertEqual(report.findings, [])
    }

    func testPausedDeploymentIsReportedNotPatched() {
        var paused = relay("kubearmor/kubearmor-relay-server:v1")
        paused.paused = true
        let report = check.evaluate(Snapshot(workloads: [operatorWith(env: [:]), paused], objects: [config()]), .defaults)
        XCTAssertEqual(report.findings.count, 1)
        XCTAssertNil(report.findings.first?.action)
        XCTAssertTrue(report.findings.first?.reason.contains("paused") == true, report.findings.first?.reason ?? "")
    }

    /// Image patches roll KubeArmor out node by node: one workload at a time, whatever the budgets.
    func testOneKubeArmorWorkloadRollsAtATime() {
        var second = daemonSet(kubearmor: "kubearmor/kubearmor:v1", initImage: "kubearmor/kubearmor-init:stable")
        second.meta.name = "kubearmor-bpf-containerd-12345"
        second.meta.uid = "uid-second"
        let snapshot = Snapshot(workloads: [operatorWith(env: [:]), second] + drifted(), objects: [config()])
        var settings = Settings.defaults
        settings.budgets.maxUnhealthyWorkloads = 10
        let report = check.evaluate(snapshot, settings)
        XCTAssertEqual(report.findings.count, 3)
        let plan = Planner.plan([report], snapshot: snapshot, settings: settings, shard: nil)
        XCTAssertEqual(plan.batch.count, 1, "\(plan.entries.map { "\($0.finding.object.name): \($0.decision)" })")

        // While one of them is still rolling out, none is patched.
        var rolling = drifted()[1]
        rolling.meta.name = "kubearmor-controller"
        rolling.containers = [ContainerRecord(name: "manager", image: "kubearmor/kubearmor-controller:latest")]
        rolling.status.updatedReplicas = 0
        let busy = Snapshot(workloads: [operatorWith(env: [:]), rolling] + drifted(), objects: [config()])
        let busyPlan = Planner.plan([check.evaluate(busy, settings)], snapshot: busy, settings: settings, shard: nil)
        XCTAssertEqual(busyPlan.batch.count, 0, "\(busyPlan.entries.map { "\($0.finding.object.name): \($0.decision)" })")
    }
}
