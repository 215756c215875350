import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// A write reaches the server at most once, even when the connection drops before its answer:
/// found by the fault matrix (an Eviction applied twice).
final class WriteOnceTests: XCTestCase {
    func testAWriteWhoseConnectionDropsBeforeTheAnswerIsSentOnce() async throws {
        let h = try await Harness.start()
        let client = h.client(retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.001, random: { 0.5 }))
        // A read first, so the write goes out on a kept-alive (reused) connection.
        let _: JSONValue = try await client.get(.namespaces, namespace: nil, name: "default")
        h.emulator.addFault(FaultRule(verb: "create", resource: "configmaps", action: .resetConnection(afterBytes: nil)))
        do {
            _ = try await client.create(.configMaps, namespace: "default", body: configMap("a"))
            XCTFail("the answer never came: the client must say so")
        } catch let error as TransportError {
            XCTAssertTrue(error.requestSent, "\(error)")
        }
        let posts = h.emulator.requests().filter { $0.method == "POST" }
        XCTAssertEqual(posts.count, 1, "the server handled the create \(posts.count) times")
        await h.stop()
    }
}
