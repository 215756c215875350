import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// Graceful pod deletion (pod strategy CheckGracefulDelete) and propagation policies
/// (registry/rest/delete.go, store.go deletionFinalizersForGarbageCollection).
final class DeletionTests: XCTestCase {
    let pods = "/api/v1/namespaces/default/pods"
    let deploys = "/apis/apps/v1/namespaces/default/deployments"

    func testScheduledPodIsDeletedGracefullyUntilTheKubeletFinishes() async throws {
        let h = try await Harness()
        var pod = runningPod("p")
        pod["spec"]?["terminationGracePeriodSeconds"] = 5
        try h.emulator.seed(pod)
        let before = Date()
        let r = try h.delete(pods + "/p")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.json["kind"], "Pod")
        XCTAssertEqual(r.json["metadata"]?["deletionGracePeriodSeconds"], 5)
        let stamp = try XCTUnwrap(r.json["metadata"]?["deletionTimestamp"]?.stringValue)
        let when = try Date(stamp, strategy: .iso8601)
        XCTAssertGreaterThan(when.timeIntervalSince(before), 3, "deletionTimestamp = now + grace")
        XCTAssertEqual(try h.get(pods + "/p").json["metadata"]?["deletionGracePeriodSeconds"], 5, "kept while terminating")

        // A second delete may shorten the grace period, not extend it.
        XCTAssertEqual(try h.delete(pods + "/p", ["gracePeriodSeconds": 60]).json["metadata"]?["deletionGracePeriodSeconds"], 5)
        XCTAssertEqual(try h.delete(pods + "/p", ["gracePeriodSeconds": 2]).json["metadata"]?["deletionGracePeriodSeconds"], 2)

        // The kubelet's primitive removes it.
        let rt = try XCTUnwrap(h.emulator.core.registry.lookup(resource: "pods"))
        XCTAssertTrue(h.emulator.core.state.withLock { $0.finishDeletion(rt, namespace: "default", name: "p") })
        XCTAssertEqual(try h.get(pods + "/p").status, 404)
        await h.stop()
    }

    func testGracePeriodSources() async throws {
        let h = try await Harness()
        try h.emulator.seed(runningPod("default-grace"))
        XCTAssertEqual(try h.delete(pods + "/default-grace").json["metadata"]?["deletionGracePeriodSeconds"], 30)
        try h.emulator.seed(runningPod("query-grace"))
        XCTAssertEqual(try h.delete(pods + "/query-grace?gracePeriodSeconds=7").json["metadata"]?["deletionGracePeriodSeconds"], 7)
        for (name, pod) in [("zero", runningPod("zero")), ("unscheduled", runningPod("unscheduled", nodeName: nil)),
                            ("finished", runningPod("finished", phase: "Failed"))] {
            try h.emulator.seed(pod)
            let r = try h.delete(pods + "/\(name)" + (name == "zero" ? "?gracePeriodSeconds=0" : ""))
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.json["metadata"]?["name"], .string(name), "a pod delete answers the pod")
            XCTAssertNil(h.emulator.object("pods", namespace: "default", name: name), "\(name) is removed at once")
        }
        await h.stop()
    }

    func testFinalizerAndGracePeriodBothHoldAPod() async throws {
        let h = try await Harness()
        var pod = runningPod("held")
        pod["metadata"]?["finalizers"] = ["example.com/keep"]
        try h.emulator.seed(pod)
        _ = try h.delete(pods + "/held")
        let rt = try XCTUnwrap(h.emulator.core.registry.lookup(resource: "pods"))
        // Removing the finalizer while the grace period runs does not delete the pod.
        let patched = try h.patch(pods + "/held", ["metadata": ["finalizers": nil]], type: "application/merge-patch+json")
        XCTAssertEqual(patched.status, 200)
        XCTAssertNotNil(h.emulator.object("pods", namespace: "default", name: "held"))
        // The kubelet finishing it removes it now that no finalizer is left.
        XCTAssertTrue(h.emulator.core.state.withLock { $0.finishDeletion(rt, namespace: "default", name: "held") })

        try h.emulator.seed(pod)
        _ = try h.delete(pods + "/held")
        XCTAssertFalse(h.emulator.core.state.withLock { $0.finishDeletion(rt, namespace: "default", name: "held") })
        XCTAssertEqual(h.emulator.object("pods", namespace: "default", name: "held")?["metadata"]?["deletionGracePeriodSeconds"], 0)
        XCTAssertTrue(h.emulator.core.state.withLock { $0.removeFinalizer(rt, namespace: "default", name: "held", "example.com/keep") })
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "held"))
        await h.stop()
    }

    func testPropagationPolicies() async throws {
        let h = try await Harness()
        let rt = try XCTUnwrap(h.emulator.core.registry.lookup(resource: "deployments.apps"))
        XCTAssertEqual(try h.post(deploys, deployment("orphan-me")).status, 201)
        let orphan = try h.delete(deploys + "/orphan-me", ["propagationPolicy": "Orphan"])
        XCTAssertEqual(orphan.status, 200)
        XCTAssertEqual(orphan.json["kind"], "Deployment")
        XCTAssertEqual(orphan.json["metadata"]?["finalizers"], ["orphan"])
        XCTAssertNotNil(orphan.json["metadata"]?["deletionTimestamp"]?.stringValue)
        XCTAssertEqual(orphan.json["metadata"]?["deletionGracePeriodSeconds"], 0)
        XCTAssertEqual(try h.get(deploys + "/orphan-me").json["metadata"]?["finalizers"], ["orphan"])
        // The garbage collector's primitive: the last finalizer gone, the object goes.
        XCTAssertTrue(h.emulator.core.state.withLock { $0.removeFinalizer(rt, namespace: "default", name: "orphan-me", Finalizers.orphan) })
        XCTAssertEqual(try h.get(deploys + "/orphan-me").status, 404)

        XCTAssertEqual(try h.post(deploys, deployment("fg")).status, 201)
        let fg = try h.delete(deploys + "/fg?propagationPolicy=Foreground")
        XCTAssertEqual(fg.json["metadata"]?["finalizers"], ["foregroundDeletion"])
        XCTAssertEqual(try h.get(deploys + "/fg").status, 200, "kept until the garbage collector is done")

        XCTAssertEqual(try h.post(deploys, deployment("bg")).status, 201)
        let bg = try h.delete(deploys + "/bg", ["propagationPolicy": "Background"])
        XCTAssertEqual(bg.json["kind"], "Status")
        XCTAssertEqual(try h.get(deploys + "/bg").status, 404)

        // Dry run of an Orphan delete answers the same and changes nothing.
        XCTAssertEqual(try h.post(deploys, deployment("dry")).status, 201)
        let rv = h.emulator.resourceVersion
        let dry = try h.delete(deploys + "/dry?dryRun=All", ["propagationPolicy": "Orphan"])
        XCTAssertEqual(dry.json["metadata"]?["finalizers"], ["orphan"])
        XCTAssertEqual(h.emulator.resourceVersion, rv)
        XCTAssertNil(h.emulator.object("deployments", namespace: "default", name: "dry")?["metadata"]?["deletionTimestamp"])
        await h.stop()
    }
}
