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

/// A finding whose action deletes the object (a ConfigMap unless `resource` says otherwise)
/// with uid + resourceVersion preconditions.
func deleteFinding(_ ref: ObjectRef, resource: ResourceDescriptor = .configMaps) -> Finding {
    let request = KubeRequest.delete(resource, namespace: ref.namespace, name: ref.name,
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

/// The real transport with test hooks around each request: `before` runs before the request
/// is sent, `after` once the server has answered but before the client sees the answer, so a
/// test can act at an exact point of a run (stop it, move its clock, hold an answer back)
/// instead of sleeping and hoping.
final class HookTransport: HTTPTransport {
    typealias Hook = @Sendable (HTTPRequest) async -> Void
    private let inner = CurlTransport()
    private let hooks = Mutex<(before: Hook?, after: Hook?)>((nil, nil))

    func before(_ hook: Hook?) { hooks.withLock { $0.before = hook } }
    func after(_ hook: Hook?) { hooks.withLock { $0.after = hook } }

    func send(_ request: HTTPRequest, tls: TLSSettings) async throws -> HTTPResponse {
        if let before = hooks.withLock({ $0.before }) { await before(request) }
        let response = try await inner.send(request, tls: tls)
        if let after = hooks.withLock({ $0.after }) { await after(request) }
        return response
    }
}

extension HTTPRequest {
    /// Whether this is `method` on the collection or an object of `resource` ("leases").
    func matches(_ method: String, _ resource: String) -> Bool {
        let path = url.split(separator: "?").first.map(String.init) ?? url
        return self.method == method && (path.hasSuffix("/\(resource)") || path.contains("/\(resource)/"))
    }
}

/// Opens once; every waiter (before or after) then goes on.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiters.append(c)
                return false
            }
            if resumeNow { c.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }

    var isOpen: Bool { state.withLock { $0.open } }
}

extension TestCluster {
    /// A client over `transport` (no rate limit, no retries).
    func client(transport: any HTTPTransport) -> KubeClient {
        KubeClient(config: ClientConfig(server: emulator.baseURL), options: .init(qps: 0, burst: 10, retry: .none), transport: transport)
    }

    /// Waits (polling, bounded) until `condition` holds: for what a test cannot be told directly.
    func waitFor(_ what: String, timeout: Double = 20, _ condition: () async -> Bool) async throws {
        let end = Date().addingTimeInterval(timeout)
        while !(await condition()) {
            guard Date() < end else { throw WaitTimeout(what: what, seconds: timeout) }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    /// A Lease held by `holder`, renewed at `renewTime`.
    func seedLease(_ name: String = "kreconcile", holder: String, renewTime: Date, duration: Int = 60) throws {
        try emulator.seed(["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                           "metadata": ["name": .string(name), "namespace": "default"],
                           "spec": ["holderIdentity": .string(holder), "leaseDurationSeconds": .number(Double(duration)),
                                    "renewTime": .string(MicroTime.format(renewTime)), "acquireTime": .string(MicroTime.format(renewTime))]])
    }
}

struct WaitTimeout: Error, CustomStringConvertible {
    var what: String
    var seconds: Double
    var description: String { "never happened within \(seconds)s: \(what)" }
}
