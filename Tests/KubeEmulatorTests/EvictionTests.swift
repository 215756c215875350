import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// The eviction subresource with PodDisruptionBudgets (pkg/registry/core/pod/storage/eviction.go).
final class EvictionTests: XCTestCase {
    let pods = "/api/v1/namespaces/default/pods"

    func testBudgetWithNoDisruptionLeftBlocksWith429AndNoRetryAfter() async throws {
        let h = try await Harness()
        try h.emulator.seed(runningPod("web-1"))
        try h.emulator.seed(budget("web-pdb", allowed: 0, desired: 2, current: 2))
        let blocked = try h.post(pods + "/web-1/eviction", eviction("web-1"))
        XCTAssertEqual(blocked.status, 429)
        XCTAssertNil(blocked.headers["retry-after"])
        XCTAssertEqual(blocked.json["reason"], "TooManyRequests")
        XCTAssertEqual(blocked.json["message"], "Cannot evict pod as it would violate the pod's disruption budget.")
        XCTAssertEqual(blocked.json["details"], ["causes": [["reason": "DisruptionBudget",
                                                             "message": "The disruption budget web-pdb needs 2 healthy pods and has 2 currently"]]])
        XCTAssertNotNil(h.emulator.object("pods", namespace: "default", name: "web-1"))
        await h.stop()
    }

    func testAllowedEvictionDecrementsBudgetAndDeletesGracefully() async throws {
        let h = try await Harness()
        try h.emulator.seed(runningPod("web-1"))
        try h.emulator.seed(budget("web-pdb", allowed: 1))
        let rv = h.emulator.resourceVersion

        let dry = try h.post(pods + "/web-1/eviction", eviction("web-1", deleteOptions: ["dryRun": ["All"]]))
        XCTAssertEqual(dry.status, 201)
        XCTAssertEqual(h.emulator.resourceVersion, rv, "dry run consumes no resourceVersion")
        XCTAssertEqual(h.emulator.object("poddisruptionbudgets", namespace: "default", name: "web-pdb")?["status"]?["disruptionsAllowed"], 1)
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "web-1")?["metadata"]?["deletionTimestamp"])

        let evicted = try h.post(pods + "/web-1/eviction", eviction("web-1", apiVersion: "policy/v1beta1"))
        XCTAssertEqual(evicted.status, 201)
        XCTAssertEqual(evicted.json, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
        let pdb = h.emulator.object("poddisruptionbudgets", namespace: "default", name: "web-pdb")
        XCTAssertEqual(pdb?["status"]?["disruptionsAllowed"], 0)
        XCTAssertNotNil(pdb?["status"]?["disruptedPods"]?["web-1"])
        XCTAssertEqual(pdb?["status"]?["conditions"]?[0]?["type"], "DisruptionAllowed")
        XCTAssertEqual(pdb?["status"]?["conditions"]?[0]?["status"], "False")
        // A running, scheduled pod is deleted gracefully: it stays until its kubelet is done.
        let pod = h.emulator.object("pods", namespace: "default", name: "web-1")
        XCTAssertNotNil(pod?["metadata"]?["deletionTimestamp"]?.stringValue)
        XCTAssertEqual(pod?["metadata"]?["deletionGracePeriodSeconds"], 30)

        // The budget is now spent: the next pod is refused.
        try h.emulator.seed(runningPod("web-2"))
        XCTAssertEqual(try h.post(pods + "/web-2/eviction", eviction("web-2")).status, 429)
        await h.stop()
    }

    func testBudgetNotYetObservedAnswers429WithRetryAfter() async throws {
        let h = try await Harness()
        try h.emulator.seed(runningPod("web-1"))
        try h.emulator.seed(budget("web-pdb", allowed: 5, generation: 2, observed: 1))
        let r = try h.post(pods + "/web-1/eviction", eviction("web-1"))
        XCTAssertEqual(r.status, 429)
        XCTAssertEqual(r.headers["retry-after"], "10")
        XCTAssertEqual(r.json["details"]?["retryAfterSeconds"], 10)
        XCTAssertEqual(r.json["details"]?["causes"]?[0]?["message"], "The disruption budget web-pdb is still being processed by the server.")
        await h.stop()
    }

    func testTwoBudgetsAnswer500AndNegativeIsForbidden() async throws {
        let h = try await Harness()
        try h.emulator.seed(runningPod("web-1"))
        try h.emulator.seed(budget("a", allowed: 1))
        try h.emulator.seed(budget("b", selector: ["matchExpressions": [["key": "app", "operator": "In", "values": ["web"]]]], allowed: 1))
        let r = try h.post(pods + "/web-1/eviction", eviction("web-1"))
        XCTAssertEqual(r.status, 500)
        XCTAssertEqual(r.json, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                                "message": "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                                "code": 500])
        XCTAssertEqual(h.emulator.object("poddisruptionbudgets", namespace: "default", name: "a")?["status"]?["disruptionsAllowed"], 1)

        _ = try h.delete("/apis/policy/v1/namespaces/default/poddisruptionbudgets/b")
        try h.emulator.seed(budget("a", allowed: -1))
        let negative = try h.post(pods + "/web-1/eviction", eviction("web-1"))
        XCTAssertEqual(negative.status, 403)
        XCTAssertEqual(negative.json["message"], "poddisruptionbudget.policy \"a\" is forbidden: pdb disruptions allowed is negative")
        await h.stop()
    }

    func testBudgetsAreSkippedForPendingTerminalUnreadyAndUnmatchedPods() async throws {
        let h = try await Harness()
        try h.emulator.seed(budget("web-pdb", allowed: 0, desired: 2, current: 2))
        try h.emulator.seed(budget("empty", selector: [:], allowed: 0))
        // Pending (and Succeeded/Failed) pods are deleted without a budget check.
        try h.emulator.seed(runningPod("pending", phase: "Pending", nodeName: nil))
        XCTAssertEqual(try h.post(pods + "/pending/eviction", eviction("pending")).status, 201)
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "pending"), "an unscheduled pod goes at once")
        try h.emulator.seed(runningPod("done", phase: "Succeeded"))
        XCTAssertEqual(try h.post(pods + "/done/eviction", eviction("done")).status, 201)
        // An unready pod costs nothing while the budget is healthy.
        try h.emulator.seed(runningPod("unready", ready: false))
        XCTAssertEqual(try h.post(pods + "/unready/eviction", eviction("unready")).status, 201)
        XCTAssertEqual(h.emulator.object("poddisruptionbudgets", namespace: "default", name: "web-pdb")?["status"]?["disruptionsAllowed"], 0)
        // A pod no budget selects (an empty selector selects nothing).
        try h.emulator.seed(runningPod("other", labels: ["app": "other"]))
        XCTAssertEqual(try h.post(pods + "/other/eviction", eviction("other")).status, 201)
        await h.stop()
    }

    func testEvictionRequestErrors() async throws {
        let h = try await Harness()
        try h.emulator.seed(runningPod("web-1"))
        XCTAssertEqual(try h.post(pods + "/gone/eviction", eviction("gone")).json["message"], "pods \"gone\" not found")
        let wrongKind = try h.post(pods + "/web-1/eviction", ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web-1"]])
        XCTAssertEqual(wrongKind.status, 400)
        let mismatch = try h.post(pods + "/web-1/eviction", eviction("other"))
        XCTAssertEqual(mismatch.json["message"], "name in URL does not match name in Eviction object")
        let stale = try h.post(pods + "/web-1/eviction", eviction("web-1", deleteOptions: ["preconditions": ["resourceVersion": "1"]]))
        XCTAssertEqual(stale.status, 409)
        await h.stop()
    }
}
