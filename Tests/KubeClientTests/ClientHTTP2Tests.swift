import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// The client asks libcurl for h2 over TLS and for gzip; the emulator negotiates both.
final class ClientHTTP2Tests: XCTestCase {
    func testClientTalksHTTP2AndDecodesGzippedPages() async throws {
        let dir = try TempDir()
        let certs = try EmulatorCertificates.generate(in: dir.url)
        let h = try await Harness.start(EmulatorOptions(
            tls: EmulatorTLS(certificatePEM: certs.server.certificatePEM, privateKeyPEM: certs.server.keyPEM),
            bearerTokens: ["t"]))
        defer { Task { await h.stop() } }
        // About 300 KB of ConfigMaps: one page is over the 128 KiB gzip threshold.
        let blob = String(repeating: "y", count: 1000)
        for i in 0..<300 { try h.emulator.seed(configMap(String(format: "h2-%03d", i), data: ["blob": blob])) }

        let client = h.client(token: "t", tls: TLSSettings(caPEM: Data(certs.ca.certificatePEM.utf8)))
        let listed = try await client.list(.configMaps, namespace: "default", as: JSONValue.self)
        XCTAssertEqual(listed.items.count, 300)
        XCTAssertEqual(listed.items.first?["data"]?["blob"]?.stringValue, blob, "the gzipped page decodes to the objects")

        let response = try await client.send(KubeRequest(method: "GET", path: "/version"))
        XCTAssertEqual(response.httpVersion, "2", "libcurl negotiated h2 by ALPN")

        let list = try XCTUnwrap(h.emulator.requests().first { $0.verb == "list" })
        XCTAssertEqual(list.httpVersion, "2")
        XCTAssertEqual(list.contentEncoding, "gzip")
        XCTAssertEqual(list.requestHeaders["accept-encoding"], "gzip")
    }

    /// The cluster's disable-compression: no Accept-Encoding, so the page comes uncompressed,
    /// also on a handle a gzip request used before.
    func testDisableCompressionAsksForNoGzip() async throws {
        let h = try await Harness.start(EmulatorOptions())
        defer { Task { await h.stop() } }
        let blob = String(repeating: "z", count: 1000)
        for i in 0..<200 { try h.emulator.seed(configMap(String(format: "plain-%03d", i), data: ["blob": blob])) }
        let transport = CurlTransport(options: .init(maxConcurrent: 1))  // one handle, reused
        _ = try await h.client(transport: transport).list(.configMaps, namespace: "default", as: JSONValue.self)
        let plain = try await h.client(tls: TLSSettings(disableCompression: true), transport: transport)
            .list(.configMaps, namespace: "default", as: JSONValue.self)
        XCTAssertEqual(plain.items.count, 200)
        let lists = h.emulator.requests().filter { $0.verb == "list" }
        XCTAssertEqual(lists.count, 2)
        XCTAssertEqual(lists.first?.contentEncoding, "gzip")
        XCTAssertNil(lists.last?.requestHeaders["accept-encoding"])
        XCTAssertNil(lists.last?.contentEncoding)
    }
}
