import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// deployments/scale, replicasets/scale and statefulsets/scale as autoscaling/v1 Scale
/// (ScaleREST in pkg/registry/apps/*/storage/storage.go, Kubernetes 1.32).
final class ScaleSubresourceTests: XCTestCase {
    private let path = "/apis/apps/v1/namespaces/default/deployments/web"

    func testGetScaleOfEachAppsKind() async throws {
        let h = try await Harness()
        XCTAssertEqual(try h.post("/apis/apps/v1/namespaces/default/deployments", deployment("web")).status, 201)
        var rs = deployment("rs")
        rs["kind"] = "ReplicaSet"
        rs["spec"]?["replicas"] = 0
        XCTAssertEqual(try h.post("/apis/apps/v1/namespaces/default/replicasets", rs).status, 201)
        var sts = deployment("db")
        sts["kind"] = "StatefulSet"
        sts["spec"]?["serviceName"] = "db"
        XCTAssertEqual(try h.post("/apis/apps/v1/namespaces/default/statefulsets", sts).status, 201)

        let d = try h.get(path)
        let scale = try h.get(path + "/scale")
        XCTAssertEqual(scale.status, 200, scale.text)
        XCTAssertEqual(scale.json["kind"], "Scale")
        XCTAssertEqual(scale.json["apiVersion"], "autoscaling/v1")
        XCTAssertEqual(scale.json["metadata"]?["uid"], d.json["metadata"]?["uid"])
        XCTAssertEqual(scale.json["metadata"]?["resourceVersion"], d.json["metadata"]?["resourceVersion"])
        XCTAssertEqual(scale.json["spec"], ["replicas": 1])
        XCTAssertEqual(scale.json["status"], ["replicas": 0, "selector": "app=web"])

        let rsScale = try h.get("/apis/apps/v1/namespaces/default/replicasets/rs/scale")
        XCTAssertEqual(rsScale.json["spec"], [:], "autoscaling/v1 omits zero replicas")
        XCTAssertEqual(try h.get("/apis/apps/v1/namespaces/default/statefulsets/db/scale").json["spec"]?["replicas"], 1)
        XCTAssertEqual(try h.get("/apis/apps/v1/namespaces/default/deployments/nope/scale").status, 404)
        XCTAssertEqual(try h.get("/api/v1/namespaces/default/configmaps/x/scale").status, 404, "only the apps kinds have scale")
        await h.stop()
    }

    func testPutAndPatchScaleChangeReplicasWithPreconditions() async throws {
        let h = try await Harness()
        XCTAssertEqual(try h.post("/apis/apps/v1/namespaces/default/deployments", deployment("web")).status, 201)
        var scale = try h.get(path + "/scale").json
        let staleRV = scale["metadata"]?["resourceVersion"]
        scale["spec"] = ["replicas": 3]
        let put = try h.put(path + "/scale", scale)
        XCTAssertEqual(put.status, 200, put.text)
        XCTAssertEqual(put.json["kind"], "Scale")
        XCTAssertEqual(put.json["spec"]?["replicas"], 3)
        let stored = try h.get(path).json
        XCTAssertEqual(stored["spec"]?["replicas"], 3)
        XCTAssertEqual(stored["metadata"]?["generation"], 2)
        XCTAssertEqual(put.json["metadata"]?["resourceVersion"], stored["metadata"]?["resourceVersion"])
        let entry = (stored["metadata"]?["managedFields"]?.arrayValue ?? []).first { $0["subresource"] == "scale" }
        XCTAssertEqual(entry?["operation"], "Update")
        XCTAssertNotNil(entry?["fieldsV1"]?["f:spec"]?["f:replicas"])

        // The stale resourceVersion is the storage precondition: 409.
        scale["spec"] = ["replicas": 5]
        scale["metadata"]?["resourceVersion"] = staleRV
        let stale = try h.put(path + "/scale", scale)
        XCTAssertEqual(stale.status, 409, stale.text)
        XCTAssertEqual(stale.json["reason"], "Conflict")

        let merge = try h.patch(path + "/scale", ["spec": ["replicas": 6]], type: "application/merge-patch+json")
        XCTAssertEqual(merge.status, 200, merge.text)
        XCTAssertEqual(merge.json["spec"]?["replicas"], 6)
        let json = try h.patch(path + "/scale", [["op": "replace", "path": "/spec/replicas", "value": 2]], type: "application/json-patch+json")
        XCTAssertEqual(json.json["spec"]?["replicas"], 2)
        XCTAssertEqual(try h.get(path).json["spec"]?["replicas"], 2)

        // ValidateScale: 422 on Scale.autoscaling.
        let negative = try h.patch(path + "/scale", ["spec": ["replicas": -1]], type: "application/merge-patch+json")
        XCTAssertEqual(negative.status, 422, negative.text)
        XCTAssertEqual(negative.json["message"], "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0")
        XCTAssertEqual(negative.json["details"]?["causes"]?[0]?["field"], "spec.replicas")

        let dry = try h.patch(path + "/scale?dryRun=All", ["spec": ["replicas": 9]], type: "application/merge-patch+json")
        XCTAssertEqual(dry.json["spec"]?["replicas"], 9)
        XCTAssertEqual(try h.get(path).json["spec"]?["replicas"], 2, "dry run writes nothing")
        await h.stop()
    }

    func testKubectlScaleUsesTheSubresource() async throws {
        let k = try await KubectlHarness()
        try await k.ok(["apply", "-f", "-"], stdin: KubectlFixtures.deploymentYAML)
        let r = try await k.ok(["scale", "deployment/web", "--replicas=4"])
        XCTAssertTrue(r.stdout.contains("deployment.apps/web scaled"), r.stdout)
        XCTAssertEqual(k.emulator.object("deployments", namespace: "default", name: "web")?["spec"]?["replicas"], 4)
        XCTAssertFalse(k.requests(resource: "deployments/scale").isEmpty, "kubectl scale goes through deployments/scale")
        await k.stop()
    }
}
