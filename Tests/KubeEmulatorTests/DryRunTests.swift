import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// dryRun=All on every write: the real answer, full validation and admission, nothing
/// stored, no resourceVersion consumed.
final class DryRunTests: XCTestCase {
    let cms = "/api/v1/namespaces/default/configmaps"
    let pods = "/api/v1/namespaces/default/pods"

    func testEveryWriteVerbInDryRun() async throws {
        let h = try await Harness()
        h.emulator.addAdmissionHook(.kubearmor())
        XCTAssertEqual(try h.post(cms, configMap("a", labels: ["tier": "x"])).status, 201)
        XCTAssertEqual(try h.post(cms, configMap("b", labels: ["tier": "x"])).status, 201)
        let rv = h.emulator.resourceVersion
        let unchanged = h.emulator.objects("configmaps", namespace: "default")

        // create: 201, uid and creationTimestamp, no resourceVersion; admission ran.
        let created = try h.post(pods + "?dryRun=All", runningPod("new", nodeName: nil))
        XCTAssertEqual(created.status, 201)
        XCTAssertNotNil(created.json["metadata"]?["uid"]?.stringValue)
        XCTAssertNil(created.json["metadata"]?["resourceVersion"])
        XCTAssertEqual(created.json["metadata"]?["annotations"]?["container.apparmor.security.beta.kubernetes.io/c"], "localhost/kubearmor-default-new-c")
        XCTAssertEqual(try h.post(cms + "?dryRun=All", configMap("a")).status, 409, "validation still runs")

        // update and the three patch types.
        var edited = try h.get(cms + "/a").json
        edited["data"] = ["k": "put"]
        let put = try h.put(cms + "/a?dryRun=All", edited)
        XCTAssertEqual(put.status, 200)
        XCTAssertEqual(put.json["data"]?["k"], "put")
        XCTAssertEqual(try h.patch(cms + "/a?dryRun=All", [["op": "replace", "path": "/data/k", "value": "j"]], type: "application/json-patch+json").json["data"]?["k"], "j")
        XCTAssertEqual(try h.patch(cms + "/a?dryRun=All", ["data": ["k": "m"]], type: "application/merge-patch+json").json["data"]?["k"], "m")
        XCTAssertEqual(try h.patch(cms + "/a?dryRun=All", ["data": ["k": "s"]], type: "application/strategic-merge-patch+json").json["data"]?["k"], "s")
        XCTAssertEqual(try h.patch(cms + "/a?dryRun=All", [["op": "test", "path": "/data/k", "value": "nope"]], type: "application/json-patch+json").status, 422)

        // delete (body dryRun too) and deletecollection.
        XCTAssertEqual(try h.delete(cms + "/a", ["dryRun": ["All"]]).status, 200)
        let collection = try h.delete(cms + "?dryRun=All&labelSelector=tier%3Dx")
        XCTAssertEqual(collection.status, 200)
        XCTAssertEqual(collection.json["items"]?.arrayValue?.count, 2)

        XCTAssertEqual(h.emulator.resourceVersion, rv)
        XCTAssertEqual(h.emulator.objects("configmaps", namespace: "default"), unchanged)
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "new"))

        // Immutable-field validation runs in dry run too.
        try h.emulator.seed(runningPod("p"))
        let rv2 = h.emulator.resourceVersion
        XCTAssertEqual(try h.patch(pods + "/p?dryRun=All", ["spec": ["restartPolicy": "Never"]], type: "application/merge-patch+json").status, 422)
        // A graceful pod delete in dry run shows the deletionTimestamp, stores nothing.
        let podDelete = try h.delete(pods + "/p?dryRun=All")
        XCTAssertNotNil(podDelete.json["metadata"]?["deletionTimestamp"]?.stringValue)
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "p")?["metadata"]?["deletionTimestamp"])
        XCTAssertEqual(h.emulator.resourceVersion, rv2)
        await h.stop()
    }

    func testEvictionDryRunFromQueryAndMismatch() async throws {
        let h = try await Harness()
        try h.emulator.seed(runningPod("p"))
        let rv = h.emulator.resourceVersion
        XCTAssertEqual(try h.post(pods + "/p/eviction?dryRun=All", eviction("p")).status, 201)
        XCTAssertEqual(h.emulator.resourceVersion, rv)
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "p")?["metadata"]?["deletionTimestamp"])
        let bad = try h.post(pods + "/p/eviction?dryRun=All", eviction("p", deleteOptions: ["dryRun": ["Nope"]]))
        XCTAssertEqual(bad.status, 500)
        await h.stop()
    }
}
