import Foundation
import KubeClient
import Logging

/// One run of DESIGN.md's pipeline: lock → snapshot → checks → plan → apply (+ Events) →
/// report → unlock. Dry runs and offline runs take no lock and write nothing; their plan is
/// the one a real run would apply from the same snapshot.
public struct Run: Sendable {
    public var options: RunOptions
    /// nil only in offline mode.
    public var client: KubeClient?
    public var stop: StopSignal
    public var logger: Logger
    public var progress: (@Sendable (SnapshotProgress) -> Void)?
    public var now: @Sendable () -> Date
    /// How the Lease waits (between renewals, while watching an expired-looking holder).
    public var sleep: @Sendable (Double) async throws -> Void

    public init(options: RunOptions, client: KubeClient?, stop: StopSignal = StopSignal(),
                logger: Logger = Logger(label: "kreconcile.run"), progress: (@Sendable (SnapshotProgress) -> Void)? = nil,
                now: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (Double) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1e9)) }) {
        self.options = options
        self.client = client
        self.stop = stop
        self.logger = logger
        self.progress = progress
        self.now = now
        self.sleep = sleep
    }

    /// A failure before any write could start (listing, reading files, the Lease API).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        /// The input was bad (an unreadable or invalid snapshot file), not the cluster:
        /// nothing was sent, and the CLI exits 2.
        public var isInputError = false
    }

    public func execute() async throws(Failure) -> RunReport {
        let started = now()
        let clockStart = ContinuousClock.now
        var timings = Timings()
        let settings = options.settings
        let checks = settings.checks.enabledChecks(from: Checks.all)

        // Lock: only a real run changes anything, so only it takes the Lease.
        var lease: LeaseLock?
        var lockStatus: RunReport.LockStatus?
        if options.mode.persists, let client {
            let namespace = settings.lock.namespace ?? client.config.namespace
            let lock = LeaseLock(client: client, name: options.leaseName(), namespace: namespace, holder: options.identity,
                                 durationSeconds: settings.lock.leaseDurationSeconds, renewDeadlineSeconds: settings.lock.renewDeadlineSeconds,
                                 logger: logger, now: now, sleep: sleep)
            let leaseName = "\(namespace)/\(lock.name)"
            let stop = self.stop
            func heldByOther(_ holder: LeaseHolder) -> RunReport {
                let name = holder.lease.map { "\(namespace)/\($0)" } ?? leaseName
                logger.notice("another run holds the Lease; not acting", metadata: [
                    "lease": "\(name)", "holder": "\(holder.identity)", "until": "\(MicroTime.format(holder.expires))",
                ])
                let status = RunReport.LockStatus(lease: name, state: "held-by-other", holder: holder.identity,
                                                  heldUntil: MicroTime.format(holder.expires))
                return report(started: started, lock: status, checks: [], results: [], plan: nil)
            }
            do {
                switch try await lock.acquire(shouldStop: { stop.reason != nil }) {
                case .heldBy(let holder):
                    return heldByOther(holder)
                case .acquired(let previous):
                    if let previous { logger.info("took over an expired Lease", metadata: ["lease": "\(leaseName)", "previous": "\(previous)"]) }
                    lockStatus = RunReport.LockStatus(lease: leaseName, state: "acquired", holder: options.identity)
                }
                // Sharded and unsharded runs exclude each other (LeaseExclusion).
                if let other = try await LeaseExclusion.otherSide(client: client, namespace: namespace, lockName: settings.lock.name,
                                                                  shard: options.shard, now: now()) {
                    await release(lock)
                    return heldByOther(other)
                }
            } catch {
                await release(lock)
                throw Failure(description: "taking the Lease \(leaseName): \(error)")
            }
            await lock.startRenewing { reason in stop.request(reason) }
            lease = lock
            timings.lockSeconds = Timings.seconds(since: clockStart)
        } else if options.mode != .offline {
            lockStatus = RunReport.LockStatus(lease: "\(settings.lock.namespace ?? client?.config.namespace ?? "default")/\(options.leaseName())",
                                              state: "not-taken")
        }

        // The run's wall-clock bound (timeouts.runDeadlineSeconds, `--deadline`): past it no
        // write starts and a listing in progress is abandoned; the report says so and the run
        // exits 1 like any stopped run. The Applier also refuses a write that could not end by it.
        let deadlineTimer = options.mode == .offline ? nil : Task { [stop, now] in
            let bound = Double(settings.timeouts.runDeadlineSeconds)
            let left = started.addingTimeInterval(bound).timeIntervalSince(now())
            if left > 0 { try await Task.sleep(nanoseconds: UInt64(left * 1e9)) }
            stop.request(Self.deadlineReason(bound))
        }
        defer { deadlineTimer?.cancel() }

        do {
            let listStart = ContinuousClock.now
            let listTimings = ListTimings()
            guard let snapshot = try await loadSnapshot(checks: checks, timings: listTimings) else {
                // Stopped while listing: nothing was written; report that and let go.
                if let lease { await release(lease) }
                return report(started: started, lock: lockStatus, checks: [], results: [], plan: nil)
            }
            timings.listSeconds = Timings.seconds(since: listStart)
            timings.list = listTimings.all
            let reports = Timings.measure(&timings.checksSeconds) { Checks.evaluate(checks, snapshot: snapshot, settings: settings) }
            // The breaker judges the whole plan: a crossed limit aborts before any write.
            let (plan, trips) = Timings.measure(&timings.planSeconds) {
                Breaker.plan(reports, snapshot: snapshot, settings: settings, shard: options.shard)
            }
            let journal = lease != nil ? makeJournal(started: started) : nil
            let applyStart = ContinuousClock.now
            let results = await apply(plan, started: started, lease: lease, journal: journal)
            timings.applySeconds = Timings.seconds(since: applyStart)
            if let lease, let lost = await lease.lost { lockStatus?.state = "lost"; logger.error("\(lost)") }
            var done = Timings.measure(&timings.reportSeconds) { () -> RunReport in
                let statuses = reports.map {
                    RunReport.CheckStatus(name: $0.check, findings: $0.findings.count, notApplicable: $0.notApplicable,
                                          examined: $0.notApplicable == nil ? $0.examined : nil)
                }
                var r = report(started: started, lock: lockStatus, checks: statuses, results: results, plan: plan, planTime: snapshot.takenAt)
                r.safety = trips.isEmpty ? nil : SafetyReport(trips: trips, dryRun: !options.mode.persists)
                return r
            }
            timings.totalSeconds = Timings.seconds(since: clockStart)
            done.timings = timings
            if let lease {
                // The record is written while the Lease is still ours (History/KeepRecord.swift).
                if let journal { done = await keepRecord(done, journal: journal, lease: lease, started: started) }
                await release(lease)
            }
            timings.totalSeconds = Timings.seconds(since: clockStart)
            done.timings = timings
            return done
        } catch let error as Failure {
            if let lease { await release(lease) }
            throw error
        } catch {
            if let lease { await release(lease) }
            throw Failure(description: "\(error)")
        }
    }

    /// nil when a stop was requested while listing.
    private func loadSnapshot(checks: [any Check], timings: ListTimings) async throws -> Snapshot? {
        if options.mode == .offline {
            do {
                let files = try Snapshot.readFiles(options.snapshotFiles)
                var snapshot = try Snapshot(documents: files.documents, origins: files.origins, checks: checks, settings: options.settings)
                snapshot.takenAt = now()
                return snapshot
            } catch {
                throw Failure(description: "\(error)", isInputError: true)
            }
        }
        guard let client else { throw Failure(description: "no cluster connection") }
        var configured = SnapshotLoader(client: client, settings: options.settings, checks: checks, progress: progress)
        configured.timings = timings
        let loader = configured
        // SIGTERM while listing abandons the listing: nothing was written yet.
        let task = Task { try await loader.load() }
        stop.onStop { task.cancel() }
        do {
            var snapshot = try await task.value
            snapshot.takenAt = now()  // the run's clock: a rollout restart stamps this time
            return snapshot
        } catch where stop.reason != nil {
            // The cancellation surfaces as CancellationError or as a cancelled transfer.
            logger.warning("stopped while listing; nothing was changed", metadata: ["reason": "\(stop.reason ?? "")"])
            return nil
        }
    }

    private func apply(_ plan: Plan, started: Date, lease: LeaseLock?, journal: BackupJournal?) async -> [ActionResult] {
        let settings = options.settings
        let recorder = options.mode.persists ? client.map { EventRecorder(client: $0, instance: options.identity, logger: logger, now: now) } : nil
        var applier = Applier(client: client, mode: options.mode,
                              deadline: started.addingTimeInterval(Double(settings.timeouts.runDeadlineSeconds)),
                              writeReserveSeconds: Double(settings.timeouts.requestSeconds), logger: logger, now: now)
        applier.journal = journal
        let stop = self.stop
        // Before each write: a stop request, or the Lease no longer renewed in time.
        let deadline = started.addingTimeInterval(Double(settings.timeouts.runDeadlineSeconds))
        let reserve = Double(settings.timeouts.requestSeconds)
        let clock = self.now
        let stopReason: @Sendable () async -> String? = {
            if let reason = stop.reason { return reason }
            // A write that could not end by the deadline does not start: that is the deadline.
            if deadline.timeIntervalSince(clock()) < reserve {
                stop.request(Self.deadlineReason(Double(settings.timeouts.runDeadlineSeconds), reserve: reserve))
                return stop.reason
            }
            guard let lease, let reason = await lease.mayWrite() else { return nil }
            stop.request(reason)
            return reason
        }
        return await applier.apply(plan, stopReason: stopReason, onApplied: { result in
            await recorder?.record(result)
        })
    }

    static func deadlineReason(_ seconds: Double, reserve: Double? = nil) -> String {
        let bound = "run deadline of \(Int(seconds))s (timeouts.runDeadlineSeconds or --deadline)"
        guard let reserve else { return "\(bound) reached" }
        return "\(bound) near: a write may take \(Int(reserve))s"
    }

    private func release(_ lease: LeaseLock) async {
        do { try await lease.release() } catch {
            logger.warning("could not release the Lease; it expires on its own", metadata: ["error": "\(error)"])
        }
    }

    /// `planTime`: the snapshot's time, from which the estimate replays the maintenance windows.
    func report(started: Date, lock: RunReport.LockStatus?, checks: [RunReport.CheckStatus], results: [ActionResult], plan: Plan?,
                planTime: Date? = nil) -> RunReport {
        let s = options.settings
        let source = options.mode == .offline ? options.snapshotFiles.joined(separator: ",") : (client?.config.server ?? "")
        let meta = RunReport.Metadata(
            startTime: MicroTime.format(started), finishTime: MicroTime.format(now()), mode: options.mode, source: source,
            shard: options.shard.map { "\($0.index)/\($0.count)" }, lock: lock, stopped: stop.reason,
            budgets: .init(maxChanges: s.budgets.maxChanges, maxPerNamespace: s.budgets.maxPerNamespace,
                           maxPerNode: s.budgets.maxPerNode, maxUnhealthyWorkloads: s.budgets.maxUnhealthyWorkloads))
        let estimate = plan.map { plan -> RunReport.Estimate in
            let e = Estimate.compute(plan: plan, settings: s, intervalSeconds: options.scheduleIntervalSeconds, start: planTime)
            return .init(remainingFindings: e.remainingFindings, runsNeeded: e.runsNeeded, timeNeededSeconds: e.timeNeededSeconds,
                         scheduleIntervalSeconds: options.scheduleIntervalSeconds, blockedBy: e.blockedBy)
        }
        return RunReport(metadata: meta, checks: checks, results: results, estimate: estimate)
    }
}
