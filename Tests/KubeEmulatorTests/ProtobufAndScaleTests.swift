import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

final class ProtobufAndScaleTests: XCTestCase {
    /// Protobuf wire helpers: tag + length-delimited payload.
    private func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
        [UInt8(number << 3 | 2), UInt8(payload.count)] + payload
    }
    private func text(_ number: Int, _ s: String) -> [UInt8] { field(number, Array(s.utf8)) }

    func testKubectlStyleProtobufCreate() async throws {
        let h = try await Harness()
        let meta = text(1, "proto") + text(2, "")
        let configMap = field(1, meta) + field(2, text(1, "a") + text(2, "b"))
        let envelope = [0x6b, 0x38, 0x73, 0x00] + field(1, text(1, "v1") + text(2, "ConfigMap")) + field(2, configMap)
        let created = try h.call("POST", "/api/v1/namespaces/default/configmaps", raw: Data(envelope),
                                 contentType: "application/vnd.kubernetes.protobuf")
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.json["data"], ["a": "b"])
        XCTAssertNil(created.json["metadata"]?["generateName"], "empty proto strings are unset")
        // A kind the emulator cannot read as protobuf is a 415, not a crash.
        let node = [0x6b, 0x38, 0x73, 0x00] + field(1, text(1, "v1") + text(2, "Node")) + field(2, field(1, text(1, "n")))
        let refused = try h.call("POST", "/api/v1/nodes", raw: Data(node),
                                 contentType: "application/vnd.kubernetes.protobuf")
        XCTAssertEqual(refused.status, 415)
        await h.stop()
    }

    /// Lists concatenate stored bytes: 20,000 pods list quickly and completely.
    func testLargeListIsServedFromStoredBytes() async throws {
        let h = try await Harness()
        var items: [JSONValue] = []
        for i in 0..<20_000 {
            items.append(["apiVersion": "v1", "kind": "Pod",
                          "metadata": ["name": .string("pod-\(i)"), "namespace": .string("ns-\(i % 10)"), "labels": ["app": "x"]],
                          "spec": ["containers": [["name": "c", "image": "busybox"]], "nodeName": .string("node-\(i % 50)")]])
        }
        try h.emulator.seed(["apiVersion": "v1", "kind": "List", "items": .array(items)])
        let start = Date()
        let all = try h.get("/api/v1/pods")
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(all.status, 200)
        XCTAssertEqual(all.json["items"]?.arrayValue?.count, 20_000)
        XCTAssertLessThan(elapsed, 5, "a 20k-item list takes \(elapsed)s")
        let onNode = try h.get("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-7")
        XCTAssertEqual(onNode.json["items"]?.arrayValue?.count, 400)
        await h.stop()
    }
}
