import Foundation
import KubeClient
import Synchronization
import XCTest

@testable import KubeEmulator

/// Transport faults, the request log over HTTP and the step route.
final class FaultTests: XCTestCase {
    let cm = "/api/v1/namespaces/default/configmaps/a"

    func testResetAndTruncatedResponsesBreakTheConnection() async throws {
        let h = try await Harness()
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("a"))
        h.emulator.addFault(FaultRule(verb: "get", resource: "configmaps", count: 1, action: .resetConnection(afterBytes: nil)))
        XCTAssertThrowsError(try h.get(cm)) { XCTAssertEqual(($0 as NSError).code, 52, "curl: empty reply") }
        h.emulator.addFault(FaultRule(verb: "get", resource: "configmaps", count: 1, action: .truncateBody(bytes: 10)))
        XCTAssertThrowsError(try h.get(cm)) { XCTAssertEqual(($0 as NSError).code, 18, "curl: partial file") }
        h.emulator.addFault(FaultRule(verb: "get", resource: "configmaps", count: 1, action: .resetConnection(afterBytes: 4)))
        XCTAssertThrowsError(try h.get(cm)) { XCTAssertEqual(($0 as NSError).code, 18) }
        XCTAssertEqual(try h.get(cm).status, 200, "faults spent")
        await h.stop()
    }

    func testKubeClientSeesConnectionLostAndRetriesReads() async throws {
        let h = try await Harness()
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("a"))
        let config = ClientConfig(server: h.emulator.baseURL)
        let noRetry = KubeClient(config: config, options: .init(qps: 0, retry: .none))
        h.emulator.addFault(FaultRule(verb: "get", resource: "configmaps", count: 1, action: .truncateBody(bytes: 3)))
        do {
            let _: JSONValue = try await noRetry.get(.configMaps, namespace: "default", name: "a")
            XCTFail("expected a transport error")
        } catch let error as TransportError {
            XCTAssertEqual(error.kind, .connectionLost)
        }
        h.emulator.addFault(FaultRule(verb: "get", resource: "configmaps", count: 2, action: .resetConnection(afterBytes: 0)))
        let retrying = KubeClient(config: config, options: .init(qps: 0, retry: RetryPolicy(maxAttempts: 4, baseDelay: 0.01, random: { 0 })))
        let got: JSONValue = try await retrying.get(.configMaps, namespace: "default", name: "a")
        XCTAssertEqual(got["metadata"]?["name"], "a")
        await h.stop()
    }

    func testRequestLogAndStepRoutes() async throws {
        let h = try await Harness()
        _ = try h.post("/api/v1/namespaces/default/configmaps?dryRun=All", configMap("a"))
        _ = try h.get("/api/v1/namespaces/default/configmaps?limit=1")
        let log = try h.get("/_emulator/requests")
        XCTAssertEqual(log.status, 200)
        let items = log.json["items"]?.arrayValue ?? []
        XCTAssertEqual(items.count, 2, "the log route itself is not logged")
        XCTAssertEqual(items[0]["method"], "POST")
        XCTAssertEqual(items[0]["verb"], "create")
        XCTAssertEqual(items[0]["resource"], "configmaps")
        XCTAssertEqual(items[0]["namespace"], "default")
        XCTAssertEqual(items[0]["status"], 201)
        XCTAssertEqual(items[0]["dryRun"], true)
        XCTAssertEqual(items[0]["contentType"], "application/json")
        XCTAssertGreaterThan(items[0]["bodySize"]?.intValue ?? 0, 0)
        XCTAssertEqual(items[1]["query"], ["limit": ["1"]])
        XCTAssertEqual(items[1]["dryRun"], false)
        XCTAssertEqual(items[1]["name"], .null)
        XCTAssertNotNil(items[1]["durationSeconds"]?.doubleValue)
        XCTAssertEqual(try h.delete("/_emulator/requests").json["cleared"], 2)
        XCTAssertEqual(try h.get("/_emulator/requests").json["items"], [])

        let disabled = try h.call("POST", "/_emulator/step")
        XCTAssertEqual(disabled.status, 404)
        XCTAssertEqual(disabled.json, ["message": "controllers disabled"])
        let steps = Mutex(0)
        h.emulator.core.stepHandler.withLock { $0 = { ["steps": .number(Double(steps.withLock { $0 += 1; return $0 }))] } }
        XCTAssertEqual(try h.call("POST", "/_emulator/step").json, ["steps": 1])
        XCTAssertEqual(try h.call("POST", "/_emulator/step").json, ["steps": 2])
        await h.stop()
    }
}
