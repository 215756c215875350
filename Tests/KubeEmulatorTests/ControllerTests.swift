import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

final class ControllerTests: XCTestCase {
    func testDeploymentSettlesToRunningReadyPods() throws {
        let emu = KubeEmulator()
        try emu.seed(node("n1"))
        try emu.seed(node("n2"))
        try emu.seed(deploymentSpec("web", replicas: 3))
        let steps = emu.settle(maxSteps: 20)
        XCTAssertLessThan(steps, 20, "did not settle")
        XCTAssertEqual(emu.step(), 0, "a settled cluster writes nothing")

        let rsList = emu.objects("replicasets", namespace: "default")
        XCTAssertEqual(rsList.count, 1)
        let rs = try XCTUnwrap(rsList.first)
        let hash = try XCTUnwrap(rs["metadata"]?["labels"]?["pod-template-hash"]?.stringValue)
        XCTAssertEqual(rs.name, "web-\(hash)")
        XCTAssertEqual(rs["metadata"]?["ownerReferences"]?[0]?["controller"], true)
        XCTAssertEqual(rs["metadata"]?["ownerReferences"]?[0]?["blockOwnerDeletion"], true)
        XCTAssertEqual(rs["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"], "1")

        let pods = emu.livePods()
        XCTAssertEqual(pods.count, 3)
        for pod in pods {
            XCTAssertTrue(pod.name.hasPrefix("web-\(hash)-"), pod.name)
            XCTAssertEqual(pod.name.count, "web-\(hash)-".count + 5)
            XCTAssertEqual(pod["status"]?["phase"], "Running")
            XCTAssertTrue(isReady(pod))
            XCTAssertNotNil(pod["spec"]?["nodeName"]?.stringValue)
            XCTAssertNotNil(pod["status"]?["podIP"]?.stringValue)
            XCTAssertEqual(pod["status"]?["containerStatuses"]?[0]?["state"]?["running"]?["startedAt"]?.stringValue?.isEmpty, false)
            XCTAssertEqual(pod["metadata"]?["labels"]?["pod-template-hash"]?.stringValue, hash)
            XCTAssertEqual(pod["metadata"]?["ownerReferences"]?[0]?["uid"], rs["metadata"]?["uid"])
        }
        XCTAssertEqual(Set(pods.compactMap { $0["spec"]?["nodeName"]?.stringValue }), ["n1", "n2"], "round robin over nodes")

        let d = try XCTUnwrap(emu.object("deployments", namespace: "default", name: "web"))
        let status = try XCTUnwrap(d["status"])
        XCTAssertEqual(status["observedGeneration"], 1)
        XCTAssertEqual(status["replicas"], 3)
        XCTAssertEqual(status["updatedReplicas"], 3)
        XCTAssertEqual(status["readyReplicas"], 3)
        XCTAssertEqual(status["availableReplicas"], 3)
        XCTAssertNil(status["unavailableReplicas"])
        XCTAssertEqual(emu.condition(d, "Available")?["status"], "True")
        XCTAssertEqual(emu.condition(d, "Progressing")?["reason"], "NewReplicaSetAvailable")
        XCTAssertEqual(d["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"], "1")
        XCTAssertEqual(d["metadata"]?["generation"], 1, "status writes do not bump generation")
    }

    func testRollingUpdateRespectsMaxSurgeAndMaxUnavailable() async throws {
        let h = try await Harness(EmulatorOptions(controllerSettings: .init(readyAfterSteps: 2, terminateAfterSteps: 2)))
        let emu = h.emulator
        for n in ["n1", "n2", "n3"] { try emu.seed(node(n)) }
        let strategy: JSONValue = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": 1]]
        try emu.seed(deploymentSpec("web", replicas: 4, strategy: strategy))
        emu.settle(maxSteps: 30)
        XCTAssertEqual(emu.livePods().filter(isReady).count, 4)
        let rvBefore = emu.resourceVersion

        let patched = try h.patch("/apis/apps/v1/namespaces/default/deployments/web",
                                  ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx:2"]]]]]],
                                  type: "application/strategic-merge-patch+json")
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(patched.json["metadata"]?["generation"], 2)

        var sawMixed = false
        for _ in 0..<60 {
            guard emu.step() > 0 else { break }
            let live = emu.livePods()
            let sets = emu.objects("replicasets", namespace: "default")
            let desiredTotal = sets.reduce(0) { $0 + ($1["spec"]?["replicas"]?.intValue ?? 0) }
            XCTAssertLessThanOrEqual(desiredTotal, 5, "replicas + maxSurge")
            XCTAssertLessThanOrEqual(live.count, 5, "replicas + maxSurge")
            XCTAssertGreaterThanOrEqual(live.filter(isReady).count, 3, "replicas - maxUnavailable stay ready")
            let images = Set(live.compactMap { $0["spec"]?["containers"]?[0]?["image"]?.stringValue })
            if images.count == 2 { sawMixed = true }
        }
        XCTAssertTrue(sawMixed, "old and new pods overlap during a rolling update")
        let live = emu.livePods()
        XCTAssertEqual(live.count, 4)
        XCTAssertTrue(live.allSatisfy { $0["spec"]?["containers"]?[0]?["image"] == "nginx:2" && isReady($0) })
        let sets = emu.objects("replicasets", namespace: "default")
        XCTAssertEqual(sets.count, 2, "the old ReplicaSet is kept at 0 for history")
        XCTAssertEqual(Set(sets.compactMap { $0["spec"]?["replicas"]?.intValue }), [0, 4])
        XCTAssertEqual(Set(sets.compactMap { $0["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"]?.stringValue }), ["1", "2"])
        let d = emu.object("deployments", namespace: "default", name: "web")
        XCTAssertEqual(d?["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"], "2")
        XCTAssertEqual(d?["status"]?["observedGeneration"], 2)
        XCTAssertEqual(d?["status"]?["updatedReplicas"], 4)
        XCTAssertEqual(emu.condition(d, "Progressing")?["reason"], "NewReplicaSetAvailable")
        XCTAssertGreaterThan(emu.resourceVersion, rvBefore)
        await h.stop()
    }

    func testRecreateStopsOldPodsBeforeStartingNew() throws {
        let emu = KubeEmulator(options: EmulatorOptions(controllerSettings: .init(terminateAfterSteps: 2)))
        try emu.seed(node("n1"))
        try emu.seed(deploymentSpec("db", replicas: 2, strategy: ["type": "Recreate"]))
        emu.settle(maxSteps: 20)
        var d = try XCTUnwrap(emu.object("deployments", namespace: "default", name: "db"))
        d["spec"] = deploymentSpec("db", replicas: 2, image: "postgres:16", strategy: ["type": "Recreate"])["spec"]
        try emu.seed(d)
        for _ in 0..<30 {
            guard emu.step() > 0 else { break }
            let images = Set(emu.objects("pods", namespace: "default").compactMap { $0["spec"]?["containers"]?[0]?["image"]?.stringValue })
            XCTAssertLessThanOrEqual(images.count, 1, "Recreate never runs old and new pods together")
        }
        XCTAssertEqual(emu.livePods().map { $0["spec"]?["containers"]?[0]?["image"] }, ["postgres:16", "postgres:16"])
    }

    func testReplicaSetScaleDownDeletesNotReadyPodsFirst() throws {
        let emu = KubeEmulator()
        try emu.seed(node("n1"))
        try emu.seed(["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "rs", "namespace": "default"],
                      "spec": ["replicas": 3, "selector": ["matchLabels": ["app": "rs"]], "template": podTemplate("rs")]])
        emu.settle()
        var pods = emu.livePods()
        XCTAssertEqual(pods.count, 3)
        XCTAssertTrue(pods.allSatisfy { $0.name.hasPrefix("rs-") && $0.name.count == 8 })
        let status = emu.object("replicasets", namespace: "default", name: "rs")?["status"]
        XCTAssertEqual(status?["replicas"], 3)
        XCTAssertEqual(status?["readyReplicas"], 3)
        XCTAssertEqual(status?["fullyLabeledReplicas"], 3)
        // The middle pod (by name) turns not ready; scaling to 2 removes exactly that one.
        pods.sort { $0.name < $1.name }
        var sick = pods[1]
        sick["status"]?["conditions"] = [["type": "Ready", "status": "False"]]
        try emu.seed(sick)
        var rs = try XCTUnwrap(emu.object("replicasets", namespace: "default", name: "rs"))
        rs["spec"]?["replicas"] = 2
        try emu.seed(rs)
        emu.settle()
        XCTAssertEqual(Set(emu.livePods().map(\.name)), Set([pods[0].name, pods[2].name]))
    }

    func testPausedDeploymentIsNotRolled() throws {
        let emu = KubeEmulator()
        try emu.seed(node("n1"))
        try emu.seed(deploymentSpec("web", replicas: 1))
        emu.settle()
        var d = try XCTUnwrap(emu.object("deployments", namespace: "default", name: "web"))
        d["spec"]?["paused"] = true
        d["spec"]?["template"] = podTemplate("web", image: "nginx:9")
        try emu.seed(d)
        emu.settle()
        XCTAssertEqual(emu.objects("replicasets", namespace: "default").count, 1)
        XCTAssertEqual(emu.livePods().first?["spec"]?["containers"]?[0]?["image"], "nginx:1")
        XCTAssertEqual(emu.condition(emu.object("deployments", namespace: "default", name: "web"), "Progressing")?["reason"], "DeploymentPaused")
    }

    func testDaemonSetRunsOnePodPerMatchingNode() throws {
        let emu = KubeEmulator()
        try emu.seed(node("a", labels: ["disk": "ssd"]))
        try emu.seed(node("b", labels: ["disk": "ssd"]))
        try emu.seed(node("c", labels: ["disk": "hdd"]))
        try emu.seed(node("d", labels: ["disk": "ssd"], taints: [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]]))
        var template = podTemplate("agent")
        template["spec"]?["nodeSelector"] = ["disk": "ssd"]
        try emu.seed(["apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "agent", "namespace": "default"],
                      "spec": ["selector": ["matchLabels": ["app": "agent"]], "template": template]])
        emu.settle()
        let pods = emu.livePods()
        XCTAssertEqual(pods.compactMap { $0["spec"]?["nodeName"]?.stringValue }.sorted(), ["a", "b"])
        XCTAssertTrue(pods.allSatisfy { isReady($0) && $0.name.hasPrefix("agent-") })
        let ds = emu.object("daemonsets", namespace: "default", name: "agent")?["status"]
        XCTAssertEqual(ds?["desiredNumberScheduled"], 2)
        XCTAssertEqual(ds?["currentNumberScheduled"], 2)
        XCTAssertEqual(ds?["numberReady"], 2)
        XCTAssertEqual(ds?["updatedNumberScheduled"], 2)
        XCTAssertEqual(ds?["observedGeneration"], 1)

        // Tolerating the taint adds node d; a template change rolls one node at a time.
        var dsObj = try XCTUnwrap(emu.object("daemonsets", namespace: "default", name: "agent"))
        dsObj["spec"]?["template"]?["spec"]?["tolerations"] = [["key": "dedicated", "operator": "Exists", "effect": "NoSchedule"]]
        var containers = dsObj["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
        containers[0]["image"] = "agent:2"
        dsObj["spec"]?["template"]?["spec"]?["containers"] = .array(containers)
        try emu.seed(dsObj)
        for _ in 0..<40 {
            guard emu.step() > 0 else { break }
            let terminating = emu.objects("pods", namespace: "default").filter { $0["metadata"]?["deletionTimestamp"] != nil }
            XCTAssertLessThanOrEqual(terminating.count, 1, "maxUnavailable 1: one node at a time")
        }
        let after = emu.livePods()
        XCTAssertEqual(after.compactMap { $0["spec"]?["nodeName"]?.stringValue }.sorted(), ["a", "b", "d"])
        XCTAssertTrue(after.allSatisfy { $0["spec"]?["containers"]?[0]?["image"] == "agent:2" })
    }

    func testStatefulSetCreatesPodsInOrder() throws {
        let emu = KubeEmulator(options: EmulatorOptions(controllerSettings: .init(readyAfterSteps: 2, terminateAfterSteps: 2)))
        try emu.seed(node("n1"))
        try emu.seed(["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db", "namespace": "default"],
                      "spec": ["replicas": 3, "serviceName": "db", "selector": ["matchLabels": ["app": "db"]], "template": podTemplate("db")]])
        var order: [String] = []
        for _ in 0..<30 {
            guard emu.step() > 0 else { break }
            let pods = emu.livePods()
            for p in pods where !order.contains(p.name) { order.append(p.name) }
            // A pod exists only when every lower ordinal is Ready.
            for p in pods {
                let i = Int(p.name.split(separator: "-").last!)!
                for lower in 0..<i {
                    XCTAssertTrue(pods.contains { $0.name == "db-\(lower)" && isReady($0) }, "db-\(i) before db-\(lower) was ready")
                }
            }
        }
        XCTAssertEqual(order, ["db-0", "db-1", "db-2"])
        let status = emu.object("statefulsets", namespace: "default", name: "db")?["status"]
        XCTAssertEqual(status?["readyReplicas"], 3)
        XCTAssertEqual(status?["currentRevision"], status?["updateRevision"])
        XCTAssertEqual(emu.livePods().first?["metadata"]?["labels"]?["statefulset.kubernetes.io/pod-name"], "db-0")

        // A template change replaces pods from the highest ordinal down.
        var sts = try XCTUnwrap(emu.object("statefulsets", namespace: "default", name: "db"))
        sts["spec"]?["template"] = podTemplate("db", image: "nginx:2")
        try emu.seed(sts)
        var replaced: [String] = []
        for _ in 0..<60 {
            guard emu.step() > 0 else { break }
            for p in emu.objects("pods", namespace: "default") where p["metadata"]?["deletionTimestamp"] != nil && !replaced.contains(p.name) {
                replaced.append(p.name)
            }
        }
        XCTAssertEqual(replaced, ["db-2", "db-1", "db-0"])
        let final = emu.object("statefulsets", namespace: "default", name: "db")?["status"]
        XCTAssertEqual(final?["updatedReplicas"], 3)
        XCTAssertEqual(final?["currentRevision"], final?["updateRevision"])
    }

    func testDisruptionBudgetStatus() throws {
        let emu = KubeEmulator()
        try emu.seed(node("n1"))
        try emu.seed(deploymentSpec("web", replicas: 4))
        func pdb(_ name: String, _ field: String, _ value: JSONValue) -> JSONValue {
            ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": .string(name), "namespace": "default"],
             "spec": ["selector": ["matchLabels": ["app": "web"]], field: value]]
        }
        try emu.seed(pdb("min3", "minAvailable", 3))
        try emu.seed(pdb("max50", "maxUnavailable", "50%"))
        try emu.seed(pdb("all", "minAvailable", "100%"))
        emu.settle()
        func status(_ name: String) -> JSONValue? { emu.object("poddisruptionbudgets", namespace: "default", name: name)?["status"] }
        XCTAssertEqual(status("min3")?["expectedPods"], 4)
        XCTAssertEqual(status("min3")?["currentHealthy"], 4)
        XCTAssertEqual(status("min3")?["desiredHealthy"], 3)
        XCTAssertEqual(status("min3")?["disruptionsAllowed"], 1)
        XCTAssertEqual(status("min3")?["observedGeneration"], 1)
        XCTAssertEqual(status("max50")?["desiredHealthy"], 2)
        XCTAssertEqual(status("max50")?["disruptionsAllowed"], 2)
        XCTAssertEqual(status("all")?["desiredHealthy"], 4)
        XCTAssertEqual(status("all")?["disruptionsAllowed"], 0)
        let allowed = status("min3")?["conditions"]?[0]
        XCTAssertEqual(allowed?["type"], "DisruptionAllowed")
        XCTAssertEqual(allowed?["status"], "True")
        XCTAssertEqual(allowed?["reason"], "SufficientPods")
        XCTAssertEqual(status("all")?["conditions"]?[0]?["reason"], "InsufficientPods")
    }

    func testGarbageCollectorDeletesDependentsOfMissingOwners() throws {
        let emu = KubeEmulator()
        let goneOwner: JSONValue = ["apiVersion": "apps/v1", "kind": "Deployment", "name": "gone", "uid": "00000000-0000-0000-0000-000000000001"]
        let unservedOwner: JSONValue = ["apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sGone", "name": "c",
                                        "uid": "00000000-0000-0000-0000-000000000002", "controller": true]
        var orphan = configMap("orphan")
        orphan["metadata"]?["ownerReferences"] = [goneOwner]
        var unserved = configMap("unserved")
        unserved["metadata"]?["ownerReferences"] = [unservedOwner]
        // A cluster-scoped dependent may not have a namespaced owner: the reference is ignored.
        let invalid: JSONValue = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                                  "metadata": ["name": "invalid", "ownerReferences": [goneOwner]]]
        try emu.seed(orphan)
        try emu.seed(unserved)
        try emu.seed(invalid)
        // One live owner and one gone: the dangling reference is dropped, the object kept.
        try emu.seed(configMap("owner"))
        let ownerUID = try XCTUnwrap(emu.object("configmaps", namespace: "default", name: "owner")?["metadata"]?["uid"])
        var mixed = configMap("mixed")
        mixed["metadata"]?["ownerReferences"] = [["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": ownerUID], goneOwner]
        try emu.seed(mixed)
        emu.settle()
        XCTAssertNil(emu.object("configmaps", namespace: "default", name: "orphan"))
        XCTAssertNotNil(emu.object("configmaps", namespace: "default", name: "unserved"), "owner kind not served: kept")
        XCTAssertNotNil(emu.object("clusterroles", namespace: nil, name: "invalid"), "invalid reference: kept")
        XCTAssertEqual(emu.object("configmaps", namespace: "default", name: "mixed")?["metadata"]?["ownerReferences"]?.arrayValue?.count, 1)
    }

    func testGarbageCollectorCascadesBackgroundOrphanAndForeground() async throws {
        let h = try await Harness()
        let emu = h.emulator
        try emu.seed(node("n1"))
        for name in ["bg", "orph", "fg"] { try emu.seed(deploymentSpec(name, replicas: 2)) }
        emu.settle()
        XCTAssertEqual(emu.livePods().count, 6)

        // Background: the owner goes at once, the collector removes the rest.
        XCTAssertEqual(try h.delete("/apis/apps/v1/namespaces/default/deployments/bg").status, 200)
        // Orphan and foreground finalizers, as the API server sets them.
        for (name, finalizer) in [("orph", "orphan"), ("fg", "foregroundDeletion")] {
            var d = try XCTUnwrap(emu.object("deployments", namespace: "default", name: name))
            d["metadata"]?["finalizers"] = [.string(finalizer)]
            d["metadata"]?["deletionTimestamp"] = "2026-01-01T00:00:00Z"
            try emu.seed(d)
        }
        emu.settle()
        let sets = emu.objects("replicasets", namespace: "default")
        XCTAssertEqual(sets.map { $0.name.split(separator: "-").first.map(String.init) }, ["orph"], "bg and fg ReplicaSets are gone")
        XCTAssertNil(sets.first?["metadata"]?["ownerReferences"], "orphaned ReplicaSet lost its reference")
        XCTAssertNil(emu.object("deployments", namespace: "default", name: "orph"))
        XCTAssertNil(emu.object("deployments", namespace: "default", name: "fg"))
        XCTAssertEqual(emu.objects("pods", namespace: "default").count, 2, "only the orphaned ReplicaSet's pods remain")
        await h.stop()
    }

    func testKubeletFinishesTerminatingPods() throws {
        let emu = KubeEmulator(options: EmulatorOptions(controllerSettings: .init(terminateAfterSteps: 2)))
        func pod(_ name: String, finalizers: [JSONValue] = []) -> JSONValue {
            ["apiVersion": "v1", "kind": "Pod",
             "metadata": ["name": .string(name), "namespace": "default", "deletionTimestamp": "2026-01-01T00:00:00Z",
                          "finalizers": .array(finalizers)],
             "spec": ["nodeName": "n1", "containers": [["name": "c", "image": "busybox"]]], "status": ["phase": "Running"]]
        }
        try emu.seed(pod("going"))
        try emu.seed(pod("held", finalizers: ["example.com/hold"]))
        emu.step()
        XCTAssertNotNil(emu.object("pods", namespace: "default", name: "going"), "still within terminateAfterSteps")
        emu.step()
        XCTAssertNil(emu.object("pods", namespace: "default", name: "going"))
        emu.settle()
        XCTAssertNotNil(emu.object("pods", namespace: "default", name: "held"), "a finalizer keeps the pod")
    }

    func testAutoModeStepsInTheBackgroundAndSetsStepHandler() async throws {
        let h = try await Harness(EmulatorOptions(controllers: .auto(interval: 0.01)))
        XCTAssertNotNil(h.emulator.core.stepHandler.withLock { $0 })
        try h.emulator.seed(node("n1"))
        let created = try h.post("/apis/apps/v1/namespaces/default/deployments", deploymentSpec("auto", replicas: 2))
        XCTAssertEqual(created.status, 201, created.text)
        var ready = 0
        for _ in 0..<300 where ready < 2 {
            try await Task.sleep(nanoseconds: 10_000_000)
            ready = h.emulator.livePods().filter(isReady).count
        }
        XCTAssertEqual(ready, 2)
        await h.stop()
        XCTAssertNil(KubeEmulator().core.stepHandler.withLock { $0 }, "no handler when controllers are disabled")
    }
}
