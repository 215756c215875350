import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// Update validation of immutable fields (core validation ValidatePodUpdate,
/// ValidatePodSpecificAnnotationUpdates; apps validation of spec.selector).
final class ImmutabilityTests: XCTestCase {
    let pods = "/api/v1/namespaces/default/pods"
    let merge = "application/merge-patch+json"
    let appArmorKey = "container.apparmor.security.beta.kubernetes.io/c"

    func testPodSpecAllowsOnlyTheUpdatableFields() async throws {
        let h = try await Harness()
        var pod = runningPod("p")
        pod["spec"]?["tolerations"] = [["key": "a", "operator": "Exists"]]
        try h.emulator.seed(pod)
        XCTAssertEqual(try h.patch(pods + "/p", ["spec": ["containers": [["name": "c", "image": "nginx:2"]]]],
                                   type: "application/strategic-merge-patch+json").status, 200, "image may change")
        XCTAssertEqual(try h.patch(pods + "/p", ["spec": ["activeDeadlineSeconds": 60]], type: merge).status, 200)
        XCTAssertEqual(try h.patch(pods + "/p", ["spec": ["tolerations": [["key": "a", "operator": "Exists"], ["key": "b", "operator": "Exists"]]]],
                                   type: merge).status, 200, "tolerations may be added")

        let removed = try h.patch(pods + "/p", ["spec": ["tolerations": [["key": "b", "operator": "Exists"]]]], type: merge)
        XCTAssertEqual(removed.status, 422)
        let changed = try h.patch(pods + "/p", ["spec": ["restartPolicy": "Never"]], type: merge)
        XCTAssertEqual(changed.status, 422)
        XCTAssertEqual(changed.json["reason"], "Invalid")
        let prefix = "Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"
        XCTAssertTrue(changed.json["message"]?.stringValue?.hasPrefix(prefix) ?? false, changed.text)
        XCTAssertEqual(changed.json["details"]?["kind"], "Pod")
        XCTAssertEqual(changed.json["details"]?["causes"]?[0]?["field"], "spec")
        XCTAssertEqual(changed.json["details"]?["causes"]?[0]?["reason"], "FieldValueForbidden")

        // The appArmorProfile field is part of the immutable spec.
        let profile = try h.patch(pods + "/p", ["spec": ["securityContext": ["appArmorProfile": ["type": "RuntimeDefault"]]]], type: merge)
        XCTAssertEqual(profile.status, 422)
        XCTAssertEqual(h.emulator.object("pods", namespace: "default", name: "p")?["spec"]?["containers"]?[0]?["image"], "nginx:2")

        // Status writes go through /status untouched by these rules.
        let status = try h.patch(pods + "/p/status", ["status": ["phase": "Failed"], "spec": ["restartPolicy": "Never"]], type: merge)
        XCTAssertEqual(status.status, 200)
        XCTAssertEqual(status.json["status"]?["phase"], "Failed")
        await h.stop()
    }

    func testAppArmorAnnotationsCannotChangeOnAnExistingPod() async throws {
        let h = try await Harness()
        try h.emulator.seed(runningPod("bare"))
        let added = try h.patch(pods + "/bare", ["metadata": ["annotations": [appArmorKey: "localhost/x"]]], type: merge)
        XCTAssertEqual(added.status, 422)
        XCTAssertEqual(added.json["message"], .string("Pod \"bare\" is invalid: metadata.annotations[\(appArmorKey)]: Forbidden: may not add AppArmor annotations"))
        XCTAssertEqual(added.json["details"]?["causes"], [["reason": "FieldValueForbidden", "message": "Forbidden: may not add AppArmor annotations",
                                                           "field": .string("metadata.annotations[\(appArmorKey)]")]])
        XCTAssertEqual(try h.patch(pods + "/bare", ["metadata": ["annotations": ["other": "ok"]]], type: merge).status, 200)

        var protected = runningPod("protected")
        protected["metadata"]?["annotations"] = [appArmorKey: "localhost/x"]
        try h.emulator.seed(protected)
        for change: JSONValue in ["localhost/y", .null] {
            let r = try h.patch(pods + "/protected", ["metadata": ["annotations": [appArmorKey: change]]], type: merge)
            XCTAssertEqual(r.status, 422)
            XCTAssertEqual(r.json["details"]?["causes"]?[0]?["message"], "Forbidden: may not remove or update AppArmor annotations")
        }
        // PUT of the same object with the annotation intact is fine.
        let current = try h.get(pods + "/protected").json
        XCTAssertEqual(try h.put(pods + "/protected", current).status, 200)
        await h.stop()
    }

    func testWorkloadSelectorsAreImmutable() async throws {
        let h = try await Harness()
        let path = "/apis/apps/v1/namespaces/default/deployments"
        XCTAssertEqual(try h.post(path, deployment("d")).status, 201)
        let r = try h.patch(path + "/d", ["spec": ["selector": ["matchLabels": ["app": "other"]]]], type: merge)
        XCTAssertEqual(r.status, 422)
        XCTAssertEqual(r.json["message"], "Deployment.apps \"d\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"other\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable")
        XCTAssertEqual(r.json["details"]?["causes"]?[0]?["field"], "spec.selector")
        XCTAssertEqual(try h.patch(path + "/d", ["spec": ["replicas": 3]], type: merge).status, 200)
        await h.stop()
    }

    func testPodCreateSyncsAppArmorFieldAndAnnotation() async throws {
        let h = try await Harness()  // serves 1.32
        var pod = runningPod("field", nodeName: nil)
        pod["spec"]?["securityContext"] = ["appArmorProfile": ["type": "Localhost", "localhostProfile": "prof"]]
        let created = try h.post(pods, pod).json
        XCTAssertEqual(created["metadata"]?["annotations"]?[appArmorKey], "localhost/prof", "field -> annotation up to 1.33")

        var annotated = runningPod("annotated", nodeName: nil)
        annotated["metadata"]?["annotations"] = [appArmorKey: "runtime/default"]
        let fromAnnotation = try h.post(pods, annotated).json
        XCTAssertEqual(fromAnnotation["spec"]?["containers"]?[0]?["securityContext"]?["appArmorProfile"], ["type": "RuntimeDefault"])
        await h.stop()

        let newer = try await Harness(EmulatorOptions(serverVersion: (1, 34)))
        XCTAssertNil(try newer.post(pods, pod).json["metadata"]?["annotations"]?[appArmorKey], "1.34 no longer copies field -> annotation")
        await newer.stop()
    }
}
