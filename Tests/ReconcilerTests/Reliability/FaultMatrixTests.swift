import Foundation
import KubeClient
import KubeEmulator
import Reconciler
import XCTest

/// Every kind of request a run sends × every fault the emulator injects, as one table.
/// Each cell: a fresh generated cluster, one run with the fault firing on every matching
/// request, then fault-free runs (one CronJob interval apart, controllers settled between).
/// The faulty run must end with the exit code and line the documentation gives for that
/// failure, keep every engine rule (RunInvariants), apply no action twice (also not in the
/// next run), and the fault-free runs must converge within the budget's bound.
final class FaultMatrixTests: XCTestCase {
    /// A request kind and how to aim a fault at it. `target` picks the resource (and name)
    /// from a fault-free baseline run, so the cell hits a request the run really sends.
    struct RequestKind: Sendable {
        var name: String
        var verb: String
        var target: @Sendable (_ baseline: [RequestRecord]) -> (resource: String?, name: String?)?
        /// Renew the Lease during the run (only the renew cell needs it).
        var renews = false
        var isList: Bool { verb == "list" }
    }


    enum Fault: CaseIterable {
        case throttledRetryAfter, throttled, internalError, unavailable, conflict, notFound, expiredContinue
        case resetBeforeBody, resetMidBody, truncatedBody, slowerThanTimeout

        var name: String { "\(self)" }

        func action() -> FaultRule.Action {
            switch self {
            case .throttledRetryAfter: .status(code: 429, reason: "TooManyRequests", message: "slow down", retryAfterSeconds: 1)
            case .throttled: .status(code: 429, reason: "TooManyRequests", message: "slow down", retryAfterSeconds: nil)
            case .internalError: .status(code: 500, reason: "InternalError", message: "etcd hiccup", retryAfterSeconds: nil)
            case .unavailable: .status(code: 503, reason: "ServiceUnavailable", message: "overloaded", retryAfterSeconds: nil)
            case .conflict: .status(code: 409, reason: "Conflict", message: "the object has been modified", retryAfterSeconds: nil)
            case .notFound: .status(code: 404, reason: "NotFound", message: "not found", retryAfterSeconds: nil)
            case .expiredContinue: .expireContinue
            case .resetBeforeBody: .resetConnection(afterBytes: nil)
            case .resetMidBody: .resetConnection(afterBytes: 4)
            case .truncatedBody: .truncateBody(bytes: 3)
            case .slowerThanTimeout: .latency(seconds: FaultMatrixTests.timeout * 2)
            }
        }

        /// A fault of the connection, not of the API: its cells go over HTTP through curl, the
        /// others hand requests to the emulator in-process (the same answers, faster).
        var isTransport: Bool { [.resetBeforeBody, .resetMidBody, .truncatedBody, .slowerThanTimeout].contains(self) }
    }

    static let timeout = 0.4

    /// A request the baseline sent on one object with this content type, e.g. the json patch
    /// of an ownerReference fix or the strategic-merge patch of a rollout restart.
    static func patched(_ contentType: String) -> @Sendable (_ baseline: [RequestRecord]) -> (resource: String?, name: String?)? {
        { baseline in
            let patches = Dictionary(grouping: baseline.filter { $0.method == "PATCH" }, by: { "\($0.resource ?? "")/\($0.name ?? "")" })
            // An object this run patches only with this type, so the fault hits no other kind.
            return patches.values.sorted { $0[0].path < $1[0].path }
                .first { $0.allSatisfy { $0.contentType == contentType } }
                .map { ($0[0].resource, $0[0].name) }
        }
    }

    static func sent(_ verb: String, _ resource: String) -> @Sendable (_ baseline: [RequestRecord]) -> (resource: String?, name: String?)? {
        { baseline in baseline.contains { $0.verb == verb && $0.resource == resource } ? (resource, nil) : nil }
    }

    static let kinds: [RequestKind] = [
        // Discovery has no verb or resource: the empty strings aim at exactly those paths.
        RequestKind(name: "discovery", verb: "", target: { b in b.contains { $0.verb == nil && $0.path.hasPrefix("/api") } ? ("", nil) : nil }),
        RequestKind(name: "list (every page of every kind)", verb: "list", target: { _ in (nil, nil) }),
        RequestKind(name: "list pods (each page)", verb: "list", target: sent("list", "pods")),
        RequestKind(name: "get Lease (acquire)", verb: "get", target: sent("get", "leases")),
        RequestKind(name: "create Lease (acquire)", verb: "create", target: sent("create", "leases")),
        RequestKind(name: "update Lease (renew)", verb: "update", target: sent("update", "leases"), renews: true),
        RequestKind(name: "update Lease (release)", verb: "update", target: sent("update", "leases")),
        RequestKind(name: "patch json-patch", verb: "patch", target: patched(MediaType.jsonPatch)),
        RequestKind(name: "patch strategic-merge", verb: "patch", target: patched(MediaType.strategicMergePatch)),
        RequestKind(name: "delete", verb: "delete", target: { b in
            b.first { $0.verb == "delete" }.map { ($0.resource, $0.name) }
        }),
        RequestKind(name: "eviction", verb: "create", target: sent("create", "pods/eviction")),
        RequestKind(name: "create Event", verb: "create", target: sent("create", "events")),
    ]

    static func applies(_ kind: RequestKind, _ fault: Fault) -> Bool {
        fault != .expiredContinue || kind.isList  // a continue token only exists on lists
    }

    /// What the documentation says a run does when `fault` hits every `kind` request.
    /// (exit code, substring of the run's last line; nil = "ok").
    static func expected(_ kind: RequestKind, _ fault: Fault) -> (exit: Int32, line: String?) {
        switch kind.name {
        case "update Lease (release)", "create Event":
            return (0, nil)  // best effort: the Lease expires on its own; an Event is a courtesy
        case "update Lease (renew)":
            // 409/404 say another run took the Lease: stop before the next write.
            return [.conflict, .notFound].contains(fault) ? (1, "Lease") : (0, nil)
        case "get Lease (acquire)":
            return fault == .notFound ? (0, nil) : (1, "taking the Lease")  // 404: no Lease yet, create it
        case "create Lease (acquire)":
            return (1, "taking the Lease")
        case "patch json-patch", "patch strategic-merge", "delete", "eviction":
            // 409/404: the object changed since the snapshot (skipped). An eviction's 429 is
            // a PodDisruptionBudget's "not now" (deferred). Otherwise the action failed.
            if [.conflict, .notFound].contains(fault) { return (0, nil) }
            if kind.name == "eviction", [.throttled, .throttledRetryAfter].contains(fault) { return (0, nil) }
            return (1, "failed:")
        default:
            return (1, nil)  // discovery and lists: the run cannot plan and stops before writing
        }
    }

    func testEveryRequestKindUnderEveryFault() async throws {
        var settings = Settings.defaults
        settings.client.pageSize = 4
        settings.timeouts.runDeadlineSeconds = 86_400  // simulated waits move the run's clock; the deadline has its own tests
        // Room for every action in the first run, so it sends every kind of request.
        settings.budgets = Budgets(maxChanges: 30, maxPerNamespace: 10, maxPerNode: 10, maxUnhealthyWorkloads: 10)
        let spec = ClusterSpec(nodes: 2, namespaces: 1, pods: 10, daemonsets: 1, statefulsets: 1, pdbs: 1, seed: 3, problemRate: 0.5)

        // The baseline: which requests a fault-free first run sends.
        let base = try await ReliabilityCluster(spec: spec)
        let baseline = await base.run(settings: settings, waits: .real(0.005), requestTimeout: Self.timeout)
        await base.stop()
        XCTAssertEqual(baseline.exitCode, 0, baseline.line)
        let notApplied = baseline.report?.entries.filter { $0.action != nil && $0.result != .applied } ?? []
        XCTAssert(notApplied.isEmpty, "the baseline run should apply every action: \(notApplied.map { "\($0.object.name): \($0.result) \($0.detail ?? "")" })")

        let cells = Self.kinds.flatMap { k in Fault.allCases.filter { Self.applies(k, $0) }.map { (k, $0) } }
        progress("fault matrix: \(Self.kinds.count) request kinds × \(Fault.allCases.count) faults = \(cells.count) cells")
        for kind in Self.kinds {
            XCTAssertNotNil(kind.target(baseline.requests), "the baseline run sent no \(kind.name) request: its cells would test nothing")
        }
        var failures: [String] = []
        let only = ProcessInfo.processInfo.environment["KRECONCILE_CELL"]  // e.g. "eviction × resetBeforeBody"
        for (kind, fault) in cells where only.map({ "\(kind.name) × \(fault.name)".contains($0) }) ?? true {
            guard let target = kind.target(baseline.requests) else { continue }
            let started = Date()
            let problems = try await cell(kind, fault, target: target, spec: spec, settings: settings)
            progress("\(kind.name) × \(fault.name): \(problems.isEmpty ? "ok" : "\(problems.count) problems") in \(String(format: "%.2f", Date().timeIntervalSince(started)))s")
            failures += problems.map { "[\(kind.name) × \(fault.name)] \($0)" }
        }
        XCTAssert(failures.isEmpty, "\(failures.count) problems:\n" + failures.joined(separator: "\n"))
    }

    func cell(_ kind: RequestKind, _ fault: Fault, target: (resource: String?, name: String?),
              spec: ClusterSpec, settings: Settings) async throws -> [String] {
        let c = try await ReliabilityCluster(spec: spec, inProcess: !fault.isTransport)
        var problems: [String] = []
        let invariants = RunInvariants(settings: settings, mode: .real, before: c.emulator)
        c.emulator.addFault(FaultRule(verb: kind.verb, resource: target.resource, namePattern: target.name, action: fault.action()))
        var faulty = await c.run(settings: settings, waits: kind.renews ? .real(0.005) : .block, requestTimeout: Self.timeout)
        c.emulator.clearFaults()
        if fault == .slowerThanTimeout {
            // The server logs a request once it has answered, after the client gave up on it.
            try await Task.sleep(nanoseconds: UInt64(Self.timeout * 2.5 * 1e9))
            faulty.requests = c.emulator.requests()
        }
        let fired = faulty.requests.contains { r in
            (kind.verb.isEmpty ? r.verb == nil : r.verb == kind.verb) && (target.resource.map { $0.isEmpty || r.resource == $0 } ?? true)
        }
        if !fired { problems.append("the fault never met a matching request") }
        let want = Self.expected(kind, fault)
        if faulty.exitCode != want.exit { problems.append("exit \(faulty.exitCode), documented \(want.exit): \(faulty.line)") }
        if let part = want.line, !faulty.line.contains(part) { problems.append("last line \"\(faulty.line)\" lacks \"\(part)\"") }
        if want.line == nil, want.exit == 0, faulty.line != "ok" { problems.append("line \"\(faulty.line)\"") }
        if faulty.line.contains("\n") { problems.append("the last line spans several lines") }
        problems += invariants.violations(faulty.requests)
        let appliedByFaulty = Set(RunInvariants.actionWrites(faulty.requests).filter { (200..<300).contains($0.status) }.map(RunInvariants.actionKey))

        // Fault-free runs finish the job.
        c.emulator.settle(maxSteps: 20)
        problems += try await converge(c, settings: settings, appliedBefore: appliedByFaulty)
        await c.stop()
        return problems
    }

    /// Fault-free runs until nothing actionable is left, within the documented bound.
    func converge(_ c: ReliabilityCluster, settings: Settings, appliedBefore: Set<String>) async throws -> [String] {
        var problems: [String] = []
        var bound: Int?
        var runs = 0
        while true {
            let invariants = RunInvariants(settings: settings, mode: .real, before: c.emulator)
            let r = await c.run(settings: settings)
            runs += 1
            problems += invariants.violations(r.requests)
            if runs == 1 {
                for w in RunInvariants.actionWrites(r.requests) where (200..<300).contains(w.status) {
                    let key = RunInvariants.actionKey(w)
                    if appliedBefore.contains(key) { problems.append("the next run applied again: \(key)") }
                }
            }
            guard let report = r.report else { problems.append("fault-free run \(runs) failed: \(r.line)"); return problems }
            if r.exitCode != 0 { problems.append("fault-free run \(runs) exited \(r.exitCode): \(r.line)") }
            if bound == nil { bound = ConvergenceBound.runs(report, settings: settings) }
            if r.actionable == 0 { return problems }
            if runs >= bound! {
                problems.append("\(r.actionable) actionable findings left after \(runs) fault-free runs (bound \(bound!))")
                return problems
            }
            c.emulator.settle(maxSteps: 20)
        }
    }
}

/// Unbuffered, so a long or stuck test shows how far it got.
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
