import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// Namespace and CRD deletion as finalizer-driven lifecycles, finished by controller steps.
final class LifecycleTests: XCTestCase {
    func testNamespaceTerminatesRefusesCreatesAndGoesAfterItsContents() async throws {
        let h = try await Harness(.init(controllers: .manual))
        XCTAssertEqual(try h.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]]).status, 201)
        XCTAssertEqual(try h.post("/api/v1/namespaces/team/configmaps", configMap("c", namespace: "team")).status, 201)
        var held = configMap("held", namespace: "team")
        held["metadata"]?["finalizers"] = ["example.com/hold"]
        XCTAssertEqual(try h.post("/api/v1/namespaces/team/configmaps", held).status, 201)

        let deleted = try h.delete("/api/v1/namespaces/team")
        XCTAssertEqual(deleted.status, 200)
        XCTAssertEqual(deleted.json["status"]?["phase"], "Terminating")
        XCTAssertEqual(deleted.json["spec"]?["finalizers"], ["kubernetes"])
        XCTAssertNotNil(deleted.json["metadata"]?["deletionTimestamp"]?.stringValue)

        let refused = try h.post("/api/v1/namespaces/team/configmaps", configMap("late", namespace: "team"))
        XCTAssertEqual(refused.status, 403, refused.text)
        XCTAssertEqual(refused.json["reason"], "Forbidden")
        XCTAssertEqual(refused.json["message"], #"configmaps "late" is forbidden: unable to create new content in namespace team because it is being terminated"#)
        XCTAssertEqual(refused.json["details"]?["causes"]?[0]?["field"], "metadata.namespace")
        XCTAssertEqual(refused.json["details"]?["causes"]?[0]?["reason"], "NamespaceTerminating")

        h.emulator.settle()
        XCTAssertNil(h.emulator.object("configmaps", namespace: "team", name: "c"))
        XCTAssertNotNil(h.emulator.object("namespaces", namespace: nil, name: "team"), "waits for the held object")
        let conditions = h.emulator.object("namespaces", namespace: nil, name: "team")?["status"]?["conditions"]?.arrayValue ?? []
        XCTAssertTrue(conditions.contains { $0["type"] == "NamespaceContentRemaining" })

        XCTAssertEqual(try h.patch("/api/v1/namespaces/team/configmaps/held", ["metadata": ["finalizers": nil]], type: EmulatorCore.mergePatch).status, 200)
        h.emulator.settle()
        XCTAssertNil(h.emulator.object("namespaces", namespace: nil, name: "team"))
        XCTAssertEqual(try h.get("/api/v1/namespaces/team").status, 404)
        await h.stop()
    }

    func testCRDKeepsItsCleanupFinalizerUntilItsResourcesAreGone() async throws {
        let h = try await Harness(.init(controllers: .manual))
        let crd: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "gadgets.example.io"],
            "spec": ["group": "example.io", "scope": "Namespaced", "names": ["kind": "Gadget", "plural": "gadgets"],
                     "versions": [["name": "v1", "served": true, "storage": true, "subresources": ["status": [:]]]]]]
        XCTAssertEqual(try h.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status, 201)
        let gadgets = "/apis/example.io/v1/namespaces/default/gadgets"
        // Status is dropped on create and on main-resource updates.
        let created = try h.post(gadgets, ["apiVersion": "example.io/v1", "kind": "Gadget", "metadata": ["name": "g"],
                                           "spec": ["size": 1], "status": ["ready": true]])
        XCTAssertEqual(created.status, 201)
        XCTAssertNil(created.json["status"])
        let put = try h.put(gadgets + "/g", ["apiVersion": "example.io/v1", "kind": "Gadget",
                                            "metadata": ["name": "g", "resourceVersion": created.json["metadata"]?["resourceVersion"] ?? ""],
                                            "spec": ["size": 2], "status": ["ready": true]])
        XCTAssertEqual(put.status, 200, put.text)
        XCTAssertNil(put.json["status"])
        XCTAssertEqual(put.json["spec"]?["size"], 2)

        let deleted = try h.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.io")
        XCTAssertEqual(deleted.status, 200)
        XCTAssertEqual(deleted.json["metadata"]?["finalizers"], ["customresourcecleanup.apiextensions.k8s.io"])
        XCTAssertNotNil(deleted.json["metadata"]?["deletionTimestamp"]?.stringValue)
        let terminating = (deleted.json["status"]?["conditions"]?.arrayValue ?? []).first { $0["type"] == "Terminating" }
        XCTAssertEqual(terminating?["status"], "True")
        XCTAssertEqual(try h.get(gadgets + "/g").status, 200, "still served until the controller runs")

        h.emulator.settle()
        XCTAssertEqual(try h.get(gadgets).status, 404)
        XCTAssertNil(h.emulator.object("customresourcedefinitions", namespace: nil, name: "gadgets.example.io"))
        await h.stop()
    }

    func testBudgetStatusKeepsZeroCounts() async throws {
        let h = try await Harness(.init(controllers: .manual))
        let pdb: JSONValue = ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "b"],
                              "spec": ["minAvailable": 1, "selector": ["matchLabels": ["app": "none"]]]]
        XCTAssertEqual(try h.post("/apis/policy/v1/namespaces/default/poddisruptionbudgets", pdb).status, 201)
        h.emulator.settle()
        let status = try h.get("/apis/policy/v1/namespaces/default/poddisruptionbudgets/b").json["status"]
        for field in ["disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"] {
            XCTAssertNotNil(status?[field]?.intValue, "\(field) present: \(String(describing: status))")
        }
        XCTAssertEqual(status?["currentHealthy"], 0)
        XCTAssertEqual(status?["expectedPods"], 0)
        await h.stop()
    }
}
