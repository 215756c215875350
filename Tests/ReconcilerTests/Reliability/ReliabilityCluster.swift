import Foundation
import KubeClient
import KubeEmulator
import Logging
import Reconciler
import Synchronization
import XCTest

/// A small generated cluster showing every problem kreconcile fixes, with the webhooks that
/// make its fixes stick (KubeArmor's AppArmor annotation, Gatekeeper's Assign on
/// `allowPrivilegeEscalation`) so repeated runs can converge, and an extra ReplicaSet
/// without a Deployment whose unprotected pod can only be evicted: a run then sends every
/// kind of request kreconcile has (see `RequestKind`).
final class ReliabilityCluster: @unchecked Sendable {
    let emulator: KubeEmulator
    let spec: ClusterSpec
    /// The run's clock: each run starts one CronJob interval after the previous one, so a
    /// Lease a failed run could not release has expired by the next run (as in production).
    let clock = ManualClock(Date())
    private(set) var runs = 0
    /// Simulated waits of all runs so far, and the real time they took (SeedProfile).
    let waited = Mutex<(count: Int, seconds: Double)>((0, 0))

    /// Requests go straight to the emulator (`InProcessTransport`) rather than over HTTP.
    let inProcess: Bool
    /// In process, latency faults are not slept: they move the run's clock by what the
    /// client waited (InProcessTransport.Latency.simulated).
    let simulatedLatency: Bool

    init(spec: ClusterSpec, evictablePod: Bool = true, inProcess: Bool = false, simulatedLatency: Bool = false) async throws {
        self.spec = spec
        self.inProcess = inProcess
        self.simulatedLatency = simulatedLatency && inProcess
        emulator = KubeEmulator()
        if !inProcess { try await emulator.start() }
        emulator.generate(spec)
        emulator.keepParsedObjects()  // small: the controllers' steps between runs need not parse it again
        emulator.addAdmissionHook(.kubearmor())
        emulator.addAdmissionHook(.gatekeeperAssign(target: .containerSecurityContext("allowPrivilegeEscalation"), value: false))
        if evictablePod { try seedEvictablePod() }
    }

    func stop() async { if !inProcess { await emulator.shutdown() } }

    /// ReplicaSet `legacy` (no Deployment) and its Running pod without an AppArmor profile on
    /// a node where KubeArmor enforces: the AppArmor check can only evict it.
    private func seedEvictablePod() throws {
        guard let node = emulator.objects("nodes", namespace: nil).first(where: {
            $0["metadata"]?["labels"]?["kubearmor.io/enforcer"]?.stringValue == "apparmor"
        })?["metadata"]?["name"]?.stringValue else { return }
        let ns = emulator.objects("namespaces", namespace: nil).compactMap { $0["metadata"]?["name"]?.stringValue }
            .first { !["default", "kube-system", "kube-public", "kube-node-lease", "kubearmor", "gatekeeper-system"].contains($0) } ?? "default"
        let labels: JSONValue = ["app": "legacy"]
        let template: JSONValue = ["metadata": ["labels": labels], "spec": ["containers": [["name": "app", "image": "nginx:1.27"]]]]
        try emulator.seed(["apiVersion": "apps/v1", "kind": "ReplicaSet",
                           "metadata": ["name": "legacy", "namespace": .string(ns), "uid": "legacy-rs-uid", "labels": labels],
                           "spec": ["replicas": 1, "selector": ["matchLabels": labels], "template": template],
                           "status": ["replicas": 1, "readyReplicas": 1, "availableReplicas": 1, "fullyLabeledReplicas": 1, "observedGeneration": 1]])
        try emulator.seed(["apiVersion": "v1", "kind": "Pod",
                           "metadata": ["name": "legacy-x1", "namespace": .string(ns), "labels": labels,
                                        "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "legacy", "uid": "legacy-rs-uid",
                                                             "controller": true, "blockOwnerDeletion": true]]],
                           "spec": ["nodeName": .string(node), "containers": [["name": "app", "image": "nginx:1.27",
                                                                               "securityContext": ["allowPrivilegeEscalation": false]]]],
                           "status": ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]]])
    }

    /// The outcome of one in-process run: its report, or the failure it threw, and what it sent.
    struct Outcome {
        var report: RunReport?
        /// What `Run.Failure` said (or that the run hung), and whether it was an input error.
        var failure: String?
        var inputError = false
        var requests: [RequestRecord]
        /// What `kreconcile run` would exit with.
        var exitCode: Int32 { report?.exitCode(exitCodeFlag: false) ?? (inputError ? 2 : 1) }
        /// The line the run ends with: the report's stop reason, a failed entry's detail or
        /// the failure (what the CLI prints on stderr).
        var line: String {
            if let failure { return failure }
            if let stopped = report?.metadata.stopped { return "stopped: \(stopped)" }
            if let failed = report?.entries.first(where: { $0.result == .failed }) { return "failed: \(failed.detail ?? "")" }
            return "ok"
        }
        /// Findings a later run could act on (planned now or deferred); report-only ones
        /// (bare pods, no safe fix) never go away by running again.
        var actionable: Int { report.map { r in r.entries.filter { $0.action != nil && $0.result != .reported }.count } ?? Int.max }
        var reportOnly: Int { report.map { r in r.entries.filter { $0.result == .reported }.count } ?? 0 }
    }

    /// How the run's Lease waits (between renewals, watching an expired-looking holder).
    enum Waits {
        /// Never returns: no renewal during the run.
        case block
        /// Real sleeps of this length, the run's clock standing still: renewals on the wire.
        case real(Double)
        /// The run's clock moves by what was asked, after a real sleep of this length: a
        /// Lease left behind by a failed run is watched for its duration and taken over.
        case simulated(Double)
    }

    /// One run with its own identity (a CronJob pod), its request log and the clock moved on
    /// by a CronJob interval.
    func run(settings: Settings, mode: RunMode = .real, retry: RetryPolicy = ReliabilityCluster.fastRetry,
             waits: Waits = .simulated(0.05), requestTimeout: Double = 5, stop: StopSignal = StopSignal(),
             transport custom: (any HTTPTransport)? = nil) async -> Outcome {
        runs += 1
        clock.advance(300)
        emulator.clearRequests()
        let options = KubeClient.Options(qps: 0, burst: 10, retry: retry, pageSize: settings.client.pageSize)
        let latency: InProcessTransport.Latency = simulatedLatency ? .simulated(waited: { [clock] in clock.advance($0) }) : .real
        let transport: any HTTPTransport = custom ?? (inProcess ? InProcessTransport(emulator, timeoutSeconds: requestTimeout, latency: latency)
            : CurlTransport(options: .init(requestTimeout: requestTimeout)))
        let client = KubeClient(config: ClientConfig(server: inProcess ? "http://in-process" : emulator.baseURL), options: options,
                                transport: transport, logger: .quiet)
        let clock = self.clock
        let sleep: @Sendable (Double) async throws -> Void = { [self] seconds in
            let t0 = ContinuousClock.now
            defer {
                let d = ContinuousClock.now - t0
                waited.withLock { $0.count += 1; $0.seconds += Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
            }
            switch waits {
            case .block: try await Task.sleep(nanoseconds: 3_600_000_000_000)
            case .real(let s): try await Task.sleep(nanoseconds: UInt64(s * 1e9))
            case .simulated(let s):
                try await Task.sleep(nanoseconds: UInt64(s * 1e9))
                clock.advance(seconds)
            }
        }
        let run = Run(options: RunOptions(mode: mode, settings: settings, identity: "run-\(runs)"), client: client, stop: stop,
                      logger: .quiet, now: clock.now, sleep: sleep)
        // A run that never ends is itself a finding: give up on it after `hangSeconds`.
        let result = await Self.firstOf(seconds: hangSeconds) { () async -> Result<RunReport, Run.Failure> in
            do throws(Run.Failure) { return .success(try await run.execute()) } catch { return .failure(error) }
        }
        switch result {
        case .success(let report)?: return Outcome(report: report, requests: emulator.requests())
        case .failure(let failure)?:
            return Outcome(failure: failure.description, inputError: failure.isInputError, requests: emulator.requests())
        case nil:
            stop.request("test: hung")
            return Outcome(failure: "HUNG: the run did not end within \(hangSeconds)s", requests: emulator.requests())
        }
    }

    var hangSeconds = 60.0

    /// The work's result, or nil when it takes longer than `seconds` (the work is left running).
    static func firstOf<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async -> T) async -> T? {
        let once = ResumeOnce<T?>()
        return await withCheckedContinuation { (c: CheckedContinuation<T?, Never>) in
            once.set(c)
            Task { once.resume(await work()) }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                once.resume(nil)
            }
        }
    }

    /// Short waits: Retry-After is capped so a matrix cell does not sleep whole seconds.
    static let fastRetry = RetryPolicy(maxAttempts: 3, baseDelay: 0.005, maxDelay: 0.02, maxRetryAfter: 0.01, random: { 0.5 })
}

extension Logger {
    /// Only errors would matter, and the tests assert on the report instead.
    static var quiet: Logger {
        var l = Logger(label: "kreconcile.test", factory: { _ in SwiftLogNoOpLogHandler() })
        l.logLevel = .critical
        return l
    }
}

/// A continuation resumed by whichever side comes first.
final class ResumeOnce<T: Sendable>: Sendable {
    private let state = Mutex<CheckedContinuation<T, Never>?>(nil)
    func set(_ c: CheckedContinuation<T, Never>) { state.withLock { $0 = c } }
    func resume(_ value: T) { state.withLock { $0.take() }?.resume(returning: value) }
}
