import KubeClient
@testable import Reconciler
import XCTest

final class TeardownProfileTests: XCTestCase {
    func parse(_ steps: String, header: String = "apiVersion: kreconcile.io/v1alpha1\nkind: TeardownProfile\nname: demo\nnamespace: demo\n") throws -> TeardownProfile {
        try TeardownProfile.parse(yaml: header + steps, file: "demo.yaml")
    }

    func error(_ steps: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try parse(steps)
            XCTFail("expected an error", file: file, line: line)
            return ""
        } catch {
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", file: file, line: line)
            return text
        }
    }

    func testBuiltInKubeArmorProfileHasTheIssuesOrder() throws {
        let p = try TeardownProfile.parse(yaml: try XCTUnwrap(BuiltInProfiles.yaml(named: "kubearmor")), file: "kubearmor")
        XCTAssertEqual(p.steps.map(\.name), ["stop-operator", "mutating-webhook", "controller-and-relay", "daemonsets", "namespaced-objects",
                                             "cluster-rbac", "kubearmorconfig", "operator", "policy-crds"])
        XCTAssertEqual(p.steps[0].action, .scaleToZero)
        XCTAssertEqual(p.steps[0].waitFor, [.podsGone])
        XCTAssertEqual(p.steps[2].waitFor, [.deleted, .podsGone])
        XCTAssertEqual(p.steps[2].propagation, .foreground)
        XCTAssertEqual(p.steps[6].finalizedBy?.finalizers, ["kubearmorconfig.operator.kubearmor.com"])
        XCTAssertEqual(p.steps.filter(\.onlyWithDeleteCRDs).map(\.name), ["policy-crds"])
        // The Secret the controller mounts is deleted only in a step after the controller's.
        let secretStep = try XCTUnwrap(p.steps.firstIndex { $0.objects.contains { $0.kind == "Secret" } })
        XCTAssertGreaterThan(secretStep, 2)
        XCTAssertEqual(p.steps[1].timeoutSeconds, 60)
    }

    func testBuiltInGatekeeperProfileFindsGeneratedPoliciesByOwner() throws {
        let p = try TeardownProfile.parse(yaml: try XCTUnwrap(BuiltInProfiles.yaml(named: "gatekeeper")), file: "gatekeeper")
        XCTAssertEqual(p.steps.first?.objects.map(\.kind), ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"])
        let generated = try XCTUnwrap(p.steps.first { $0.name == "generated-policies" })
        XCTAssertEqual(generated.objects.map(\.match), [.ownedBy(group: "constraints.gatekeeper.sh", kind: "*"),
                                                        .ownedBy(group: "templates.gatekeeper.sh", kind: "ConstraintTemplate")])
        XCTAssertEqual(p.steps.filter(\.onlyWithDeleteCRDs).map(\.name), ["constraint-crds", "gatekeeper-crds"])
    }

    func testDefaultsAndDurations() throws {
        let p = try parse("""
            steps:
            - name: a
              objects: [{kind: ConfigMap, names: [x]}]
              action: delete
              timeout: 1m30s
            - name: b
              objects: [{group: apps, kind: Deployment, labelSelector: app=x}]
              action: scaleToZero
              timeout: 500ms
            """)
        XCTAssertEqual(p.steps[0].waitFor, [.deleted])
        XCTAssertEqual(p.steps[0].propagation, .foreground)
        XCTAssertEqual(p.steps[0].timeoutSeconds, 90)
        XCTAssertEqual(p.steps[1].waitFor, [.podsGone])
        XCTAssertEqual(p.steps[1].timeoutSeconds, 0.5, accuracy: 1e-9)
        XCTAssertEqual(DurationText.seconds("2m"), 120)
        XCTAssertNil(DurationText.seconds("2x"))
        XCTAssertNil(DurationText.seconds("m"))
    }

    func testErrorsNameTheFileStepAndField() {
        XCTAssertEqual(error("""
            steps:
            - name: stop
              objects: [{group: apps, kind: Deployment, names: [x]}]
              action: scaleToZero
            - name: controllers
              objects: [{group: apps, kind: Deployment, names: [x]}]
              action: delete
              waitFor: [podsGone, gone]
            """), "demo.yaml: steps[1](controllers).waitFor[1]: \"gone\" is not one of deleted, podsGone")
        XCTAssertEqual(error("""
            steps:
            - name: cm
              objects: [{kind: ConfigMap, names: [x]}]
              action: scaleToZero
            """), "demo.yaml: steps[0](cm).objects[0].kind: scaleToZero needs a kind with spec.replicas (apps Deployment, StatefulSet, ReplicaSet), got ConfigMap")
        XCTAssertEqual(error("""
            steps:
            - name: cm
              objects: [{kind: ConfigMap, names: [x], labelSelector: a=b}]
              action: delete
            """), "demo.yaml: steps[0](cm).objects[0].labelSelector: give exactly one of names, labelSelector, ownedBy, all")
        XCTAssertEqual(error("""
            steps:
            - name: cm
              objects: [{kind: ConfigMap, names: [x]}]
              action: delete
              timout: 1m
            """), "demo.yaml: steps[0](cm).timout: unknown field, did you mean timeout?")
        XCTAssertEqual(error("""
            steps:
            - name: cm
              objects: [{kind: ConfigMap, names: [x]}]
              action: remove
            """), "demo.yaml: steps[0](cm).action: \"remove\" is not one of delete, scaleToZero")
        XCTAssertEqual(error("""
            steps:
            - name: cm
              objects: [{kind: ConfigMap, names: [x]}]
              action: delete
              timeout: soon
            """), "demo.yaml: steps[0](cm).timeout: \"soon\" is not a duration like 2m, 90s or 500ms")
        XCTAssertEqual(error("""
            steps:
            - name: cm
              objects: [{kind: ConfigMap, names: [x]}]
              action: delete
              waitFor: [podsGone]
            """), "demo.yaml: steps[0](cm).waitFor: podsGone needs a workload kind among the objects (Deployment, StatefulSet, ReplicaSet, DaemonSet, Job)")
        XCTAssertEqual(error("""
            steps:
            - name: cm
              objects: [{kind: ConfigMap, names: [x]}]
              action: delete
            - name: cm
              objects: [{kind: Secret, names: [x]}]
              action: delete
            """), "demo.yaml: steps[1](cm).name: \"cm\" is used by an earlier step")
        XCTAssertEqual(error("""
            steps:
            - name: vap
              objects: [{group: admissionregistration.k8s.io, kind: ValidatingAdmissionPolicy, ownedBy: {kind: ConstraintTemplate}}]
              action: delete
            """), "demo.yaml: steps[0](vap).objects[0].ownedBy.group: required: the owner's API group (an owner is matched by group and kind, never by apiVersion)")
        XCTAssertEqual(error("steps: []\n"), "demo.yaml: steps: required: at least one step")
        XCTAssertThrowsError(try parse("steps: [{name: a}]\n", header: "apiVersion: v1\nkind: TeardownProfile\nname: x\n")) {
            XCTAssertEqual("\($0)", "demo.yaml: apiVersion: must be kreconcile.io/v1alpha1")
        }
    }
}
