import Foundation
import KubeClient
import Synchronization
import XCTest

@testable import KubeEmulator

/// The in-process transport's simulated latency (property tests time out on injected
/// latency alone, without sleeping), and generated objects kept parsed.
final class InProcessTransportTests: XCTestCase {
    static let configMap = Data(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"slow","namespace":"default"}}"#.utf8)

    private func create(_ t: InProcessTransport) async throws -> HTTPResponse {
        try await t.send(HTTPRequest(method: "POST", url: "http://in-process/api/v1/namespaces/default/configmaps",
                                     headers: [("Content-Type", "application/json")], body: Self.configMap), tls: TLSSettings())
    }

    func testSimulatedLatencyPastTheTimeoutTimesOutAfterTheServerActedWithoutSleeping() async throws {
        let emulator = KubeEmulator()
        emulator.addFault(FaultRule(verb: "create", resource: "configmaps", action: .latency(seconds: 30)))
        let waited = Mutex<[Double]>([])
        let t = InProcessTransport(emulator, timeoutSeconds: 0.5, latency: .simulated(waited: { s in waited.withLock { $0.append(s) } }))
        let started = ContinuousClock.now
        do {
            _ = try await create(t)
            XCTFail("a 30 s latency must time out at 0.5 s")
        } catch let error as TransportError {
            XCTAssertEqual(error.kind, .timeout)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "the latency is simulated, not slept")
        XCTAssertEqual(waited.withLock { $0 }, [0.5], "the client waited its timeout")
        XCTAssertNotNil(emulator.object("configmaps", namespace: "default", name: "slow"), "the server acted before the timeout")
        XCTAssertGreaterThan(emulator.requests().last?.durationSeconds ?? 0, 30, "the log shows the simulated latency")
    }

    func testSimulatedLatencyWithinTheTimeoutAnswers() async throws {
        let emulator = KubeEmulator()
        emulator.addFault(FaultRule(verb: "create", resource: "configmaps", action: .latency(seconds: 0.2)))
        let waited = Mutex<[Double]>([])
        let t = InProcessTransport(emulator, timeoutSeconds: 0.5, latency: .simulated(waited: { s in waited.withLock { $0.append(s) } }))
        let response = try await create(t)
        XCTAssertEqual(response.status, 201)
        XCTAssertEqual(waited.withLock { $0 }, [0.2])
    }

    func testRealLatencyIsSlept() async throws {
        let emulator = KubeEmulator()
        emulator.addFault(FaultRule(verb: "create", resource: "configmaps", action: .latency(seconds: 0.3)))
        let started = ContinuousClock.now
        do {
            _ = try await create(InProcessTransport(emulator, timeoutSeconds: 0.1))
            XCTFail("a 0.3 s latency must time out at 0.1 s")
        } catch let error as TransportError {
            XCTAssertEqual(error.kind, .timeout)
        }
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(300))
    }

    func testKeptParsedObjectsAreNotParsedAgainAndListTheSame() throws {
        let emulator = KubeEmulator()
        emulator.generate(try ClusterSpec(parsing: "pods=12,nodes=2,namespaces=2,seed=5"))
        let before = emulator.objects("pods", namespace: nil)
        emulator.keepParsedObjects()
        let parses = StoredObject.treeParses.load(ordering: .relaxed)
        XCTAssertEqual(emulator.objects("pods", namespace: nil), before)
        _ = emulator.objects("replicasets", namespace: nil)
        XCTAssertEqual(StoredObject.treeParses.load(ordering: .relaxed), parses, "kept trees are not parsed again")
    }
}
