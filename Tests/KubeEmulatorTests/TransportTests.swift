import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// Response compression, HTTP/2 over TLS and the bounded request log.
final class TransportTests: XCTestCase {
    /// 300 ConfigMaps of about 1 KB: the list is well over the 128 KiB gzip threshold.
    private func seedLarge(_ h: Harness) throws {
        let filler = String(repeating: "x", count: 1000)
        for i in 0..<300 { try h.emulator.seed(configMap(String(format: "big-%03d", i), data: ["blob": .string(filler)])) }
    }

    func testLargeResponsesAreGzippedWhenAccepted() async throws {
        let h = try await Harness()
        try seedLarge(h)
        let url = h.emulator.baseURL + "/api/v1/namespaces/default/configmaps"
        let identity = try Curl.request("GET", url)
        XCTAssertNil(identity.headers["content-encoding"])
        XCTAssertGreaterThan(identity.body.count, GzipEncoding.thresholdBytes)

        let raw = try Curl.request("GET", url, headers: ["Accept-Encoding": "gzip"])
        XCTAssertEqual(raw.headers["content-encoding"], "gzip")
        XCTAssertEqual(raw.headers["vary"], "Accept-Encoding")
        XCTAssertEqual(Array(raw.body.prefix(2)), [0x1F, 0x8B], "a gzip member")
        XCTAssertLessThan(raw.body.count, identity.body.count / 5)

        // curl decodes it: the same document as the identity response.
        let decoded = try Curl.request("GET", url, curlArgs: ["--compressed"])
        XCTAssertEqual(decoded.json, identity.json)
        XCTAssertEqual(decoded.json["items"]?.arrayValue?.count, 300)
        XCTAssertEqual(h.emulator.requests().map(\.contentEncoding), [nil, "gzip", "gzip"])

        // At or under the threshold the body goes as is, like the real server.
        let small = try Curl.request("GET", url + "?limit=2", headers: ["Accept-Encoding": "gzip"])
        XCTAssertNil(small.headers["content-encoding"])
        XCTAssertEqual(small.json["items"]?.arrayValue?.count, 2)
        await h.stop()
    }

    func testTLSNegotiatesHTTP2AndStillServesHTTP1() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emu-h2-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let certs = try EmulatorCertificates.generate(in: dir)
        let h = try await Harness(EmulatorOptions(tls: certs.tls))
        h.curlArgs = ["--cacert", certs.ca.certificateURL.path]
        let h2 = try h.call("GET", "/version", headers: [:])
        XCTAssertEqual(h2.status, 200)
        h.curlArgs += ["--http1.1"]
        let h1 = try h.call("GET", "/version", headers: [:])
        XCTAssertEqual(h1.status, 200)
        XCTAssertEqual(h.emulator.requests().map(\.httpVersion), ["2", "1.1"])
        await h.stop()
    }

    func testRequestLogIsARingOfTheNewest() async throws {
        let h = try await Harness(EmulatorOptions(requestLogCapacity: 3))
        for name in ["a", "b", "c", "d", "e"] { _ = try h.get("/api/v1/namespaces/default/configmaps/\(name)") }
        XCTAssertEqual(h.emulator.requests().map(\.name), ["c", "d", "e"])
        XCTAssertEqual(h.emulator.droppedRequests, 2)
        let served = try h.get("/_emulator/requests")
        XCTAssertEqual(served.json["items"]?.arrayValue?.map { $0["name"] }, ["c", "d", "e"])
        XCTAssertEqual(served.json["dropped"], 2)
        h.emulator.clearRequests()
        XCTAssertEqual(h.emulator.requests().count, 0)
        XCTAssertEqual(h.emulator.droppedRequests, 0)
        _ = try h.get("/api/v1/namespaces/default/configmaps/f")
        XCTAssertEqual(h.emulator.requests().map(\.name), ["f"])
        await h.stop()
    }
}
