import Foundation
import KubeClient
import KubeEmulator
import Reconciler
import XCTest

/// Random small clusters × random fault schedules × random settings, one seed each: runs
/// one CronJob interval apart with the controllers settled between, every engine rule
/// checked after every run from the request log (RunInvariants), and once the faults stop,
/// nothing actionable left within ConvergenceBound's runs.
///
/// CI runs 500 seeds (~143 s on a loaded 2-core machine). `KRECONCILE_SEEDS=10000` (or `make
/// property-10k`) runs more, `KRECONCILE_SEED_START=N` from seed N (disjoint ranges in parallel);
/// `KRECONCILE_SEED=N` replays one seed exactly (a failure prints that command).
final class ConvergencePropertyTests: XCTestCase {
    /// Everything one seed decides, derived from the seed alone.
    struct Scenario: CustomStringConvertible {
        var spec: ClusterSpec
        var settings: Settings
        var mode: RunMode
        var faults: [FaultRule]
        var faultyRuns: Int
        /// Objects and namespaces labelled opted out before the first run.
        var optOut: [(resource: String, namespace: String?, name: String)]

        var description: String {
            let b = settings.budgets
            return "pods=\(spec.pods) nodes=\(spec.nodes) ns=\(spec.namespaces) problems=\(spec.problemRate) mode=\(mode) "
                + "budgets=\(b.maxChanges)/\(b.maxPerNamespace)/\(b.maxPerNode)/\(b.maxUnhealthyWorkloads) "
                + "excluded+=\(settings.excludeNamespaces.filter { !Settings.defaultExcludedNamespaces.contains($0) }) "
                + "optOut=\(optOut.map { "\($0.resource)/\($0.name)" }) faults=\(faults.count)×\(faultyRuns) runs"
        }
    }

    static let faultTargets: [(verb: String?, resource: String?)] = [
        ("", ""), ("list", nil), ("list", "pods"), ("get", "leases"), ("create", "leases"), ("update", "leases"),
        ("patch", nil), ("delete", nil), ("create", "pods/eviction"), ("create", "events"), (nil, nil),
    ]

    static func faultAction(_ rng: inout SplitMix64) -> FaultRule.Action {
        switch rng.draw(0...9) {
        case 0: .status(code: 429, reason: "TooManyRequests", message: "slow down", retryAfterSeconds: 1)
        case 1: .status(code: 429, reason: "TooManyRequests", message: "slow down", retryAfterSeconds: nil)
        case 2: .status(code: 500, reason: "InternalError", message: "etcd", retryAfterSeconds: nil)
        case 3: .status(code: 503, reason: "ServiceUnavailable", message: "busy", retryAfterSeconds: rng.coin(0.5) ? 1 : nil)
        case 4: .status(code: 409, reason: "Conflict", message: "modified", retryAfterSeconds: nil)
        case 5: .status(code: 404, reason: "NotFound", message: "gone", retryAfterSeconds: nil)
        case 6: .expireContinue
        case 7: .resetConnection(afterBytes: rng.coin(0.5) ? nil : 4)
        case 8: .truncateBody(bytes: 3)
        default: .latency(seconds: ConvergencePropertyTests.timeout * 1.2)
        }
    }

    static let timeout = 0.5

    static func scenario(seed: UInt64, emulator: KubeEmulator? = nil) -> Scenario {
        var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let spec = ClusterSpec(nodes: rng.draw(1...3), namespaces: rng.draw(1...2), pods: rng.draw(6...14), daemonsets: rng.draw(0...1),
                               statefulsets: rng.draw(0...1), pdbs: rng.draw(0...2), seed: seed, problemRate: [0.3, 0.5, 0.8][rng.draw(0...2)])
        var settings = Settings.defaults
        settings.client.pageSize = [3, 5, 500][rng.draw(0...2)]
        settings.timeouts.runDeadlineSeconds = 86_400  // simulated waits move the run's clock; the deadline has its own tests
        settings.budgets = Budgets(maxChanges: rng.draw(1...15), maxPerNamespace: rng.draw(1...6), maxPerNode: rng.draw(1...3),
                                   maxUnhealthyWorkloads: rng.draw(1...3))
        let modeRoll = rng.draw(0...9)
        let mode: RunMode = modeRoll == 0 ? .clientDryRun : modeRoll == 1 ? .serverDryRun : .real
        var faults: [FaultRule] = []
        for _ in 0..<rng.draw(0...3) {
            let t = faultTargets[rng.draw(0...faultTargets.count - 1)]
            faults.append(FaultRule(verb: t.verb, resource: t.resource, afterCalls: rng.draw(0...30),
                                    count: rng.coin(0.3) ? Int.max : rng.draw(1...3), action: faultAction(&rng)))
        }
        return Scenario(spec: spec, settings: settings, mode: mode, faults: faults, faultyRuns: faults.isEmpty ? 0 : rng.draw(1...2), optOut: [])
    }

    /// Exclusions and opt-outs need the generated cluster's names: drawn after generation,
    /// from the same seed.
    static func addSelections(_ s: inout Scenario, seed: UInt64, emulator: KubeEmulator) throws {
        var rng = SplitMix64(seed: seed &+ 0x5EED)
        let appNamespaces = emulator.objects("namespaces", namespace: nil).compactMap { $0["metadata"]?["name"]?.stringValue }
            .filter { !Settings.defaultExcludedNamespaces.contains($0) && $0 != "default" }.sorted()
        if rng.coin(0.3), !appNamespaces.isEmpty { s.settings.excludeNamespaces.append(appNamespaces[rng.draw(0...appNamespaces.count - 1)]) }
        // Opt out a few objects a check acts on, and now and then a whole namespace.
        for resource in ["deployments", "statefulsets", "daemonsets", "serviceaccounts", "pods", "validatingadmissionpolicybindings"] where rng.coin(0.3) {
            let objects = emulator.objects(resource, namespace: nil)
            guard !objects.isEmpty else { continue }
            var o = objects[rng.draw(0...objects.count - 1)]
            var labels = o["metadata"]?["labels"]?.objectValue ?? [:]
            labels[s.settings.optOutKey] = "true"
            o["metadata"]?["labels"] = .object(labels)
            try emulator.seed(o)
            s.optOut.append((resource, o["metadata"]?["namespace"]?.stringValue, o["metadata"]?["name"]?.stringValue ?? ""))
        }
        if rng.coin(0.15), !appNamespaces.isEmpty, var ns = emulator.object("namespaces", namespace: nil, name: appNamespaces[rng.draw(0...appNamespaces.count - 1)]) {
            var labels = ns["metadata"]?["labels"]?.objectValue ?? [:]
            labels[s.settings.optOutKey] = "true"
            ns["metadata"]?["labels"] = .object(labels)
            try emulator.seed(ns)
            s.optOut.append(("namespaces", nil, ns["metadata"]?["name"]?.stringValue ?? ""))
        }
    }

    /// Broken rules of one seed, each line prefixed with the seed; empty when it held.
    static func check(seed: UInt64) async throws -> [String] {
        var s = scenario(seed: seed)
        var profile = SeedProfile(seed: seed, faults: s.faults)
        let c = try await ReliabilityCluster(spec: s.spec, evictablePod: seed % 2 == 0, inProcess: true, simulatedLatency: true)
        defer { Task { await c.stop() } }
        try addSelections(&s, seed: seed, emulator: c.emulator)
        profile.setup = ContinuousClock.now - profile.started
        profile.mode = "\(s.mode)"
        profile.pods = s.spec.pods
        defer { profile.write(waits: c.waited.withLock { $0 }) }
        var problems: [String] = []
        func run() async -> ReliabilityCluster.Outcome {
            let invariants = RunInvariants(settings: s.settings, mode: s.mode, before: c.emulator)
            let t0 = ContinuousClock.now
            let r = await c.run(settings: s.settings, mode: s.mode, requestTimeout: timeout)
            profile.record(run: ContinuousClock.now - t0, requests: r.requests, timeout: timeout)
            if ProcessInfo.processInfo.environment["KRECONCILE_SEED_TRACE"] != nil {
                progress("seed \(seed) run \(c.runs): \(ContinuousClock.now - t0) exit \(r.exitCode) \(r.requests.count) requests, \(r.actionable) actionable: \(r.line.prefix(200))")
                for w in RunInvariants.actionWrites(r.requests) { progress("  \(w.method) \(w.path) \(w.status)") }
            }
            problems += invariants.violations(r.requests).map { "run \(c.runs): \($0)" }
            if r.line.hasPrefix("HUNG") { problems.append("run \(c.runs): \(r.line)") }
            let t1 = ContinuousClock.now
            profile.settleSteps += c.emulator.settle(maxSteps: 20)
            profile.settle += ContinuousClock.now - t1
            return r
        }
        for rule in s.faults { c.emulator.addFault(rule) }
        for _ in 0..<s.faultyRuns { _ = await run() }
        profile.faultyRuns = s.faultyRuns
        c.emulator.clearFaults()
        if s.mode != .real {
            _ = await run()  // a dry run never converges; it must only never write
            return problems.map { "seed \(seed) [\(s)]: \($0)" }
        }
        let first = await run()
        guard let report = first.report else {
            return (problems + ["fault-free run failed: \(first.line)"]).map { "seed \(seed) [\(s)]: \($0)" }
        }
        let bound = ConvergenceBound.runs(report, settings: s.settings)
        var last = first
        var runs = 1
        while last.actionable - (last.report.map(ConvergenceBound.blockedByBudget) ?? 0) > 0, runs < bound {
            last = await run()
            runs += 1
            if last.report == nil { problems.append("fault-free run \(runs) failed: \(last.line)") ; break }
        }
        let blocked = last.report.map(ConvergenceBound.blockedByBudget) ?? 0
        if last.actionable - blocked > 0 {
            let left = last.report?.entries.filter { $0.action != nil && $0.result != .reported }
                .map { "\($0.object.kind) \($0.object.namespace ?? "")/\($0.object.name) \($0.result) \($0.detail ?? "")" } ?? []
            problems.append("\(last.actionable) actionable findings after \(runs) fault-free runs (bound \(bound)): \(left.prefix(3))")
        }
        return problems.map { "seed \(seed) [\(s)]: \($0)" }
    }

    func testRandomClustersFaultsAndSettingsConverge() async throws {
        let env = ProcessInfo.processInfo.environment
        let seeds: [UInt64]
        if let one = env["KRECONCILE_SEED"].flatMap(UInt64.init) { seeds = [one] } else {
            let count = env["KRECONCILE_SEEDS"].flatMap(UInt64.init) ?? 500
            let start = env["KRECONCILE_SEED_START"].flatMap(UInt64.init) ?? 1
            seeds = Array(start..<start + count)
        }
        let started = Date()
        var failures: [String] = []
        var failedSeeds: [UInt64] = []
        // Seeds are independent (one emulator each): a few at a time.
        let lanes = env["KRECONCILE_SEED_LANES"].flatMap(Int.init) ?? 4
        try await withThrowingTaskGroup(of: (UInt64, [String]).self) { group in
            var next = seeds.makeIterator()
            for _ in 0..<max(1, lanes) { if let s = next.next() { group.addTask { (s, try await Self.check(seed: s)) } } }
            while let (seed, problems) = try await group.next() {
                if !problems.isEmpty {
                    failures += problems
                    failedSeeds.append(seed)
                    progress("FAILED seed \(seed); replay: KRECONCILE_SEED=\(seed) swift test --skip-build --filter ConvergencePropertyTests")
                }
                if let s = next.next() { group.addTask { (s, try await Self.check(seed: s)) } }
            }
        }
        progress("convergence property: \(seeds.count) seeds in \(String(format: "%.1f", Date().timeIntervalSince(started)))s, \(failedSeeds.count) failed")
        XCTAssert(failures.isEmpty, "\(failedSeeds.count) seeds failed:\n" + failures.prefix(40).joined(separator: "\n")
            + "\nreplay one: KRECONCILE_SEED=\(failedSeeds.first ?? 0) swift test --skip-build --filter ConvergencePropertyTests")
    }
}

extension SplitMix64 {
    /// Uniform in `range` (the seed decides everything a scenario draws).
    mutating func draw(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func coin(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}
