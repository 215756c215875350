import Foundation
import KubeClient
import KubeEmulator
import Logging
import XCTest

/// Starts an emulator for one test and builds clients pointed at it.
struct Harness {
    let emulator: KubeEmulator
    let clock = VirtualClock()

    static func start(_ options: EmulatorOptions = EmulatorOptions()) async throws -> Harness {
        let emulator = KubeEmulator(options: options)
        try await emulator.start()
        return Harness(emulator: emulator)
    }

    /// A client with rate limiting off and a virtual clock, so retry delays are recorded, not waited.
    func client(token: String? = nil, tls: TLSSettings = TLSSettings(), credentials: (any CredentialSource)? = nil,
                retry: RetryPolicy = RetryPolicy(random: { 0.5 }), pageSize: Int = 500,
                logger: Logger = Logger(label: "test"), qps: Double = 0, transport: CurlTransport = CurlTransport()) -> KubeClient {
        let source = credentials ?? token.map { StaticCredentialSource(.bearer($0)) }
        let config = ClientConfig(server: emulator.baseURL, tls: tls, credentials: source)
        return KubeClient(config: config, options: .init(qps: qps, burst: 10, retry: retry, pageSize: pageSize),
                          transport: transport, logger: logger, clock: clock)
    }

    func stop() async { await emulator.shutdown() }
}

func configMap(_ name: String, namespace: String = "default", data: [String: String] = [:]) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": .string(name), "namespace": .string(namespace)],
        "data": .object(data.mapValues { .string($0) }),
    ]
}

func namespace(_ name: String) -> JSONValue {
    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
}

/// Runs `body` and returns the KubeAPIError it throws (failing the test otherwise).
func expectAPIError(_ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async -> KubeAPIError? {
    do {
        try await body()
        XCTFail("expected a KubeAPIError", file: file, line: line)
    } catch let error as KubeAPIError {
        return error
    } catch {
        XCTFail("expected a KubeAPIError, got \(error)", file: file, line: line)
    }
    return nil
}
