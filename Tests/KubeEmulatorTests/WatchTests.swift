import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// A watch read by curl in the background (`-N`: no buffering), so writes can happen while
/// it is open; lines are read from its output file.
final class WatchReader {
    let process = Process()
    let output: URL
    let headers: URL

    init(_ url: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emu-watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        output = dir.appendingPathComponent("body")
        headers = dir.appendingPathComponent("headers")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-N", "--max-time", "60", "-o", output.path, "-D", headers.path, url]
        try process.run()
    }

    var events: [JSONValue] {
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
    }

    /// Waits (bounded) until `condition` holds for the events read so far.
    func wait(_ what: String, timeout: Double = 20, until condition: ([JSONValue]) -> Bool) async throws -> [JSONValue] {
        let end = Date().addingTimeInterval(timeout)
        while true {
            let e = events
            if condition(e) { return e }
            if Date() > end { XCTFail("timed out waiting for \(what); events: \(e)"); return e }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    /// Waits for curl to end (the server closed the stream).
    func finished(timeout: Double = 20) async throws -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > end { process.terminate(); return false }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        return true
    }

    func stop() { if process.isRunning { process.terminate() } }
}

final class WatchTests: XCTestCase {
    func types(_ events: [JSONValue]) -> [String] { events.compactMap { $0["type"]?.stringValue } }
    func names(_ events: [JSONValue]) -> [String] { events.compactMap { $0["object"]?["metadata"]?["name"]?.stringValue } }
    func rv(_ event: JSONValue) -> Int { Int(event["object"]?["metadata"]?["resourceVersion"]?.stringValue ?? "") ?? -1 }

    /// From a list's resourceVersion, with a field selector: the named object's create,
    /// update and delete arrive in order, the other object's never; the DELETED object
    /// carries the deletion's resourceVersion.
    func testWatchFromListResourceVersionStreamsChangesOfTheSelectedObject() async throws {
        let h = try await Harness()
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("before"))
        let listRV = try h.get("/api/v1/namespaces/default/configmaps").json["metadata"]?["resourceVersion"]?.stringValue ?? ""
        let w = try WatchReader(h.emulator.baseURL + "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(listRV)&fieldSelector=metadata.name%3Da")
        defer { w.stop() }
        try await waitForWatch(h)
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/configmaps", configMap("a")).status, 201)
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/configmaps", configMap("b")).status, 201)
        XCTAssertEqual(try h.patch("/api/v1/namespaces/default/configmaps/a", ["data": ["k": "w"]], type: "application/merge-patch+json").status, 200)
        XCTAssertEqual(try h.delete("/api/v1/namespaces/default/configmaps/a").status, 200)
        let events = try await w.wait("three events") { $0.count >= 3 }
        XCTAssertEqual(types(events), ["ADDED", "MODIFIED", "DELETED"])
        XCTAssertEqual(names(events), ["a", "a", "a"])
        XCTAssertEqual(events[1]["object"]?["data"]?["k"], "w")
        XCTAssertEqual(events[0]["object"]?["kind"], "ConfigMap")
        XCTAssertGreaterThan(rv(events[2]), rv(events[1]))
        XCTAssertEqual(rv(events[2]), h.emulator.resourceVersion)
        let head = (try? String(contentsOf: w.headers, encoding: .utf8)) ?? ""
        XCTAssertTrue(head.lowercased().contains("transfer-encoding: chunked"), head)
        XCTAssertEqual(h.emulator.requests().last { $0.verb == "watch" }?.status, 200)
        await h.stop()
    }

    func waitForWatch(_ h: Harness) async throws {
        let end = Date().addingTimeInterval(20)
        while !h.emulator.requests().contains(where: { $0.verb == "watch" }) {
            guard Date() < end else { throw XCTSkip("the watch request never arrived") }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    /// No resourceVersion: the current objects first as ADDED; a label selector turns an
    /// object that stops matching into DELETED and one that starts matching into ADDED.
    func testWatchWithoutResourceVersionStartsWithTheStateAndFollowsTheSelector() async throws {
        let h = try await Harness()
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("x", labels: ["team": "a"]))
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("y", labels: ["team": "b"]))
        let w = try WatchReader(h.emulator.baseURL + "/api/v1/namespaces/default/configmaps?watch=true&labelSelector=team%3Da")
        defer { w.stop() }
        _ = try await w.wait("the initial state") { $0.count >= 1 }
        _ = try h.patch("/api/v1/namespaces/default/configmaps/x", ["metadata": ["labels": ["team": "b"]]], type: "application/merge-patch+json")
        _ = try h.patch("/api/v1/namespaces/default/configmaps/y", ["metadata": ["labels": ["team": "a"]]], type: "application/merge-patch+json")
        let events = try await w.wait("three events") { $0.count >= 3 }
        XCTAssertEqual(types(events), ["ADDED", "DELETED", "ADDED"])
        XCTAssertEqual(names(events), ["x", "x", "y"])
        // The DELETED object is the one that matched, at the change's resourceVersion.
        XCTAssertEqual(events[1]["object"]?["metadata"]?["labels"]?["team"], "a")
        XCTAssertGreaterThan(rv(events[1]), rv(events[0]))
        await h.stop()
    }

    /// A resourceVersion older than the history holds: one ERROR event with a 410 Expired
    /// Status, then the stream ends (the watch cache's "too old resource version").
    func testWatchFromATooOldResourceVersionAnswersAnExpiredErrorEvent() async throws {
        let h = try await Harness(EmulatorOptions(watchHistoryCapacity: 3))
        let start = h.emulator.resourceVersion
        for i in 0..<5 { _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("c\(i)")) }
        let r = try h.get("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(start)")
        XCTAssertEqual(r.status, 200)
        let events = r.text.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
        XCTAssertEqual(types(events), ["ERROR"])
        XCTAssertEqual(events.first?["object"]?["code"], 410)
        XCTAssertEqual(events.first?["object"]?["reason"], "Expired")
        XCTAssertEqual(events.first?["object"]?["message"]?.stringValue?.hasPrefix("too old resource version: \(start) ("), true)
        // A resourceVersion the history still covers replays what came after it.
        let recent = h.emulator.resourceVersion - 2
        let replay = try WatchReader(h.emulator.baseURL + "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(recent)&timeoutSeconds=1")
        defer { replay.stop() }
        let replayEnded = try await replay.finished()
        XCTAssertTrue(replayEnded)
        XCTAssertEqual(names(replay.events), ["c3", "c4"])
        await h.stop()
    }

    /// allowWatchBookmarks and timeoutSeconds: a BOOKMARK with the current resourceVersion
    /// before the deadline (2 s before it), then the server ends the stream.
    func testBookmarkBeforeTheTimeoutThenTheStreamEnds() async throws {
        let h = try await Harness()
        let started = Date()
        let w = try WatchReader(h.emulator.baseURL + "/api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=3&resourceVersion=\(h.emulator.resourceVersion)")
        defer { w.stop() }
        let ended = try await w.finished()
        XCTAssertTrue(ended)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 2.5)
        let events = w.events
        XCTAssertEqual(types(events), ["BOOKMARK"])
        XCTAssertEqual(events.first?["object"]?["kind"], "Pod")
        XCTAssertEqual(events.first?["object"]?["metadata"]?["resourceVersion"]?.stringValue, String(h.emulator.resourceVersion))
        await h.stop()
    }

    /// The streaming list helm v4 and client-go reflectors send (sendInitialEvents): the
    /// state, then a BOOKMARK annotated k8s.io/initial-events-end; without bookmarks, 422.
    func testSendInitialEventsEndsTheStateWithAnAnnotatedBookmark() async throws {
        let h = try await Harness()
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("one"))
        let base = "/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
        let w = try WatchReader(h.emulator.baseURL + base + "&allowWatchBookmarks=true&timeoutSeconds=1")
        defer { w.stop() }
        let ended = try await w.finished()
        XCTAssertTrue(ended)
        let events = w.events
        XCTAssertEqual(Array(types(events).prefix(2)), ["ADDED", "BOOKMARK"])
        XCTAssertEqual(events.dropFirst().first?["object"]?["metadata"]?["annotations"]?["k8s.io/initial-events-end"], "true")
        let refused = try h.get(base)
        XCTAssertEqual(refused.status, 422)
        XCTAssertEqual(refused.json["reason"], "Invalid")
        // A resourceVersion the server has not reached yet: 504 ResourceVersionTooLarge.
        let future = try h.get("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(h.emulator.resourceVersion + 100)")
        XCTAssertEqual(future.status, 504)
        XCTAssertEqual(future.json["details"]?["causes"]?[0]?["reason"], "ResourceVersionTooLarge")
        await h.stop()
    }

    /// A Table watch prints the column definitions with its first event only; a metadata
    /// watch sends PartialObjectMetadata.
    func testTableWatchHeadersOnceAndMetadataWatchShape() async throws {
        let h = try await Harness()
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("p"))
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("q"))
        let path = "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1"
        let table = try h.get(path, accept: "application/json;as=Table;v=v1;g=meta.k8s.io").text.split(separator: "\n")
            .compactMap { try? JSONValue.parse(Data($0.utf8)) }
        XCTAssertEqual(table.count, 2)
        XCTAssertEqual(table.first?["object"]?["kind"], "Table")
        XCTAssertEqual(table.first?["object"]?["columnDefinitions"]?.arrayValue?.first?["name"], "Name")
        XCTAssertEqual(table.last?["object"]?["columnDefinitions"], .null)
        XCTAssertEqual(table.last?["object"]?["rows"]?[0]?["cells"]?[0], "q")
        let meta = try h.get(path, accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1").text.split(separator: "\n")
            .compactMap { try? JSONValue.parse(Data($0.utf8)) }
        XCTAssertEqual(meta.map { $0["object"]?["kind"] }, ["PartialObjectMetadata", "PartialObjectMetadata"])
        XCTAssertNil(meta.first?["object"]?["data"])
        await h.stop()
    }

    /// kubectl get -w (Table watch): the row of a ConfigMap created while it watches.
    func testKubectlGetWatchPrintsAnObjectCreatedMeanwhile() async throws {
        let k = try await KubectlHarness()
        defer { Task { await k.stop() } }
        let run = try k.start(["get", "configmaps", "-w", "--request-timeout=4s"], timeoutSeconds: 30)
        let end = Date().addingTimeInterval(20)
        while !k.requests(resource: "configmaps", verb: "watch").contains(where: { $0.status == 200 }) {
            guard Date() < end else { XCTFail("kubectl never watched"); return }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        try k.emulator.seed(configMap("made-while-watching"))
        let r = await run.result()
        XCTAssertTrue(r.stdout.contains("made-while-watching"), "stdout: \(r.stdout)\nstderr: \(r.stderr)")
        let watch = k.requests(resource: "configmaps", verb: "watch").first
        XCTAssertNotNil(watch?.query["resourceVersion"], "kubectl watches from its list's resourceVersion")
        XCTAssertEqual(watch?.requestHeaders["accept"]?.contains("as=Table"), true)
    }
}
