import Foundation
import KubeClient
import KubeEmulator
@testable import Reconciler
import Synchronization
import XCTest

/// examples/cluster.yaml plus Tests/Fixtures/teardown-install-extras.yaml: a full
/// KubeArmor operator and Gatekeeper install.
enum TeardownFixtures {
    static var extras: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("Fixtures/teardown-install-extras.yaml"), encoding: .utf8)
        }
    }

    /// The example plus `extras`, with its workloads' ReplicaSets and pods created by the
    /// emulator's controllers.
    static func install(_ emulator: KubeEmulator) throws {
        try ExampleCluster.seed(emulator)
        try emulator.seed(yamlOrJSON: try extras)
        emulator.settle()
        emulator.clearRequests()
    }

    static func pods(_ emulator: KubeEmulator, namespace: String, app: String, label: String = "kubearmor-app") -> [JSONValue] {
        emulator.objects("pods", namespace: namespace).filter { $0["metadata"]?["labels"]?[label]?.stringValue == app }
    }

    static func writes(_ emulator: KubeEmulator) -> [RequestRecord] {
        emulator.requests().filter { $0.method != "GET" && $0.resource != "leases" }
    }

    static func describe(_ r: RequestRecord) -> String { "\(r.method) \(r.resource ?? "?")/\(r.name ?? "")" }
}

/// Runs a teardown against an in-process emulator whose controllers move only between
/// polls: each wait steps them once and moves the clock by the poll interval, so the
/// request log and the cluster's state interleave deterministically.
final class TeardownHarness: Sendable {
    let emulator: KubeEmulator
    let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
    /// After each poll: how many requests the server had seen, and a probe of the cluster.
    let samples = Mutex<[(requests: Int, probe: Int)]>([])
    let removed = Mutex<[String]>([])
    let probe: @Sendable (KubeEmulator) -> Int

    init(emulator: KubeEmulator, probe: @escaping @Sendable (KubeEmulator) -> Int = { _ in 0 }) {
        self.emulator = emulator
        self.probe = probe
    }

    func teardown(_ profile: String, mode: RunMode = .real, deleteCRDs: Bool = false, removeFinalizers: Bool = false,
                  timeoutSeconds: Double = 600) throws -> Teardown {
        let parsed = try TeardownProfile.parse(yaml: try XCTUnwrap(BuiltInProfiles.yaml(named: profile)), file: profile)
        return teardown(parsed, mode: mode, deleteCRDs: deleteCRDs, removeFinalizers: removeFinalizers, timeoutSeconds: timeoutSeconds)
    }

    func teardown(_ profile: TeardownProfile, mode: RunMode = .real, deleteCRDs: Bool = false, removeFinalizers: Bool = false,
                  timeoutSeconds: Double = 600) -> Teardown {
        let client = KubeClient(config: ClientConfig(server: emulator.baseURL), options: .init(qps: 0, burst: 10, retry: .none))
        let options = TeardownOptions(profile: profile, mode: mode, timeoutSeconds: timeoutSeconds, deleteCRDs: deleteCRDs,
                                      removeFinalizers: removeFinalizers, pollSeconds: 2, identity: "teardown-test")
        return Teardown(options: options, client: client, now: clock.now, sleep: { [self] seconds in
            emulator.step()
            clock.advance(seconds)
            let sample = (emulator.requests().count, probe(emulator))
            samples.withLock { $0.append(sample) }
        }, onFinalizerRemoved: { [self] line in removed.withLock { $0.append(line) } })
    }

    /// The probe as it was when request `index` arrived: the cluster changes only in polls.
    func probe(atRequest index: Int, initial: Int) -> Int {
        samples.withLock { $0.last { $0.requests <= index }?.probe } ?? initial
    }
}
