import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

final class ServerTests: XCTestCase {
    func testDiscovery() async throws {
        let h = try await Harness()
        let version = try h.get("/version")
        XCTAssertEqual(version.json["gitVersion"], "v1.32.0")
        XCTAssertEqual(try h.get("/api").json["versions"], ["v1"])
        let core = try h.get("/api/v1").json
        XCTAssertEqual(core["kind"], "APIResourceList")
        let pods = core["resources"]?.arrayValue?.first { $0["name"] == "pods" }
        XCTAssertEqual(pods?["namespaced"], true)
        XCTAssertEqual(pods?["kind"], "Pod")
        XCTAssertTrue(pods?["verbs"]?.arrayValue?.contains("patch") ?? false)
        XCTAssertTrue(core["resources"]?.arrayValue?.contains { $0["name"] == "pods/eviction" } ?? false)
        let groups = try h.get("/apis").json
        let apps = groups["groups"]?.arrayValue?.first { $0["name"] == "apps" }
        XCTAssertEqual(apps?["preferredVersion"], ["groupVersion": "apps/v1", "version": "v1"])
        let appsV1 = try h.get("/apis/apps/v1").json
        XCTAssertEqual(appsV1["groupVersion"], "apps/v1")
        XCTAssertTrue(appsV1["resources"]?.arrayValue?.contains { $0["name"] == "deployments" && $0["kind"] == "Deployment" } ?? false)

        let unknownGroup = try h.get("/apis/nope.example.com/v1/things")
        XCTAssertEqual(unknownGroup.status, 404)
        XCTAssertEqual(unknownGroup.text, "404 page not found\n")
        XCTAssertTrue(unknownGroup.headers["content-type"]?.hasPrefix("text/plain") ?? false)
        let unknownResource = try h.get("/apis/apps/v1/namespaces/default/gizmos")
        XCTAssertEqual(unknownResource.status, 404)
        XCTAssertEqual(unknownResource.json["kind"], "Status")
        XCTAssertEqual(unknownResource.json["reason"], "NotFound")

        h.emulator.register(widgetType)
        XCTAssertTrue(try h.get("/apis").json["groups"]?.arrayValue?.contains { $0["name"] == "example.com" } ?? false)
        XCTAssertEqual(try h.get("/apis/example.com/v1").json["resources"]?[0]?["name"], "widgets")
        await h.stop()
    }

    func testBearerTokenAuthAndRotation() async throws {
        let h = try await Harness(EmulatorOptions(bearerTokens: ["t1"]))
        let denied = try h.get("/version")
        XCTAssertEqual(denied.status, 401)
        XCTAssertEqual(denied.json, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                                     "message": "Unauthorized", "reason": "Unauthorized", "code": 401])
        h.token = "wrong"
        XCTAssertEqual(try h.get("/api/v1/namespaces").status, 401)
        h.token = "t1"
        XCTAssertEqual(try h.get("/api/v1/namespaces").status, 200)
        h.emulator.setBearerTokens(["t2"])
        XCTAssertEqual(try h.get("/api/v1/namespaces").status, 401)
        h.token = "t2"
        XCTAssertEqual(try h.get("/api/v1/namespaces").status, 200)
        let logged = h.emulator.requests()
        XCTAssertEqual(logged.map(\.status), [401, 401, 200, 401, 200])
        XCTAssertEqual(logged.last?.requestHeaders["authorization"], "Bearer <redacted>")
        await h.stop()
    }

    func testTLSWithClientCertificates() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emu-certs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let certs = try EmulatorCertificates.generate(in: dir)
        let h = try await Harness(EmulatorOptions(tls: certs.tls, bearerTokens: ["secret"]))
        XCTAssertTrue(h.emulator.baseURL.hasPrefix("https://127.0.0.1:"))
        h.curlArgs = ["--cacert", certs.ca.certificateURL.path]
        XCTAssertEqual(try h.get("/api/v1/namespaces").status, 401, "no certificate, no token")
        h.token = "secret"
        XCTAssertEqual(try h.get("/api/v1/namespaces").status, 200, "handshake without a client certificate still works")
        h.token = nil
        h.curlArgs += ["--cert", certs.client.certificateURL.path, "--key", certs.client.keyURL.path]
        XCTAssertEqual(try h.get("/api/v1/namespaces").status, 200, "a certificate from the client CA authenticates")
        h.curlArgs = ["--cacert", certs.ca.certificateURL.path, "--cert", certs.wrongClient.certificateURL.path, "--key", certs.wrongClient.keyURL.path]
        XCTAssertThrowsError(try h.get("/api/v1/namespaces"), "a certificate from another CA fails the handshake")
        // localhost is in the server certificate too.
        let viaName = try Curl.request("GET", "https://localhost:\(h.emulator.port)/version", headers: ["Authorization": "Bearer secret"],
                                       curlArgs: ["--cacert", certs.ca.certificateURL.path])
        XCTAssertEqual(viaName.status, 200)
        await h.stop()
    }

    func testFaultRules() async throws {
        let h = try await Harness()
        h.emulator.addFault(FaultRule(verb: "get", resource: "configmaps", namePattern: "flaky-*", afterCalls: 1, count: 2,
                                      action: .status(code: 429, reason: "TooManyRequests", message: "slow down", retryAfterSeconds: 3)))
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("flaky-1"))
        let path = "/api/v1/namespaces/default/configmaps/flaky-1"
        XCTAssertEqual(try h.get(path).status, 200, "first call skipped")
        let throttled = try h.get(path)
        XCTAssertEqual(throttled.status, 429)
        XCTAssertEqual(throttled.headers["retry-after"], "3")
        XCTAssertEqual(throttled.json["reason"], "TooManyRequests")
        XCTAssertEqual(throttled.json["message"], "slow down")
        XCTAssertEqual(throttled.json["details"]?["retryAfterSeconds"], 3)
        XCTAssertEqual(try h.get(path).status, 429)
        XCTAssertEqual(try h.get(path).status, 200, "count exhausted")

        h.emulator.addFault(FaultRule(verb: "list", action: .expireContinue))
        let first = try h.get("/api/v1/namespaces/default/configmaps?limit=1")
        XCTAssertEqual(first.status, 200, "no continue token, no fault")
        _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("second"))
        let page = try h.get("/api/v1/namespaces/default/configmaps?limit=1")
        let expired = try h.get("/api/v1/namespaces/default/configmaps?limit=1&continue=\(page.json["metadata"]?["continue"]?.stringValue ?? "")")
        XCTAssertEqual(expired.status, 410)

        h.emulator.clearFaults()
        h.emulator.addFault(FaultRule(verb: "create", action: .latency(seconds: 0.3)))
        let start = Date()
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/configmaps", configMap("slow")).status, 201)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.3)
        await h.stop()
    }

    func testRequestLog() async throws {
        let h = try await Harness()
        h.emulator.clearRequests()
        _ = try h.post("/api/v1/namespaces/default/configmaps?fieldManager=test", configMap("a"))
        _ = try h.get("/api/v1/namespaces/default/configmaps?limit=5", accept: "application/json")
        _ = try h.patch("/api/v1/namespaces/default/configmaps/a", ["data": ["x": "1"]], type: "application/merge-patch+json")
        let log = h.emulator.requests()
        XCTAssertEqual(log.map(\.method), ["POST", "GET", "PATCH"])
        XCTAssertEqual(log.map(\.verb), ["create", "list", "patch"])
        XCTAssertEqual(log[0].status, 201)
        XCTAssertEqual(log[0].query["fieldManager"], ["test"])
        XCTAssertEqual(log[0].resource, "configmaps")
        XCTAssertEqual(log[0].namespace, "default")
        XCTAssertEqual(log[0].contentType, "application/json")
        XCTAssertEqual(log[0].bodySize, log[0].body?.count)
        XCTAssertNil(log[1].body)
        XCTAssertEqual(log[1].rawQuery, "limit=5")
        XCTAssertEqual(log[1].requestHeaders["accept"], "application/json")
        XCTAssertEqual(log[2].contentType, "application/merge-patch+json")
        XCTAssertEqual(log[2].name, "a")
        XCTAssertTrue(log.allSatisfy { $0.durationSeconds >= 0 })
        h.emulator.clearRequests()
        XCTAssertTrue(h.emulator.requests().isEmpty)
        await h.stop()
    }
}
