import KubeClient
import XCTest

@testable import KubeEmulator

final class PatchTests: XCTestCase {
    let deploys = "/apis/apps/v1/namespaces/default/deployments"

    func testJSONPatchOpsAndFailures() async throws {
        let h = try await Harness()
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("c", data: ["a": "1", "b": "2"]))
        let path = "/api/v1/namespaces/default/configmaps/c"
        let ok = try h.patch(path, [
            ["op": "test", "path": "/data/a", "value": "1"],
            ["op": "replace", "path": "/data/a", "value": "10"],
            ["op": "add", "path": "/data/c", "value": "3"],
            ["op": "remove", "path": "/data/b"],
            ["op": "copy", "from": "/data/c", "path": "/data/d"],
            ["op": "move", "from": "/data/d", "path": "/data/e"],
            ["op": "add", "path": "/metadata/labels", "value": ["x~y/z": "1"]],
        ], type: "application/json-patch+json")
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(ok.json["data"], ["a": "10", "c": "3", "e": "3"])
        XCTAssertEqual(ok.json["metadata"]?["labels"]?["x~y/z"], "1")
        let labelPatch = try h.patch(path, [["op": "remove", "path": "/metadata/labels/x~0y~1z"]], type: "application/json-patch+json")
        XCTAssertEqual(labelPatch.json["metadata"]?["labels"], [:])

        let generic: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                                  "message": "the server rejected our request due to an error in our request",
                                  "reason": "Invalid", "details": [:], "code": 422]
        let failedTest = try h.patch(path, [["op": "test", "path": "/data/a", "value": "wrong"]], type: "application/json-patch+json")
        XCTAssertEqual(failedTest.status, 422)
        XCTAssertEqual(failedTest.json, generic)
        XCTAssertEqual(try h.patch(path, [["op": "remove", "path": "/data/missing"]], type: "application/json-patch+json").status, 422)
        XCTAssertEqual(try h.patch(path, [["op": "frobnicate", "path": "/data/a"]], type: "application/json-patch+json").status, 422)
        XCTAssertEqual(try h.patch(path, ["not": "a list"], type: "application/json-patch+json").status, 400)
        XCTAssertEqual(h.emulator.object("configmaps", namespace: "default", name: "c")?["data"]?["a"], "10", "failed patches change nothing")
        await h.stop()
    }

    func testMergePatchAndPreconditions() async throws {
        let h = try await Harness()
        let created = try h.post(deploys, deployment("d")).json
        let merged = try h.patch(deploys + "/d", ["metadata": ["labels": ["tier": "web"]], "spec": ["replicas": 4, "paused": nil]],
                                 type: "application/merge-patch+json")
        XCTAssertEqual(merged.status, 200)
        XCTAssertEqual(merged.json["metadata"]?["labels"]?["tier"], "web")
        XCTAssertEqual(merged.json["spec"]?["replicas"], 4)
        XCTAssertEqual(merged.json["metadata"]?["generation"], 2)
        // Merge patch replaces lists whole.
        let replaced = try h.patch(deploys + "/d", ["spec": ["template": ["spec": ["containers": [["name": "other", "image": "x"]]]]]],
                                   type: "application/merge-patch+json")
        XCTAssertEqual(replaced.json["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.count, 1)
        XCTAssertEqual(replaced.json["spec"]?["template"]?["spec"]?["containers"]?[0]?["name"], "other")

        let stale = try h.patch(deploys + "/d", ["metadata": ["resourceVersion": created["metadata"]?["resourceVersion"] ?? .null], "spec": ["replicas": 1]],
                                type: "application/merge-patch+json")
        XCTAssertEqual(stale.status, 409)
        XCTAssertEqual(stale.json["reason"], "Conflict")
        let uid = try h.patch(deploys + "/d", ["metadata": ["uid": "other"]], type: "application/merge-patch+json")
        XCTAssertEqual(uid.status, 422)
        XCTAssertEqual(uid.json["message"], "Deployment.apps \"d\" is invalid: metadata.uid: Invalid value: \"other\": field is immutable")
        XCTAssertEqual(try h.patch(deploys + "/ghost", ["spec": [:]], type: "application/merge-patch+json").status, 404)
        await h.stop()
    }

    func testStrategicMergeByKeyAndDirectives() async throws {
        let h = try await Harness()
        _ = try h.post(deploys, deployment("d"))
        let patched = try h.patch(deploys + "/d", ["spec": ["template": [
            "metadata": ["annotations": ["kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"]],
            "spec": ["containers": [
                ["name": "app", "image": "nginx:2", "env": [["name": "B", "value": "20"], ["name": "C", "value": "3"], ["name": "A", "$patch": "delete"]]],
                ["name": "sidecar", "image": "busybox"],
            ]],
        ]]], type: "application/strategic-merge-patch+json")
        XCTAssertEqual(patched.status, 200)
        let containers = patched.json["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
        XCTAssertEqual(containers.map { $0["name"] }, ["app", "sidecar"])
        XCTAssertEqual(containers.first?["image"], "nginx:2")
        XCTAssertEqual(containers.first?["env"], [["name": "B", "value": "20"], ["name": "C", "value": "3"]])
        XCTAssertEqual(patched.json["spec"]?["template"]?["metadata"]?["annotations"]?["kubectl.kubernetes.io/restartedAt"], "2026-01-01T00:00:00Z")
        XCTAssertEqual(patched.json["spec"]?["template"]?["metadata"]?["labels"]?["app"], "d", "maps merge")

        let deleted = try h.patch(deploys + "/d", ["spec": ["template": ["spec": ["containers": [["name": "sidecar", "$patch": "delete"]]]]]],
                                  type: "application/strategic-merge-patch+json")
        XCTAssertEqual(deleted.json["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.map { $0["name"] }, ["app"])

        let replaced = try h.patch(deploys + "/d", ["spec": ["template": ["spec": ["containers": [["$patch": "replace"], ["name": "only", "image": "x"]]]]]],
                                   type: "application/strategic-merge-patch+json")
        XCTAssertEqual(replaced.json["spec"]?["template"]?["spec"]?["containers"],
                       [["name": "only", "image": "x", "imagePullPolicy": "Always", "resources": [:],
                         "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"]], "replaced, then defaulted")

        _ = try h.patch(deploys + "/d", ["metadata": ["finalizers": ["a", "b"]]], type: "application/merge-patch+json")
        let finalizers = try h.patch(deploys + "/d", ["metadata": ["finalizers": ["c"], "$deleteFromPrimitiveList/finalizers": ["a"]]],
                                     type: "application/strategic-merge-patch+json")
        XCTAssertEqual(finalizers.json["metadata"]?["finalizers"], ["b", "c"])
        await h.stop()
    }

    func testUnsupportedPatchTypes() async throws {
        let h = try await Harness()
        _ = try h.post(deploys, deployment("d"))
        let plain = try h.patch(deploys + "/d", ["spec": [:]], type: "application/json")
        XCTAssertEqual(plain.status, 415)
        XCTAssertEqual(plain.json["reason"], "UnsupportedMediaType")
        XCTAssertEqual(plain.json["message"], "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml")

        h.emulator.register(widgetType)
        _ = try h.post("/apis/example.com/v1/namespaces/default/widgets", widget("w"))
        let smp = try h.patch("/apis/example.com/v1/namespaces/default/widgets/w", ["spec": ["size": 2]], type: "application/strategic-merge-patch+json")
        XCTAssertEqual(smp.status, 415)
        XCTAssertEqual(smp.json["message"], "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
        let merge = try h.patch("/apis/example.com/v1/namespaces/default/widgets/w", ["spec": ["size": 2]], type: "application/merge-patch+json")
        XCTAssertEqual(merge.status, 200)
        XCTAssertEqual(merge.json["metadata"]?["generation"], 2)
        await h.stop()
    }
}

/// Pure-function checks of the patch and selector engines.
final class EngineTests: XCTestCase {
    func testStrategicSetElementOrderAndRetainKeys() throws {
        let original: JSONValue = ["containers": [["name": "a"], ["name": "b"]], "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1]]]
        let patch: JSONValue = ["$setElementOrder/containers": [["name": "b"], ["name": "a"]], "containers": [["name": "b", "image": "x"]],
                                "strategy": ["$retainKeys": ["type"], "type": "Recreate"]]
        let result = try StrategicMergePatch.apply(patch, to: original)
        XCTAssertEqual(result["containers"], [["name": "b", "image": "x"], ["name": "a"]])
        XCTAssertEqual(result["strategy"], ["type": "Recreate"])
    }

    func testLabelSelectorForms() throws {
        let labels = ["app": "web", "tier": "front"]
        func m(_ s: String) throws -> Bool { try LabelSelector(parsing: s).matches(labels) }
        XCTAssertTrue(try m("app=web"))
        XCTAssertTrue(try m("app==web,tier"))
        XCTAssertFalse(try m("app!=web"))
        XCTAssertTrue(try m("!missing"))
        XCTAssertFalse(try m("!app"))
        XCTAssertTrue(try m("tier in (front, back)"))
        XCTAssertFalse(try m("tier notin (front,back)"))
        XCTAssertTrue(try m("missing notin (x)"))
        XCTAssertThrowsError(try LabelSelector(parsing: "a b c"))
    }

    func testGlob() {
        XCTAssertTrue(FaultRule.glob("web-*", matches: "web-1"))
        XCTAssertTrue(FaultRule.glob("*-db-*", matches: "a-db-b"))
        XCTAssertFalse(FaultRule.glob("web-*", matches: "api-1"))
    }
}
