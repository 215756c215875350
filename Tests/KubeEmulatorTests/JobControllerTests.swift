import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// The Job controller over HTTP: Jobs created through the API, stepped controllers, pod
/// phases written through the pods' status subresource as a kubelet would.
final class JobControllerTests: XCTestCase {
    let jobs = "/apis/batch/v1/namespaces/default/jobs"

    func job(_ name: String, _ spec: JSONValue = [:], image: String = "busybox:1") -> JSONValue {
        var s = spec
        s["template"] = ["spec": ["restartPolicy": "Never", "containers": [["name": "main", "image": .string(image)]]]]
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name), "namespace": "default"], "spec": s]
    }

    func start() async throws -> Harness {
        let h = try await Harness(EmulatorOptions(controllers: .manual))
        try h.emulator.seed(node("node-1"))
        return h
    }

    func pods(_ h: Harness, _ job: String) throws -> [JSONValue] {
        (try h.get("/api/v1/namespaces/default/pods?labelSelector=batch.kubernetes.io/job-name%3D\(job)").json["items"]?.arrayValue ?? [])
            .sorted { $0.name < $1.name }
    }

    func finish(_ h: Harness, _ pod: JSONValue, phase: String) throws {
        var p = try h.get("/api/v1/namespaces/default/pods/\(pod.name)").json
        p["status"]?["phase"] = .string(phase)
        XCTAssertEqual(try h.put("/api/v1/namespaces/default/pods/\(pod.name)/status", p).status, 200)
    }

    func conditions(_ job: JSONValue) -> [String] {
        (job["status"]?["conditions"]?.arrayValue ?? []).compactMap { c in
            c["status"] == "True" ? "\(c["type"]?.stringValue ?? "")/\(c["reason"]?.stringValue ?? "")" : nil
        }
    }

    func testJobRunsAPodWithTheRealLabelsAndCompletes() async throws {
        let h = try await start()
        let created = try h.post(jobs, job("once")).json
        let uid = created.uid
        XCTAssertEqual(created["spec"]?["selector"]?["matchLabels"]?["batch.kubernetes.io/controller-uid"]?.stringValue, uid)
        h.emulator.settle()
        let made = try pods(h, "once")
        XCTAssertEqual(made.count, 1)
        let pod = try XCTUnwrap(made.first)
        XCTAssertTrue(pod.name.hasPrefix("once-"))
        for (k, v) in ["batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "once", "controller-uid": uid, "job-name": "once"] {
            XCTAssertEqual(pod.labels[k], v, k)
        }
        XCTAssertEqual(pod.controllerRef?["kind"], "Job")
        XCTAssertEqual(pod.controllerRef?["uid"]?.stringValue, uid)
        XCTAssertEqual(pod.finalizers, ["batch.kubernetes.io/job-tracking"])
        XCTAssertEqual(pod["status"]?["phase"], "Running")
        var running = try h.get("\(jobs)/once").json
        XCTAssertEqual(running["status"]?["active"], 1)
        XCTAssertEqual(running["status"]?["ready"], 1)
        XCTAssertNotNil(running["status"]?["startTime"]?.stringValue)

        try finish(h, pod, phase: "Succeeded")
        h.emulator.settle()
        running = try h.get("\(jobs)/once").json
        XCTAssertEqual(conditions(running), ["SuccessCriteriaMet/CompletionsReached", "Complete/CompletionsReached"])
        XCTAssertEqual(running["status"]?["succeeded"], 1)
        XCTAssertNil(running["status"]?["active"])
        XCTAssertNotNil(running["status"]?["completionTime"]?.stringValue)
        XCTAssertEqual(try pods(h, "once").first?.finalizers, [], "the counted pod's tracking finalizer is removed")
        await h.stop()
    }

    func testFailuresPastTheBackoffLimitFailTheJob() async throws {
        let h = try await start()
        _ = try h.post(jobs, job("flaky", ["backoffLimit": 1]))
        h.emulator.settle()
        try finish(h, try XCTUnwrap(try pods(h, "flaky").first), phase: "Failed")
        h.emulator.settle()
        let second = try pods(h, "flaky").filter { $0["status"]?["phase"] == "Running" }
        XCTAssertEqual(second.count, 1, "a failed pod is replaced while within the backoff limit")
        XCTAssertEqual(try h.get("\(jobs)/flaky").json["status"]?["failed"], 1)
        try finish(h, try XCTUnwrap(second.first), phase: "Failed")
        h.emulator.settle()
        let failed = try h.get("\(jobs)/flaky").json
        XCTAssertEqual(conditions(failed), ["FailureTarget/BackoffLimitExceeded", "Failed/BackoffLimitExceeded"])
        XCTAssertEqual(failed["status"]?["failed"], 2)
        XCTAssertEqual(try pods(h, "flaky").count, 2, "no pod after the limit")
        await h.stop()
    }

    func testActiveDeadlineFailsTheJobAndDeletesItsPods() async throws {
        let h = try await start()
        _ = try h.post(jobs, job("slow", ["activeDeadlineSeconds": 30]))
        h.emulator.settle()
        XCTAssertEqual(try pods(h, "slow").count, 1)
        // An hour later, as far as the Job's startTime says.
        var j = try h.get("\(jobs)/slow").json
        j["status"]?["startTime"] = .string(ServerStamp.at(Date().addingTimeInterval(-3600)))
        XCTAssertEqual(try h.put("\(jobs)/slow/status", j).status, 200)
        h.emulator.step()
        j = try h.get("\(jobs)/slow").json
        XCTAssertEqual(conditions(j), ["FailureTarget/DeadlineExceeded"], "Failed waits for the pod to terminate")
        h.emulator.settle()
        j = try h.get("\(jobs)/slow").json
        XCTAssertEqual(conditions(j), ["FailureTarget/DeadlineExceeded", "Failed/DeadlineExceeded"])
        XCTAssertEqual(try pods(h, "slow").count, 0)
        XCTAssertEqual(j["status"]?["failed"], 1)
        await h.stop()
    }

    func testIndexedJobRunsEachIndexOnce() async throws {
        let h = try await start()
        _ = try h.post(jobs, job("shards", ["completionMode": "Indexed", "completions": 3, "parallelism": 2]))
        h.emulator.settle()
        var made = try pods(h, "shards")
        XCTAssertEqual(made.compactMap { $0["metadata"]?["annotations"]?["batch.kubernetes.io/job-completion-index"]?.stringValue }.sorted(), ["0", "1"])
        let one = try XCTUnwrap(made.first { $0.labels["batch.kubernetes.io/job-completion-index"] == "1" })
        XCTAssertTrue(one.name.hasPrefix("shards-1-"))
        let env = one["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? []
        XCTAssertEqual(env.first { $0["name"] == "JOB_COMPLETION_INDEX" }?["valueFrom"]?["fieldRef"]?["fieldPath"],
                       "metadata.annotations['batch.kubernetes.io/job-completion-index']")
        try finish(h, one, phase: "Succeeded")
        h.emulator.settle()
        made = try pods(h, "shards")
        XCTAssertEqual(try h.get("\(jobs)/shards").json["status"]?["completedIndexes"], "1")
        XCTAssertTrue(made.contains { $0.labels["batch.kubernetes.io/job-completion-index"] == "2" }, "index 2 starts in the freed slot")
        for p in made where p["status"]?["phase"] == "Running" { try finish(h, p, phase: "Succeeded") }
        h.emulator.settle()
        let done = try h.get("\(jobs)/shards").json
        XCTAssertEqual(done["status"]?["completedIndexes"], "0-2")
        XCTAssertEqual(done["status"]?["succeeded"], 3)
        XCTAssertEqual(conditions(done).last, "Complete/CompletionsReached")
        await h.stop()
    }

    func testTTLAfterFinishedDeletesTheJobAndTheCollectorItsPods() async throws {
        let h = try await start()
        _ = try h.post(jobs, job("brief", ["ttlSecondsAfterFinished": 0]))
        h.emulator.settle()
        try finish(h, try XCTUnwrap(try pods(h, "brief").first), phase: "Succeeded")
        h.emulator.settle()
        XCTAssertEqual(try h.get("\(jobs)/brief").status, 404)
        XCTAssertEqual(try pods(h, "brief").count, 0)
        await h.stop()
    }
}
