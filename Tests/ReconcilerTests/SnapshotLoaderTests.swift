import Foundation
import KubeClient
import KubeEmulator
@testable import Reconciler
import Synchronization
import XCTest

/// The loader against the in-memory API server: pagination, discovery of optional kinds,
/// metadata-only lists, progress.
final class SnapshotLoaderTests: XCTestCase {
    let cluster = """
    apiVersion: v1
    kind: Namespace
    metadata: {name: kubearmor}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: kubearmor-operator, namespace: kubearmor, labels: {kubearmor-app: kubearmor-operator}}
    spec:
      selector: {matchLabels: {kubearmor-app: kubearmor-operator}}
      template:
        metadata: {labels: {kubearmor-app: kubearmor-operator}}
        spec:
          containers:
          - name: operator
            image: kubearmor/kubearmor-operator:v1
            env: [{name: RELATED_IMAGE_KUBEARMOR, value: "kubearmor/kubearmor:v2"}]
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: kubearmor-apparmor-containerd-1, namespace: kubearmor, labels: {kubearmor-app: kubearmor}}
    spec:
      selector: {matchLabels: {kubearmor-app: kubearmor}}
      template:
        metadata: {labels: {kubearmor-app: kubearmor}}
        spec:
          initContainers: [{name: init, image: "kubearmor/kubearmor-init:stable"}]
          containers: [{name: kubearmor, image: "kubearmor/kubearmor:v1"}]
    status: {observedGeneration: 1, desiredNumberScheduled: 1, numberAvailable: 1, updatedNumberScheduled: 1}
    ---
    apiVersion: v1
    kind: Secret
    metadata: {name: kubearmor-controller-webhook-server-cert, namespace: kubearmor}
    type: kubernetes.io/tls
    data: {tls.key: c2VjcmV0LWtleQ==}
    """

    func start() async throws -> (KubeEmulator, KubeClient) {
        let emulator = KubeEmulator()
        try await emulator.start()
        try emulator.seed(yamlOrJSON: cluster)
        for i in 0..<7 {
            try emulator.seed(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("cm\(i)"), "namespace": "kubearmor"]])
        }
        let client = KubeClient(config: ClientConfig(server: emulator.baseURL), options: .init(qps: 0, burst: 10, pageSize: 3))
        return (emulator, client)
    }

    func testListsDeclaredKindsPageByPageIntoRecords() async throws {
        let (emulator, client) = try await start()
        defer { Task { await emulator.shutdown() } }
        var settings = Settings.defaults
        settings.client.pageSize = 3
        let seen = Mutex<[SnapshotProgress]>([])
        let loader = SnapshotLoader(client: client, settings: settings, checks: Checks.all) { p in seen.withLock { $0.append(p) } }
        let snapshot = try await loader.load()

        XCTAssertEqual(snapshot.objects(GroupKind("", "ConfigMap")).count, 7)
        XCTAssertEqual(snapshot.objects(GroupKind("", "ConfigMap")).map(\.kind), Array(repeating: "ConfigMap", count: 7))
        let ds = try XCTUnwrap(snapshot.workloads(.daemonSet).first)
        XCTAssertEqual(ds.kind, "DaemonSet", "typed list items carry no kind: set from the resource")
        XCTAssertEqual(ds.initContainers.map(\.image), ["kubearmor/kubearmor-init:stable"])
        XCTAssertFalse(ds.meta.uid.isEmpty)
        XCTAssertEqual(snapshot.namespace("kubearmor")?.meta.name, "kubearmor")
        XCTAssertEqual(snapshot.unavailable[KubeArmorOperator.configKind], "kubearmorconfigs.operator.kubearmor.com (v1) is not served")

        let requests = emulator.requests().filter { $0.verb == "list" }
        let configMapPages = requests.filter { $0.resource == "configmaps" }
        XCTAssertEqual(configMapPages.count, 3, "7 ConfigMaps at limit=3")
        XCTAssertTrue(configMapPages.allSatisfy { $0.query["limit"] == ["3"] })
        // Secrets are listed as metadata only: their data never reaches kreconcile.
        let secretList = try XCTUnwrap(requests.first { $0.resource == "secrets" })
        XCTAssertTrue(secretList.requestHeaders["accept"]?.contains("as=PartialObjectMetadataList") ?? false)
        let deploymentList = try XCTUnwrap(requests.first { $0.resource == "deployments" })
        XCTAssertFalse(deploymentList.requestHeaders["accept"]?.contains("PartialObjectMetadata") ?? true)

        let progress = seen.withLock { $0 }
        let last = try XCTUnwrap(progress.last)
        XCTAssertEqual(last.kindsDone, last.kindsTotal)
        XCTAssertEqual(last.objects, snapshot.objectCount)
        XCTAssertEqual(progress.map(\.objects), progress.map(\.objects).sorted(), "objects so far never go down")

        let reports = Checks.evaluate(Checks.all, snapshot: snapshot, settings: settings)
        XCTAssertEqual(reports[1].notApplicable, "KubeArmorConfig is not available: kubearmorconfigs.operator.kubearmor.com (v1) is not served")
        XCTAssertEqual(reports[0].findings.map(\.object.name), ["kubearmor-controller-webhook-server-cert"])
    }

    func testOptionalKindListedWhenServed() async throws {
        let (emulator, client) = try await start()
        defer { Task { await emulator.shutdown() } }
        emulator.register(ResourceType(group: "operator.kubearmor.com", version: "v1", kind: "KubeArmorConfig", plural: "kubearmorconfigs", namespaced: true))
        try emulator.seed(yamlOrJSON: """
        apiVersion: operator.kubearmor.com/v1
        kind: KubeArmorConfig
        metadata: {name: kubearmorconfig-default, namespace: kubearmor}
        spec: {kubearmorImage: {image: "kubearmor/kubearmor:v3"}}
        """)
        let snapshot = try await SnapshotLoader(client: client, settings: .defaults, checks: Checks.all, progress: nil).load()
        XCTAssertNil(snapshot.unavailableReason(KubeArmorOperator.configKind))
        XCTAssertEqual(snapshot.objects(KubeArmorOperator.configKind).first?.spec?["kubearmorImage"]?["image"], "kubearmor/kubearmor:v3")

        // env beats the CR: the DaemonSet should run v2.
        let report = KubeArmorImageDriftCheck().evaluate(snapshot, .defaults)
        XCTAssertEqual(report.findings.count, 1)
        XCTAssertEqual(report.findings.first?.reason,
                       "container kubearmor runs kubearmor/kubearmor:v1, desired kubearmor/kubearmor:v2 (env RELATED_IMAGE_KUBEARMOR of Deployment kubearmor/kubearmor-operator)")
        XCTAssertEqual(report.findings.first?.action?.summary, "set image of kubearmor to kubearmor/kubearmor:v2")

        // The action applies cleanly to the object it was planned on ...
        let request = try XCTUnwrap(report.findings.first?.action?.request)
        _ = try await client.send(request)
        XCTAssertEqual(emulator.object("daemonsets", namespace: "kubearmor", name: "kubearmor-apparmor-containerd-1")?
            .value(at: ["spec", "template", "spec", "containers"])?[0]?["image"], "kubearmor/kubearmor:v2")
        // ... and its precondition refuses it once the object changed (422 from the failed test).
        do {
            _ = try await client.send(request)
            XCTFail("a second send must fail its resourceVersion test")
        } catch let error as KubeAPIError {
            XCTAssertEqual(error.code, 422)
        }
    }

    func testRequiredKindFailureNamesTheKind() async throws {
        let (emulator, client) = try await start()
        defer { Task { await emulator.shutdown() } }
        emulator.addFault(FaultRule(verb: "list", resource: "secrets", action: .status(code: 403, reason: "Forbidden", message: "secrets is forbidden", retryAfterSeconds: nil)))
        do {
            _ = try await SnapshotLoader(client: client, settings: .defaults, checks: Checks.all, progress: nil).load()
            XCTFail("expected the list to fail")
        } catch let error as SnapshotLoadError {
            XCTAssertEqual(error.kind, GroupKind("", "Secret"))
            XCTAssertTrue(error.description.hasPrefix("listing Secret: "), error.description)
        }
    }

    /// A future check (Gatekeeper constraints) declares a whole API group.
    struct GroupReader: Check {
        let name = "group-reader"
        let summary = "reads every constraint kind"
        var optionsDoc: [CheckOptionDoc] { [] }
        var inputs: [SnapshotInput] {
            [SnapshotInput(.group("constraints.gatekeeper.sh", versions: ["v1beta1"]), optional: true, shape: .object(keepSpec: true))]
        }
        func evaluate(_ snapshot: Snapshot, _ settings: Settings) -> CheckReport { CheckReport(check: name) }
    }

    func testGroupInputListsEveryServedKind() async throws {
        let (emulator, client) = try await start()
        defer { Task { await emulator.shutdown() } }
        var settings = Settings(checks: CheckSettings(registry: [GroupReader()]))
        settings.client.pageSize = 1
        let absent = try await SnapshotLoader(client: client, settings: settings, checks: [GroupReader()], progress: nil).load()
        XCTAssertEqual(absent.unavailableReason(GroupKind("constraints.gatekeeper.sh", "*")), "API group constraints.gatekeeper.sh (v1beta1) is not served")

        for kind in ["K8sRequiredLabels", "K8sAllowedRepos"] {
            emulator.register(ResourceType(group: "constraints.gatekeeper.sh", version: "v1beta1", kind: kind, plural: kind.lowercased(), namespaced: false))
        }
        try emulator.seed(yamlOrJSON: """
        apiVersion: constraints.gatekeeper.sh/v1beta1
        kind: K8sRequiredLabels
        metadata: {name: must-have-owner}
        spec: {enforcementAction: deny}
        ---
        apiVersion: constraints.gatekeeper.sh/v1beta1
        kind: K8sAllowedRepos
        metadata: {name: repos-a}
        ---
        apiVersion: constraints.gatekeeper.sh/v1beta1
        kind: K8sAllowedRepos
        metadata: {name: repos-b}
        """)
        let client2 = KubeClient(config: ClientConfig(server: emulator.baseURL), options: .init(qps: 0, burst: 10))  // fresh discovery cache
        let seen = Mutex<[Int]>([])
        let snapshot = try await SnapshotLoader(client: client2, settings: settings, checks: [GroupReader()]) { p in seen.withLock { $0.append(p.objects) } }.load()
        XCTAssertNil(snapshot.unavailableReason(GroupKind("constraints.gatekeeper.sh", "*")))
        XCTAssertEqual(snapshot.objects(inGroup: "constraints.gatekeeper.sh").map { "\($0.kind)/\($0.meta.name)" },
                       ["K8sAllowedRepos/repos-a", "K8sAllowedRepos/repos-b", "K8sRequiredLabels/must-have-owner"])
        XCTAssertEqual(snapshot.objects(GroupKind("constraints.gatekeeper.sh", "K8sRequiredLabels")).first?.spec?["enforcementAction"], "deny")
        XCTAssertEqual(seen.withLock { $0.max() }, snapshot.objectCount, "progress adds the kinds of the group up")
    }
}
