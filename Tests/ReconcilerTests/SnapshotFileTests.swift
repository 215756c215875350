import KubeClient
@testable import Reconciler
import XCTest

final class SnapshotFileTests: XCTestCase {
    let yaml = """
    apiVersion: v1
    kind: List
    items:
    - apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: kubearmor-operator
        namespace: kubearmor
        uid: u-op
        resourceVersion: "7"
        generation: 2
        labels: {kubearmor-app: kubearmor-operator}
      spec:
        replicas: 1
        selector: {matchLabels: {app: op}}
        template:
          metadata: {labels: {app: op}}
          spec:
            containers:
            - name: operator
              image: kubearmor/kubearmor-operator:v1
              env:
              - {name: RELATED_IMAGE_KUBEARMOR, value: "kubearmor/kubearmor:v2"}
              - {name: PASSWORD, value: hunter2}
              - name: FROM_SECRET
                valueFrom: {secretKeyRef: {name: s, key: k}}
      status: {observedGeneration: 2, replicas: 1, availableReplicas: 1, updatedReplicas: 1}
    - apiVersion: v1
      kind: Secret
      metadata: {name: kubearmor-controller-webhook-server-cert, namespace: kubearmor, uid: u-s, resourceVersion: "8"}
      type: kubernetes.io/tls
      data: {tls.key: c2VjcmV0}
    ---
    apiVersion: operator.kubearmor.com/v1
    kind: KubeArmorConfig
    metadata: {name: kubearmorconfig-default, namespace: kubearmor, uid: u-c, resourceVersion: "9"}
    spec:
      kubearmorImage: {image: "kubearmor/kubearmor:v3"}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: kubearmor, uid: u-ns, resourceVersion: "1", labels: {team: sec}}
    ---
    apiVersion: v1
    kind: Event
    metadata: {name: ignored, namespace: kubearmor}
    """

    func testBuildsCompactRecordsFromKubectlOutput() throws {
        let docs = try JSONValue.parseDocuments(yaml)
        let snapshot = try Snapshot(documents: docs, checks: Checks.all)
        XCTAssertEqual(snapshot.workloads.count, 1)
        let op = snapshot.workloads[0]
        XCTAssertEqual(op.kind, "Deployment")
        XCTAssertEqual(op.apiVersion, "apps/v1")
        XCTAssertEqual(op.meta.generation, 2)
        XCTAssertEqual(op.status.observedGeneration, 2)
        XCTAssertEqual(op.selector, ["app": "op"])
        XCTAssertEqual(op.containers[0].env, ["RELATED_IMAGE_KUBEARMOR": "kubearmor/kubearmor:v2"], "only RELATED_IMAGE_* env is kept")

        let secret = try XCTUnwrap(snapshot.objects(GroupKind("", "Secret")).first)
        XCTAssertNil(secret.spec)
        XCTAssertEqual(secret.ref.description, "Secret kubearmor/kubearmor-controller-webhook-server-cert")
        XCTAssertEqual(snapshot.objects(KubeArmorOperator.configKind).first?.spec?["kubearmorImage"]?["image"], "kubearmor/kubearmor:v3")
        XCTAssertEqual(snapshot.namespace("kubearmor")?.meta.labels, ["team": "sec"])
        XCTAssertTrue(snapshot.objects(GroupKind("", "Event")).isEmpty, "kinds no check reads are dropped")
        XCTAssertNil(snapshot.unavailableReason(KubeArmorOperator.configKind))
        XCTAssertNil(snapshot.unavailableReason(GroupKind("", "ConfigMap")), "a required kind absent from the files simply has no objects")

        // The whole pipeline runs on it: the DaemonSet is absent, so no image finding; the
        // Secret lacks the operator reference.
        let reports = Checks.evaluate(Checks.all, snapshot: snapshot, settings: .defaults)
        XCTAssertEqual(reports.map(\.check), ["owner-references", "kubearmor-image-drift", "apparmor-unprotected-pods", "gatekeeper-orphaned-vap", "gatekeeper-mutation-drift"])
        XCTAssertEqual(reports[0].findings.map(\.object.name), ["kubearmor-controller-webhook-server-cert"])
        XCTAssertEqual(reports[1].findings, [])
        XCTAssertNotNil(reports[2].notApplicable, "no node enforces AppArmor in these files")
    }

    func testOptionalKindIsUnavailableWithoutObjectsOrCRD() throws {
        let docs = try JSONValue.parseDocuments(#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}"#)
        let snapshot = try Snapshot(documents: docs, checks: Checks.all)
        XCTAssertEqual(snapshot.unavailableReason(KubeArmorOperator.configKind), "no KubeArmorConfig.operator.kubearmor.com object or CustomResourceDefinition in the snapshot files")

        let withCRD = try Snapshot(documents: try JSONValue.parseDocuments("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: kubearmorconfigs.operator.kubearmor.com}
        spec: {group: operator.kubearmor.com, names: {kind: KubeArmorConfig, plural: kubearmorconfigs}, scope: Namespaced}
        """), checks: Checks.all)
        XCTAssertNil(withCRD.unavailableReason(KubeArmorOperator.configKind))
    }

    func testErrorsNameTheDocument() {
        XCTAssertThrowsError(try Snapshot(documents: [["metadata": ["name": "x"]]], checks: Checks.all)) { error in
            XCTAssertEqual((error as? SnapshotFileError)?.message, "document 1: an object without apiVersion or kind")
        }
        let bad: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cm", "labels": ["a": ["nested": true]]]]
        XCTAssertThrowsError(try Snapshot(documents: [["kind": "Namespace", "apiVersion": "v1", "metadata": ["name": "n"]], bad], checks: Checks.all)) { error in
            XCTAssertEqual((error as? SnapshotFileError)?.message, "document 2 (ConfigMap cm): metadata.labels.a: expected String")
        }
    }

    func testParseFilesReadsJSONAndYAML() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kreconcile-snap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }  // best-effort cleanup of a temp dir
        let json = dir.appendingPathComponent("a.json"), yamlFile = dir.appendingPathComponent("b.yaml")
        try #"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}]}"#.write(to: json, atomically: true, encoding: .utf8)
        try yaml.write(to: yamlFile, atomically: true, encoding: .utf8)
        let docs = try Snapshot.parseFiles([json.path, yamlFile.path])
        XCTAssertEqual(docs.count, 5)
        XCTAssertEqual(try Snapshot(documents: docs, checks: Checks.all).namespace("a")?.meta.name, "a")
        XCTAssertThrowsError(try Snapshot.parseFiles([dir.appendingPathComponent("missing.yaml").path])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(dir.path)/missing.yaml: cannot read"), "\(error)")
        }
        let broken = dir.appendingPathComponent("broken.yaml")
        try "kind: List\nitems:\n- a: 1\n  b: [\n".write(to: broken, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Snapshot.parseFiles([broken.path])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(broken.path): not valid JSON or YAML: line "), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"), "one line: \(error)")
        }
    }

    func testGroupInputKeepsEveryKindOfTheGroup() throws {
        let docs = try JSONValue.parseDocuments("""
        apiVersion: constraints.gatekeeper.sh/v1beta1
        kind: K8sRequiredLabels
        metadata: {name: must-have-owner, uid: u1}
        spec: {enforcementAction: deny}
        """)
        let snapshot = try Snapshot(documents: docs, checks: [SnapshotLoaderTests.GroupReader()],
                                    settings: Settings(checks: CheckSettings(registry: [SnapshotLoaderTests.GroupReader()])))
        XCTAssertEqual(snapshot.objects(inGroup: "constraints.gatekeeper.sh").map(\.meta.name), ["must-have-owner"])
        XCTAssertNil(snapshot.unavailableReason(GroupKind("constraints.gatekeeper.sh", "*")))
        XCTAssertNotNil(try Snapshot(documents: [], checks: [SnapshotLoaderTests.GroupReader()]).unavailableReason(GroupKind("constraints.gatekeeper.sh", "*")))
    }

    func testOptionTypesDescribeThemselves() {
        XCTAssertEqual("\(OwnerRule.schema)", "list of {kind, apiVersion?, resource?, namespace?, selector, owner}")
        XCTAssertEqual("\(OptionType.int(1...5))", "int 1-5")
    }
}
