import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// metadata.managedFields on writes, and server-side apply's ownership and conflicts.
final class ManagedFieldsTests: XCTestCase {
    let cms = "/api/v1/namespaces/default/configmaps"

    func entries(_ obj: JSONValue) -> [JSONValue] { obj["metadata"]?["managedFields"]?.arrayValue ?? [] }

    func testCreateAndUpdateRecordTheirManagers() async throws {
        let h = try await Harness()
        let created = try h.call("POST", cms + "?fieldManager=kubectl-create", json: configMap("c", labels: ["app": "web"]))
        XCTAssertEqual(created.status, 201)
        let e = try XCTUnwrap(entries(created.json).first)
        XCTAssertEqual(e["manager"], "kubectl-create")
        XCTAssertEqual(e["operation"], "Update")
        XCTAssertEqual(e["apiVersion"], "v1")
        XCTAssertEqual(e["fieldsType"], "FieldsV1")
        XCTAssertNotNil(e["time"]?.stringValue)
        XCTAssertNil(e["subresource"])
        XCTAssertEqual(e["fieldsV1"], ["f:data": [".": [:], "f:k": [:]], "f:metadata": ["f:labels": [".": [:], "f:app": [:]]]])

        // Without ?fieldManager the User-Agent's program name is the manager; it takes the
        // field it changed from the first manager.
        let patched = try h.call("PATCH", cms + "/c", json: ["data": ["k": "v2", "n": "1"]], contentType: EmulatorCore.mergePatch,
                                 headers: ["User-Agent": "kreconcile/0.1 (linux)"])
        XCTAssertEqual(patched.status, 200)
        let byManager = Dictionary(uniqueKeysWithValues: entries(patched.json).map { ($0["manager"]?.stringValue ?? "", $0) })
        XCTAssertEqual(byManager["kreconcile"]?["fieldsV1"], ["f:data": ["f:k": [:], "f:n": [:]]])
        XCTAssertEqual(byManager["kubectl-create"]?["fieldsV1"], ["f:data": [:], "f:metadata": ["f:labels": [".": [:], "f:app": [:]]]])
        await h.stop()
    }

    func testPodsCarryDefaultedFieldsAndAStatusEntry() async throws {
        let h = try await Harness(.init(controllers: .manual))
        try h.emulator.seed(["apiVersion": "v1", "kind": "Node", "metadata": ["name": "node-1"]])
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "labels": ["app": "web"]],
                              "spec": ["nodeName": "node-1", "containers": [["name": "c", "image": "nginx:1.27", "ports": [["containerPort": 80]]]]]]
        let created = try h.call("POST", "/api/v1/namespaces/default/pods?fieldManager=kubectl-run", json: pod)
        XCTAssertEqual(created.status, 201, created.text)
        let spec = try XCTUnwrap(entries(created.json).first?["fieldsV1"]?["f:spec"])
        let container = try XCTUnwrap(spec["f:containers"]?[#"k:{"name":"c"}"#])
        XCTAssertNotNil(container["f:imagePullPolicy"])
        XCTAssertNotNil(container["f:ports"]?[#"k:{"containerPort":80,"protocol":"TCP"}"#]?["f:protocol"])
        XCTAssertEqual(container["f:resources"], [:])
        XCTAssertNotNil(spec["f:enableServiceLinks"])
        XCTAssertNil(spec["f:tolerations"], "admission's additions belong to no manager")
        XCTAssertNil(spec["f:serviceAccountName"])
        h.emulator.settle()
        let running = try XCTUnwrap(h.emulator.object("pods", namespace: "default", name: "p"))
        let kubelet = try XCTUnwrap(entries(running).first { $0["manager"] == "kubelet" })
        XCTAssertEqual(kubelet["subresource"], "status")
        XCTAssertNotNil(kubelet["fieldsV1"]?["f:status"]?["f:phase"])
        let size = entries(running).reduce(0) { $0 + $1.jsonData().count }
        XCTAssertGreaterThan(size, 1000, "real pods carry 1-3 KB of managedFields")
        await h.stop()
    }

    func testServerSideApplyCreatesConflictsAndForces() async throws {
        let h = try await Harness()
        let apply = "application/apply-patch+yaml"
        let doc = Data("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: one\n  j: same\n".utf8)
        let created = try h.call("PATCH", cms + "/a?fieldManager=tool-a", raw: doc, contentType: apply)
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(entries(created.json).first?["operation"], "Apply")
        XCTAssertEqual(entries(created.json).first?["manager"], "tool-a")
        XCTAssertEqual(try h.call("PATCH", cms + "/a?fieldManager=tool-a", raw: doc, contentType: apply).status, 200)

        // Same value: shared, no conflict. Different value: one cause per field.
        let same = Data("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  j: same\n".utf8)
        XCTAssertEqual(try h.call("PATCH", cms + "/a?fieldManager=tool-b", raw: same, contentType: apply).status, 200)
        let other = Data("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: two\n  j: same\n".utf8)
        let conflict = try h.call("PATCH", cms + "/a?fieldManager=tool-b", raw: other, contentType: apply)
        XCTAssertEqual(conflict.status, 409, conflict.text)
        XCTAssertEqual(conflict.json["reason"], "Conflict")
        XCTAssertEqual(conflict.json["message"], #"Apply failed with 1 conflict: conflict with "tool-a": .data.k"#)
        let causes = conflict.json["details"]?["causes"]?.arrayValue ?? []
        XCTAssertEqual(causes.count, 1)
        XCTAssertEqual(causes.first?["field"], ".data.k")
        XCTAssertEqual(causes.first?["reason"], "FieldManagerConflict")
        XCTAssertEqual(causes.first?["message"], #"conflict with "tool-a""#)

        // An Update manager's field conflicts too, named with its apiVersion.
        XCTAssertEqual(try h.call("PATCH", cms + "/a?fieldManager=editor", json: ["data": ["e": "x"]], contentType: EmulatorCore.mergePatch).status, 200)
        let two = Data("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: two\n  e: y\n".utf8)
        let both = try h.call("PATCH", cms + "/a?fieldManager=tool-b", raw: two, contentType: apply)
        XCTAssertEqual(both.status, 409)
        XCTAssertEqual(both.json["message"], "Apply failed with 2 conflicts: conflicts with \"editor\" using v1:\n- .data.e\nconflicts with \"tool-a\":\n- .data.k")

        let forced = try h.call("PATCH", cms + "/a?fieldManager=tool-b&force=true", raw: other, contentType: apply)
        XCTAssertEqual(forced.status, 200, forced.text)
        XCTAssertEqual(forced.json["data"]?["k"], "two")
        let owners = Dictionary(uniqueKeysWithValues: entries(forced.json).map { ($0["manager"]?.stringValue ?? "", $0["fieldsV1"] ?? .null) })
        XCTAssertNil(owners["tool-a"]?["f:data"]?["f:k"], "forcing takes the field")
        XCTAssertNotNil(owners["tool-a"]?["f:data"]?["f:j"], "shared fields stay shared")
        XCTAssertNotNil(owners["tool-b"]?["f:data"]?["f:k"])

        // Dropping a field from the applied configuration removes it when nobody else owns it.
        let fewer = Data("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  j: same\n".utf8)
        let pruned = try h.call("PATCH", cms + "/a?fieldManager=tool-b", raw: fewer, contentType: apply)
        XCTAssertEqual(pruned.status, 200)
        XCTAssertNil(pruned.json["data"]?["k"])
        XCTAssertEqual(pruned.json["data"]?["e"], "x")
        await h.stop()
    }

    func testApplyMergesKeyedListsByKey() throws {
        let live: JSONValue = ["spec": ["containers": [["name": "a", "image": "x:1", "env": [["name": "E", "value": "1"]]], ["name": "b", "image": "y:1"]]]]
        let applied: JSONValue = ["spec": ["containers": [["name": "a", "image": "x:2"]]]]
        let merged = FieldSet.merge(live, applied, field: "", builtIn: true)
        XCTAssertEqual(merged["spec"]?["containers"]?[0]?["image"], "x:2")
        XCTAssertEqual(merged["spec"]?["containers"]?[0]?["env"]?[0]?["value"], "1")
        XCTAssertEqual(merged["spec"]?["containers"]?[1]?["name"], "b")
        XCTAssertEqual(FieldSet.describe(["f:spec", "f:containers", #"k:{"name":"a"}"#, "f:image"]), #".spec.containers[name="a"].image"#)
    }
}
