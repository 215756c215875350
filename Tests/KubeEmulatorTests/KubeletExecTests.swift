import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// The kubelet's exec mode: a mapped image runs as a local process (here /bin/sh).
final class KubeletExecTests: XCTestCase {
    func start() async throws -> (Harness, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exec-test-\(UUID().uuidString)")
        let exec = ExecOptions(mappings: [.init(imagePrefix: "example.com/shell", executable: "/bin/sh")],
                               kubeconfigPath: "/kube/config", timeoutSeconds: 20, workDirectory: dir)
        let h = try await Harness(EmulatorOptions(controllers: .auto(interval: 0.01), exec: exec))
        try h.emulator.seed(node("node-1"))
        return (h, dir)
    }

    func waitForPhase(_ h: Harness, _ pod: String, _ phases: Set<String>) async throws -> JSONValue {
        let end = Date().addingTimeInterval(30)
        while true {
            let p = try h.get("/api/v1/namespaces/default/pods/\(pod)").json
            if let phase = p["status"]?["phase"]?.stringValue, phases.contains(phase) { return p }
            guard Date() < end else { XCTFail("pod \(pod) never reached \(phases): \(p["status"] ?? .null)"); return p }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// argv, env, a ConfigMap volume mapped to a host path, the exit code in the pod's
    /// status and the output in pods/log.
    func testMappedImageRunsWithArgsEnvAndVolumesAndFailsByExitCode() async throws {
        let (h, dir) = try await start()
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("settings", data: ["msg.txt": "from-the-configmap"]))
        let pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "runner", "namespace": "default"],
            "spec": ["restartPolicy": "Never",
                     "containers": [["name": "main", "image": "example.com/shell:1.0",
                                     "command": ["/entrypoint"],
                                     "args": ["-c", "cat \"$1\"; echo \" $GREETING $POD $KUBECONFIG\"; exit 3", "sh", "/etc/app/msg.txt"],
                                     "env": [["name": "GREETING", "value": "hello"],
                                             ["name": "POD", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]]],
                                     "volumeMounts": [["name": "cfg", "mountPath": "/etc/app"]]]],
                     "volumes": [["name": "cfg", "configMap": ["name": "settings"]]]]]
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/pods", pod).status, 201)
        let done = try await waitForPhase(h, "runner", ["Succeeded", "Failed"])
        XCTAssertEqual(done["status"]?["phase"], "Failed")
        let terminated = done["status"]?["containerStatuses"]?[0]?["state"]?["terminated"]
        XCTAssertEqual(terminated?["exitCode"], 3)
        XCTAssertEqual(terminated?["reason"], "Error")
        let log = try h.get("/api/v1/namespaces/default/pods/runner/log")
        XCTAssertEqual(log.status, 200)
        XCTAssertEqual(log.text, "from-the-configmap hello runner /kube/config\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent(done.uid).path), "the pod's files are removed")
        await h.stop()
    }

    /// A process that outlives the timeout is killed; its container fails with 137.
    func testProcessPastTheTimeoutIsKilled() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exec-test-\(UUID().uuidString)")
        let exec = ExecOptions(mappings: [.init(imagePrefix: "example.com/shell", executable: "/bin/sh")],
                               kubeconfigPath: "/kube/config", timeoutSeconds: 1, workDirectory: dir)
        let h = try await Harness(EmulatorOptions(controllers: .auto(interval: 0.01), exec: exec))
        try h.emulator.seed(node("node-1"))
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "sleeper", "namespace": "default"],
                              "spec": ["restartPolicy": "Never",
                                       "containers": [["name": "main", "image": "example.com/shell", "args": ["-c", "exec sleep 60"]]]]]
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/pods", pod).status, 201)
        let started = Date()
        let done = try await waitForPhase(h, "sleeper", ["Succeeded", "Failed"])
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
        XCTAssertEqual(done["status"]?["phase"], "Failed")
        XCTAssertEqual(done["status"]?["containerStatuses"]?[0]?["state"]?["terminated"]?["exitCode"], 137)
        await h.stop()
    }

    /// A Job whose image is mapped completes by its process's exit 0; other images are not run.
    func testJobOfAMappedImageCompletesAndOthersStayRunning() async throws {
        let (h, _) = try await start()
        func job(_ name: String, _ image: String) -> JSONValue {
            ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name), "namespace": "default"],
             "spec": ["template": ["spec": ["restartPolicy": "Never",
                                            "containers": [["name": "main", "image": .string(image), "args": ["-c", "exit 0"]]]]]]]
        }
        _ = try h.post("/apis/batch/v1/namespaces/default/jobs", job("mapped", "example.com/shell:2"))
        _ = try h.post("/apis/batch/v1/namespaces/default/jobs", job("other", "busybox:1"))
        let end = Date().addingTimeInterval(30)
        var mapped: JSONValue = [:]
        while true {
            mapped = try h.get("/apis/batch/v1/namespaces/default/jobs/mapped").json
            if (mapped["status"]?["conditions"]?.arrayValue ?? []).contains(where: { $0["type"] == "Complete" }) { break }
            guard Date() < end else { XCTFail("the mapped Job never completed: \(mapped["status"] ?? .null)"); break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTAssertEqual(mapped["status"]?["succeeded"], 1)
        let other = try h.get("/apis/batch/v1/namespaces/default/jobs/other").json
        XCTAssertEqual(other["status"]?["active"], 1)
        XCTAssertNil(other["status"]?["succeeded"])
        await h.stop()
    }
}
