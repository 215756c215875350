import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// `kubectl drain`: cordon, then an Eviction per pod (JSON), retried every 5 s while
/// a PodDisruptionBudget answers 429.
final class KubectlDrainTests: XCTestCase {
    func testDrainCordonsEvictsAndWaitsForTheBudget() async throws {
        let k = try await KubectlHarness()
        try k.emulator.seed(KubectlFixtures.node("node-1"))
        try k.emulator.seed(["apiVersion": "apps/v1", "kind": "DaemonSet",
                             "metadata": ["name": "agent", "namespace": "default", "uid": "uid-agent"],
                             "spec": ["selector": ["matchLabels": ["app": "agent"]],
                                      "template": ["metadata": ["labels": ["app": "agent"]],
                                                   "spec": ["containers": [["name": "a", "image": "agent:1"]]]]]])
        try k.emulator.seed(KubectlFixtures.pod("agent-x", owner: ("DaemonSet", "agent"), labels: ["app": "agent"]))
        try k.emulator.seed(KubectlFixtures.pod("cache-1", owner: ("ReplicaSet", "cache-5d9"), labels: ["app": "cache"], emptyDir: true))
        try k.emulator.seed(KubectlFixtures.pod("web-1", owner: ("ReplicaSet", "web-7f8"), labels: ["app": "web"]))
        try k.emulator.seed(KubectlFixtures.pod("elsewhere", node: "node-2", owner: ("ReplicaSet", "web-7f8"), labels: ["app": "other"]))
        try k.emulator.seed(KubectlFixtures.pdb("web-pdb", selector: ["app": "web"], allowed: 0))

        let run = try k.start(["drain", "node-1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s"], timeoutSeconds: 90)
        // Wait until web-1's eviction was refused once (or it was wrongly evicted at once).
        var blocked = false
        for _ in 0..<100 {
            let evictions = k.requests(resource: "pods/eviction", verb: "create")
            if evictions.contains(where: { $0.name == "web-1" && $0.status == 429 }) { blocked = true; break }
            if k.emulator.object("pods", namespace: "default", name: "web-1") == nil { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        if blocked {
            XCTAssertNotNil(k.emulator.object("pods", namespace: "default", name: "web-1"), "a 429 eviction deletes nothing")
            var relaxed = try XCTUnwrap(k.emulator.object("poddisruptionbudgets", namespace: "default", name: "web-pdb"))
            relaxed["status"]?["disruptionsAllowed"] = 1
            relaxed["apiVersion"] = "policy/v1"
            relaxed["kind"] = "PodDisruptionBudget"
            try k.emulator.seed(relaxed)
        } else {
            XCTFail("the PodDisruptionBudget with disruptionsAllowed 0 did not block web-1's eviction (no 429)")
        }
        let r = await run.result()
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue((r.stdout + r.stderr).contains("node/node-1 drained"), r.stdout + r.stderr)

        XCTAssertEqual(k.emulator.object("nodes", namespace: nil, name: "node-1")?["spec"]?["unschedulable"], true)
        XCTAssertNil(k.emulator.object("pods", namespace: "default", name: "web-1"))
        XCTAssertNil(k.emulator.object("pods", namespace: "default", name: "cache-1"))
        XCTAssertNotNil(k.emulator.object("pods", namespace: "default", name: "agent-x"), "DaemonSet pods are ignored")
        XCTAssertNotNil(k.emulator.object("pods", namespace: "default", name: "elsewhere"))

        let evictions = k.requests(resource: "pods/eviction", verb: "create")
        XCTAssertEqual(Set(evictions.filter { $0.status == 201 }.compactMap(\.name)), ["web-1", "cache-1"])
        // Measured: kubectl 1.32 drain posts its Evictions as JSON (its typed `create`
        // subcommands use protobuf); the emulator reads both.
        XCTAssertTrue(evictions.allSatisfy { $0.contentType == "application/json" }, "\(evictions.map(\.contentType))")
        if blocked { XCTAssertGreaterThanOrEqual(evictions.filter { $0.name == "web-1" }.count, 2, "retried after the 429") }
        let cordon = k.requests(resource: "nodes", verb: "patch")
        XCTAssertEqual(cordon.first?.contentType, "application/strategic-merge-patch+json")
        await k.stop()
    }
}
