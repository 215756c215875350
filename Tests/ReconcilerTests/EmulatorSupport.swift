import Foundation
import KubeClient
import KubeEmulator
import Reconciler
import Synchronization
import XCTest

/// Starts an in-process emulator for one test and builds clients pointed at it.
struct TestCluster {
    let emulator: KubeEmulator

    static func start() async throws -> TestCluster {
        let emulator = KubeEmulator()
        try await emulator.start()
        return TestCluster(emulator: emulator)
    }

    /// No rate limit, no retries: each write is one request in the log.
    func client() -> KubeClient {
        KubeClient(config: ClientConfig(server: emulator.baseURL), options: .init(qps: 0, burst: 10, retry: .none))
    }

    func stop() async { await emulator.shutdown() }

    /// Requests that could change state (anything but GET/HEAD).
    var writes: [RequestRecord] { emulator.requests().filter { $0.method != "GET" && $0.method != "HEAD" } }

    func ref(_ resource: String, _ namespace: String?, _ name: String) throws -> ObjectRef {
        let o = try XCTUnwrap(emulator.object(resource, namespace: namespace, name: name), "\(resource) \(name) missing")
        return ObjectRef(apiVersion: o["apiVersion"]?.stringValue ?? "", kind: o["kind"]?.stringValue ?? "",
                         namespace: o["metadata"]?["namespace"]?.stringValue, name: name,
                         uid: o["metadata"]?["uid"]?.stringValue ?? "", resourceVersion: o["metadata"]?["resourceVersion"]?.stringValue ?? "")
    }
}

func configMapJSON(_ name: String, namespace: String = "default", labels: [String: String] = [:]) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": .object(labels.mapValues { .string($0) })],
        "data": ["k": "v"],
    ]
}

/// A finding whose action labels a ConfigMap with a JSON patch that tests its resourceVersion:
/// the shape every check's metadata fix has.
func labelFinding(_ ref: ObjectRef, check: String = "owner-references") -> Finding {
    let ops: [JSONPatchOperation] = [
        .test("/metadata/resourceVersion", .string(ref.resourceVersion)),
        .add("/metadata/labels/fixed", "yes"),
    ]
    let request = KubeRequest.patch(.configMaps, namespace: ref.namespace, name: ref.name, patch: .json(ops))
    return Finding(check: check, object: ref, reason: "ConfigMap \(ref.name) lacks label fixed",
                   action: Action(actionClass: .metadata, target: ref, summary: "add label fixed=yes", request: request))
}

/// A finding whose action deletes a ConfigMap with uid + resourceVersion preconditions.
func deleteFinding(_ ref: ObjectRef) -> Finding {
    let request = KubeRequest.delete(.configMaps, namespace: ref.namespace, name: ref.name,
                                     options: DeleteOptions(preconditionUID: ref.uid, preconditionResourceVersion: ref.resourceVersion))
    return Finding(check: "gatekeeper-orphaned-vap", object: ref, reason: "orphan",
                   action: Action(actionClass: .orphanDeletion, target: ref, summary: "delete orphan", request: request))
}

func plan(_ findings: [Finding], deferred: [Finding] = [], reportOnly: [Finding] = []) -> Plan {
    Plan(entries: findings.enumerated().map { PlanEntry(finding: $1, decision: .planned(order: $0)) }
        + deferred.map { PlanEntry(finding: $0, decision: .deferred(.maxChanges(findings.count))) }
        + reportOnly.map { PlanEntry(finding: $0, decision: .reportOnly) })
}

/// Wall time that tests move by hand.
final class ManualClock: Sendable {
    private let value: Mutex<Date>
    init(_ start: Date = Date()) { value = Mutex(start) }
    var now: @Sendable () -> Date { { [self] in value.withLock { $0 } } }
    func advance(_ seconds: TimeInterval) { value.withLock { $0 += seconds } }
}
