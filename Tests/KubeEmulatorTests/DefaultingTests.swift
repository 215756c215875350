import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// Create-time defaulting and admission additions of a 1.32 server, over HTTP.
final class DefaultingTests: XCTestCase {
    func testPodDefaultsAndAdmission() async throws {
        let h = try await Harness()
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                              "spec": ["containers": [["name": "latest", "image": "nginx"], ["name": "tagged", "image": "nginx:1.27",
                                                      "resources": ["limits": ["cpu": "1", "memory": "1Gi"]]],
                                                      ["name": "digest", "image": "registry.io:5000/app@sha256:abc"]]],
                              "status": ["phase": "Running"]]
        let r = try h.post("/api/v1/namespaces/default/pods", pod)
        XCTAssertEqual(r.status, 201, r.text)
        let spec = try XCTUnwrap(r.json["spec"])
        XCTAssertEqual(spec["restartPolicy"], "Always")
        XCTAssertEqual(spec["dnsPolicy"], "ClusterFirst")
        XCTAssertEqual(spec["schedulerName"], "default-scheduler")
        XCTAssertEqual(spec["terminationGracePeriodSeconds"], 30)
        XCTAssertEqual(spec["securityContext"], [:])
        XCTAssertEqual(spec["enableServiceLinks"], true)
        XCTAssertEqual(spec["priority"], 0)
        XCTAssertEqual(spec["preemptionPolicy"], "PreemptLowerPriority")
        XCTAssertEqual(spec["serviceAccountName"], "default")
        XCTAssertEqual(spec["serviceAccount"], "default")
        let containers = spec["containers"]?.arrayValue ?? []
        XCTAssertEqual(containers.map { $0["imagePullPolicy"]?.stringValue ?? "" }, ["Always", "IfNotPresent", "IfNotPresent"])
        XCTAssertEqual(containers[0]["terminationMessagePath"], "/dev/termination-log")
        XCTAssertEqual(containers[0]["terminationMessagePolicy"], "File")
        XCTAssertEqual(containers[1]["resources"]?["requests"], ["cpu": "1", "memory": "1Gi"], "requests default to limits")
        XCTAssertTrue((containers[0]["volumeMounts"]?.arrayValue ?? []).contains { $0["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount" })
        let tolerations = spec["tolerations"]?.arrayValue ?? []
        XCTAssertEqual(tolerations.count, 2)
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            XCTAssertTrue(tolerations.contains { $0 == ["key": .string(key), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300] }, key)
        }
        XCTAssertEqual(r.json["status"], ["phase": "Pending", "qosClass": "Burstable"], "create resets status")
        XCTAssertNil(r.json["metadata"]?["generation"], "pods have no generation on 1.32")
        await h.stop()
    }

    func testDeploymentAndWorkloadDefaults() async throws {
        let h = try await Harness()
        var d = deployment("web")
        d["spec"]?["replicas"] = nil
        let r = try h.post("/apis/apps/v1/namespaces/default/deployments", d)
        XCTAssertEqual(r.status, 201, r.text)
        let spec = try XCTUnwrap(r.json["spec"])
        XCTAssertEqual(spec["replicas"], 1)
        XCTAssertEqual(spec["strategy"], ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
        XCTAssertEqual(spec["revisionHistoryLimit"], 10)
        XCTAssertEqual(spec["progressDeadlineSeconds"], 600)
        XCTAssertEqual(spec["template"]?["spec"]?["restartPolicy"], "Always")
        XCTAssertEqual(spec["template"]?["spec"]?["containers"]?[0]?["imagePullPolicy"], "IfNotPresent")
        XCTAssertNil(spec["template"]?["spec"]?["enableServiceLinks"], "pod-only defaults stay off templates")
        XCTAssertNil(spec["template"]?["spec"]?["tolerations"], "admission runs on pods, not templates")
        XCTAssertEqual(r.json["metadata"]?["generation"], 1)

        let template: JSONValue = ["metadata": ["labels": ["app": "x"]], "spec": ["containers": [["name": "c", "image": "busybox:latest"]]]]
        let ds = try h.post("/apis/apps/v1/namespaces/default/daemonsets", [
            "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "ds"],
            "spec": ["selector": ["matchLabels": ["app": "x"]], "template": template]])
        XCTAssertEqual(ds.status, 201, ds.text)
        XCTAssertEqual(ds.json["spec"]?["updateStrategy"], ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]])
        XCTAssertEqual(ds.json["spec"]?["template"]?["spec"]?["containers"]?[0]?["imagePullPolicy"], "Always")
        let sts = try h.post("/apis/apps/v1/namespaces/default/statefulsets", [
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db"],
            "spec": ["selector": ["matchLabels": ["app": "x"]], "serviceName": "db", "template": template]])
        XCTAssertEqual(sts.json["spec"]?["podManagementPolicy"], "OrderedReady")
        XCTAssertEqual(sts.json["spec"]?["updateStrategy"], ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]])
        XCTAssertEqual(sts.json["spec"]?["persistentVolumeClaimRetentionPolicy"], ["whenDeleted": "Retain", "whenScaled": "Retain"])
        let job = try h.post("/apis/batch/v1/namespaces/default/jobs", [
            "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j"], "spec": ["template": template]])
        XCTAssertEqual(job.json["spec"]?["backoffLimit"], 6)
        XCTAssertEqual(job.json["spec"]?["completionMode"], "NonIndexed")
        let cron = try h.post("/apis/batch/v1/namespaces/default/cronjobs", [
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": "cj"],
            "spec": ["schedule": "*/5 * * * *", "jobTemplate": ["spec": ["template": template]]]])
        XCTAssertEqual(cron.json["spec"]?["concurrencyPolicy"], "Allow")
        XCTAssertEqual(cron.json["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?["dnsPolicy"], "ClusterFirst")
        await h.stop()
    }

    func testSecretStringDataIsMergedAndNeverStored() async throws {
        let h = try await Harness()
        let secrets = "/api/v1/namespaces/default/secrets"
        let r = try h.post(secrets, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"],
                                     "data": ["a": "YQ=="], "stringData": ["b": "bee", "a": "override"]])
        XCTAssertEqual(r.status, 201, r.text)
        XCTAssertEqual(r.json["data"], ["a": "b3ZlcnJpZGU=", "b": "YmVl"])
        XCTAssertNil(r.json["stringData"])
        XCTAssertEqual(r.json["type"], "Opaque")
        let patched = try h.patch(secrets + "/s", ["stringData": ["c": "sea"]], type: EmulatorCore.mergePatch)
        XCTAssertEqual(patched.json["data"]?["c"], "c2Vh")
        XCTAssertNil(h.emulator.object("secrets", namespace: "default", name: "s")?["stringData"])
        await h.stop()
    }
}
