import KubeClient
import XCTest

@testable import KubeEmulator

final class CRUDTests: XCTestCase {
    let cms = "/api/v1/namespaces/default/configmaps"

    func testCreateGetAndNotFoundStatus() async throws {
        let h = try await Harness()
        let created = try h.post(cms, configMap("a"))
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.json["kind"], "ConfigMap")
        XCTAssertEqual(created.json["apiVersion"], "v1")
        XCTAssertNotNil(created.json["metadata"]?["uid"]?.stringValue)
        XCTAssertNotNil(created.json["metadata"]?["creationTimestamp"]?.stringValue)
        let got = try h.get(cms + "/a")
        XCTAssertEqual(got.status, 200)
        XCTAssertEqual(got.json["data"]?["k"], "v")
        XCTAssertEqual(got.json["metadata"]?["resourceVersion"], created.json["metadata"]?["resourceVersion"])

        let missing = try h.get("/api/v1/namespaces/default/pods/x")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.json, try JSONValue.parse(Data(#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}"#.utf8)))
        let missingDeploy = try h.get("/apis/apps/v1/namespaces/default/deployments/d")
        XCTAssertEqual(missingDeploy.json["message"], "deployments.apps \"d\" not found")
        XCTAssertEqual(missingDeploy.json["details"], ["name": "d", "group": "apps", "kind": "deployments"])
        await h.stop()
    }

    func testCreateErrors() async throws {
        let h = try await Harness()
        XCTAssertEqual(try h.post(cms, configMap("a")).status, 201)
        let dup = try h.post(cms, configMap("a"))
        XCTAssertEqual(dup.status, 409)
        XCTAssertEqual(dup.json["reason"], "AlreadyExists")
        XCTAssertEqual(dup.json["message"], "configmaps \"a\" already exists")
        let dupDeploy = try h.post("/apis/apps/v1/namespaces/default/deployments", deployment("d"))
        XCTAssertEqual(dupDeploy.status, 201)
        let dup2 = try h.post("/apis/apps/v1/namespaces/default/deployments", deployment("d"))
        XCTAssertEqual(dup2.json["message"], "deployments.apps \"d\" already exists")
        XCTAssertEqual(dup2.json["details"], ["name": "d", "group": "apps", "kind": "deployments"])

        let noNS = try h.post("/api/v1/namespaces/nope/configmaps", configMap("a", namespace: "nope"))
        XCTAssertEqual(noNS.status, 404)
        XCTAssertEqual(noNS.json["message"], "namespaces \"nope\" not found")

        let wrongKind = try h.post(cms, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"]])
        XCTAssertEqual(wrongKind.status, 400)
        XCTAssertEqual(wrongKind.json["reason"], "BadRequest")
        let wrongVersion = try h.post("/apis/apps/v1/namespaces/default/deployments", ["apiVersion": "apps/v1beta2", "kind": "Deployment", "metadata": ["name": "x"]])
        XCTAssertEqual(wrongVersion.status, 400)
        XCTAssertEqual(wrongVersion.json["message"], "the API version in the data (apps/v1beta2) does not match the expected API version (apps/v1)")

        let noName = try h.post(cms, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": [:]])
        XCTAssertEqual(noName.status, 422)
        XCTAssertEqual(noName.json["reason"], "Invalid")
        XCTAssertEqual(noName.json["message"], "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required")
        XCTAssertEqual(noName.json["details"]?["causes"], [["reason": "FieldValueRequired", "message": "Required value: name or generateName is required", "field": "metadata.name"]])

        let malformed = try h.call("POST", cms, raw: Data("{not json".utf8))
        XCTAssertEqual(malformed.status, 400)
        XCTAssertEqual(malformed.json["reason"], "BadRequest")

        let generated = try h.post(cms, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "gen-"]])
        XCTAssertEqual(generated.status, 201)
        let name = generated.json["metadata"]?["name"]?.stringValue ?? ""
        XCTAssertTrue(name.hasPrefix("gen-") && name.count == 9, name)
        XCTAssertEqual(try h.get(cms + "/" + name).status, 200)
        await h.stop()
    }

    func testResourceVersionIncreasesAndGenerationTracksSpec() async throws {
        let h = try await Harness()
        let path = "/apis/apps/v1/namespaces/default/deployments"
        let created = try h.post(path, deployment("d"))
        XCTAssertEqual(created.json["metadata"]?["generation"], 1)
        let rv1 = Int(created.json["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0

        var labelled = created.json
        labelled["metadata"]?["labels"] = ["x": "y"]
        let afterLabel = try h.put(path + "/d", labelled)
        XCTAssertEqual(afterLabel.status, 200)
        XCTAssertEqual(afterLabel.json["metadata"]?["generation"], 1, "metadata changes keep generation")
        let rv2 = Int(afterLabel.json["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0
        XCTAssertGreaterThan(rv2, rv1)

        var scaled = afterLabel.json
        scaled["spec"]?["replicas"] = 3
        let afterScale = try h.put(path + "/d", scaled)
        XCTAssertEqual(afterScale.json["metadata"]?["generation"], 2)
        let rv3 = Int(afterScale.json["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0
        XCTAssertGreaterThan(rv3, rv2)

        // An update that changes nothing does not write: same resourceVersion.
        let noop = try h.put(path + "/d", afterScale.json)
        XCTAssertEqual(noop.json["metadata"]?["resourceVersion"], afterScale.json["metadata"]?["resourceVersion"])
        // Other kinds share one counter.
        let cm = try h.post(cms, configMap("c"))
        XCTAssertGreaterThan(Int(cm.json["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0, rv3)
        XCTAssertNil(cm.json["metadata"]?["generation"], "ConfigMaps have no spec and no generation")
        await h.stop()
    }

    func testUpdateErrors() async throws {
        let h = try await Harness()
        let created = try h.post("/apis/apps/v1/namespaces/default/deployments", deployment("d")).json
        var stale = created
        stale["metadata"]?["resourceVersion"] = "1"
        let conflict = try h.put("/apis/apps/v1/namespaces/default/deployments/d", stale)
        XCTAssertEqual(conflict.status, 409)
        XCTAssertEqual(conflict.json["reason"], "Conflict")
        XCTAssertEqual(conflict.json["message"], "Operation cannot be fulfilled on deployments.apps \"d\": the object has been modified; please apply your changes to the latest version and try again")

        var noRV = created
        noRV["metadata"]?["resourceVersion"] = nil
        noRV["spec"]?["replicas"] = 5
        XCTAssertEqual(try h.put("/apis/apps/v1/namespaces/default/deployments/d", noRV).status, 200, "built-ins allow unconditional update")

        let missing = try h.put(cms + "/ghost", configMap("ghost"))
        XCTAssertEqual(missing.status, 404)
        let renamed = try h.put(cms + "/other", configMap("a"))
        XCTAssertEqual(renamed.status, 400)
        XCTAssertEqual(renamed.json["message"], "the name of the object (a) does not match the name on the URL (other)")

        var wrongUID = created
        wrongUID["metadata"]?["uid"] = "00000000-0000-0000-0000-000000000000"
        let uidConflict = try h.put("/apis/apps/v1/namespaces/default/deployments/d", wrongUID)
        XCTAssertEqual(uidConflict.status, 409)
        XCTAssertTrue(uidConflict.json["message"]?.stringValue?.contains("Precondition failed: UID in precondition: 00000000") ?? false)

        // Custom resources need a resourceVersion on PUT.
        h.emulator.register(widgetType)
        let w = try h.post("/apis/example.com/v1/namespaces/default/widgets", widget("w")).json
        var wNoRV = w
        wNoRV["metadata"]?["resourceVersion"] = nil
        let invalid = try h.put("/apis/example.com/v1/namespaces/default/widgets/w", wNoRV)
        XCTAssertEqual(invalid.status, 422)
        XCTAssertEqual(invalid.json["message"], "widgets.example.com \"w\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update")
        XCTAssertEqual(try h.put("/apis/example.com/v1/namespaces/default/widgets/w", w).status, 200)
        await h.stop()
    }

    func testDryRunPersistsNothing() async throws {
        let h = try await Harness()
        let before = h.emulator.resourceVersion
        let dry = try h.post(cms + "?dryRun=All", configMap("dry"))
        XCTAssertEqual(dry.status, 201)
        XCTAssertNotNil(dry.json["metadata"]?["uid"]?.stringValue)
        XCTAssertNotNil(dry.json["metadata"]?["creationTimestamp"]?.stringValue)
        XCTAssertNil(dry.json["metadata"]?["resourceVersion"])
        XCTAssertEqual(try h.get(cms + "/dry").status, 404)
        XCTAssertEqual(h.emulator.resourceVersion, before)

        let real = try h.post(cms, configMap("c")).json
        let rv = h.emulator.resourceVersion
        XCTAssertEqual(try h.patch(cms + "/c?dryRun=All", ["data": ["k": "changed"]], type: "application/merge-patch+json").json["data"]?["k"], "changed")
        XCTAssertEqual(try h.delete(cms + "/c?dryRun=All").status, 200)
        var edited = real
        edited["data"] = ["k": "put"]
        XCTAssertEqual(try h.put(cms + "/c?dryRun=All", edited).status, 200)
        XCTAssertEqual(h.emulator.resourceVersion, rv)
        XCTAssertEqual(h.emulator.object("configmaps", namespace: "default", name: "c")?["data"]?["k"], "v")

        let bad = try h.post(cms + "?dryRun=Maybe", configMap("x"))
        XCTAssertEqual(bad.status, 422)
        XCTAssertEqual(bad.json["message"], "CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"Maybe\"}: supported values: \"All\"")
        await h.stop()
    }

    func testDeleteAnswersAndPreconditions() async throws {
        let h = try await Harness()
        let cm = try h.post(cms, configMap("a")).json
        let uid = cm["metadata"]?["uid"]?.stringValue ?? ""
        let badUID = try h.delete(cms + "/a", ["kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["uid": "wrong"]])
        XCTAssertEqual(badUID.status, 409)
        XCTAssertEqual(badUID.json["message"], .string("Operation cannot be fulfilled on ConfigMap \"a\": the UID in the precondition (wrong) does not match the UID in record (\(uid)). The object might have been deleted and then recreated"))
        let badRV = try h.delete(cms + "/a", ["preconditions": ["resourceVersion": "1"]])
        XCTAssertEqual(badRV.status, 409)
        XCTAssertTrue(badRV.json["message"]?.stringValue?.contains("the ResourceVersion in the precondition (1) does not match the ResourceVersion in record") ?? false)

        let ok = try h.delete(cms + "/a", ["preconditions": ["uid": .string(uid)], "propagationPolicy": "Background"])
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(ok.json, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                                 "details": ["name": "a", "kind": "configmaps", "uid": .string(uid)]])
        XCTAssertEqual(try h.delete(cms + "/a").status, 404)

        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["containers": [["name": "c", "image": "i"]]]]
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/pods", pod).status, 201)
        let podDelete = try h.delete("/api/v1/namespaces/default/pods/p", ["gracePeriodSeconds": 0])
        XCTAssertEqual(podDelete.status, 200)
        XCTAssertEqual(podDelete.json["kind"], "Pod", "a pod delete answers the object")
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "p"))
        await h.stop()
    }

    func testFinalizersHoldDeletionUntilRemoved() async throws {
        let h = try await Harness()
        var cm = configMap("f")
        cm["metadata"]?["finalizers"] = ["example.com/hold"]
        XCTAssertEqual(try h.post(cms, cm).status, 201)
        let pending = try h.delete(cms + "/f")
        XCTAssertEqual(pending.status, 200)
        XCTAssertNotNil(pending.json["metadata"]?["deletionTimestamp"]?.stringValue)
        XCTAssertEqual(try h.get(cms + "/f").status, 200)
        let released = try h.patch(cms + "/f", ["metadata": ["finalizers": nil]], type: "application/merge-patch+json")
        XCTAssertEqual(released.status, 200)
        XCTAssertEqual(try h.get(cms + "/f").status, 404)
        await h.stop()
    }

    func testEviction() async throws {
        let h = try await Harness()
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["containers": [["name": "c", "image": "i"]]]]
        let created = try h.post("/api/v1/namespaces/default/pods", pod).json
        let eviction: JSONValue = ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "p", "namespace": "default"]]
        var dry = eviction
        dry["deleteOptions"] = ["dryRun": ["All"]]
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/pods/p/eviction", dry).status, 201)
        XCTAssertNotNil(h.emulator.object("pods", namespace: "default", name: "p"))
        var stale = eviction
        stale["deleteOptions"] = ["preconditions": ["uid": "other"]]
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/pods/p/eviction", stale).status, 409)
        var matching = eviction
        matching["deleteOptions"] = ["preconditions": ["uid": created["metadata"]?["uid"] ?? .null]]
        let evicted = try h.post("/api/v1/namespaces/default/pods/p/eviction", matching)
        XCTAssertEqual(evicted.status, 201)
        XCTAssertEqual(evicted.json, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "p"))
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/pods/p/eviction", eviction).status, 404)
        await h.stop()
    }

    func testSeedAndStatusSubresource() async throws {
        let h = try await Harness()
        try h.emulator.seed(yamlOrJSON: """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: apps/v1
              kind: Deployment
              metadata: {name: web, namespace: default, resourceVersion: "500"}
              spec: {replicas: 2, selector: {matchLabels: {app: web}},
                     template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: nginx}]}}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: seeded
              creationTimestamp: 2024-01-02T03:04:05Z
            data: {enabled: "true"}
            """)
        XCTAssertEqual(h.emulator.object("deployments.apps", namespace: "default", name: "web")?["spec"]?["replicas"], 2)
        let seeded = h.emulator.object("configmaps", namespace: "default", name: "seeded")
        XCTAssertEqual(seeded?["metadata"]?["creationTimestamp"], "2024-01-02T03:04:05Z")
        XCTAssertGreaterThan(Int(seeded?["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? 0, 500)

        let status = try h.patch("/apis/apps/v1/namespaces/default/deployments/web/status",
                                 ["status": ["observedGeneration": 1], "spec": ["replicas": 9]], type: "application/merge-patch+json")
        XCTAssertEqual(status.status, 200)
        XCTAssertEqual(status.json["status"]?["observedGeneration"], 1)
        XCTAssertEqual(status.json["spec"]?["replicas"], 2, "a status write ignores spec")
        let main = try h.patch("/apis/apps/v1/namespaces/default/deployments/web",
                               ["status": ["observedGeneration": 7]], type: "application/merge-patch+json")
        XCTAssertEqual(main.json["status"]?["observedGeneration"], 1, "a main-resource write ignores status")
        XCTAssertThrowsError(try h.emulator.seed(["apiVersion": "nope/v1", "kind": "Thing", "metadata": ["name": "x"]]))
        await h.stop()
    }
}
