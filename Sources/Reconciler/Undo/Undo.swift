import Foundation
import KubeClient
import Logging

/// `kreconcile undo [RUN-ID] [--dry-run]`: reverses one run's reversible writes from its
/// record, under the same Lease as a run, bounded like a run, reported like a run, and
/// recorded like a run (so an undo shows in `history` too). A write whose object changed
/// since the run is a conflict: left alone and reported.
public struct Undo: Sendable {
    public var client: KubeClient
    public var settings: Settings
    /// nil: the newest run (not undo) in the history.
    public var runID: String?
    public var dryRun: Bool
    public var identity: String
    public var stop: StopSignal
    public var logger: Logger
    public var now: @Sendable () -> Date
    public var sleep: @Sendable (Double) async throws -> Void

    public init(client: KubeClient, settings: Settings, runID: String?, dryRun: Bool, identity: String = LeaseLock.defaultIdentity(),
                stop: StopSignal = StopSignal(), logger: Logger = Logger(label: "kreconcile.undo"),
                now: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (Double) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1e9)) }) {
        self.client = client
        self.settings = settings
        self.runID = runID
        self.dryRun = dryRun
        self.identity = identity
        self.stop = stop
        self.logger = logger
        self.now = now
        self.sleep = sleep
    }

    public func execute() async throws(Run.Failure) -> RunReport {
        let started = now()
        let history = RunHistory(client: client, settings: settings, logger: logger)
        let record: RunRecord
        do {
            record = try await history.read(runID: try await target(history))
        } catch {
            throw Run.Failure(description: "\(error)")
        }
        // The run's own Lease (a shard's, when it was sharded).
        let leaseName = record.report.metadata.lock?.lease.split(separator: "/").last.map(String.init) ?? settings.lock.name
        let mode: RunMode = dryRun ? .clientDryRun : .real
        var lockStatus = RunReport.LockStatus(lease: "\(history.namespace)/\(leaseName)", state: "not-taken")
        var lease: LeaseLock?
        if !dryRun {
            let lock = LeaseLock(client: client, name: leaseName, namespace: history.namespace, holder: identity,
                                 durationSeconds: settings.lock.leaseDurationSeconds, renewDeadlineSeconds: settings.lock.renewDeadlineSeconds,
                                 logger: logger, now: now, sleep: sleep)
            let stop = self.stop
            do {
                if case .heldBy(let holder) = try await lock.acquire(shouldStop: { stop.reason != nil }) {
                    lockStatus.state = "held-by-other"
                    lockStatus.holder = holder.identity
                    lockStatus.heldUntil = MicroTime.format(holder.expires)
                    return report(started: started, mode: mode, lock: lockStatus, results: [], of: record.runID)
                }
            } catch {
                throw Run.Failure(description: "taking the Lease \(lockStatus.lease): \(error)")
            }
            lockStatus.state = "acquired"
            lockStatus.holder = identity
            await lock.startRenewing { reason in stop.request(reason) }
            lease = lock
        }
        let (plan, lookups) = await UndoPlanner(client: client, settings: settings).plan(record)
        logger.info("undo planned", metadata: ["run": "\(record.runID)", "entries": "\(plan.entries.count)", "ownerLookups": "\(lookups)"])
        let journal = lease != nil ? BackupJournal(client: client, runID: RunID.make(at: started), logger: logger) : nil
        var applier = Applier(client: client, mode: mode, deadline: started.addingTimeInterval(Double(settings.timeouts.runDeadlineSeconds)),
                              writeReserveSeconds: Double(settings.timeouts.requestSeconds), logger: logger, now: now)
        applier.journal = journal
        let stop = self.stop
        let held = lease
        let results = await applier.apply(plan, stopReason: {
            if let reason = stop.reason { return reason }
            guard let lease = held, let reason = await lease.mayWrite() else { return nil }
            stop.request(reason)
            return reason
        }).map { Self.conflict($0, run: record.runID) }
        guard let lease, let journal else { return report(started: started, mode: mode, lock: lockStatus, results: results, of: record.runID) }
        if let lost = await lease.lost { lockStatus.state = "lost"; logger.error("\(lost)") }
        var done = report(started: started, mode: mode, lock: lockStatus, results: results, of: record.runID)
        done = await history.keep(done, operation: .undo, undoOf: record.runID, journal: journal, lease: lease,
                                  deadline: started.addingTimeInterval(Double(settings.timeouts.runDeadlineSeconds)),
                                  maxDeletes: settings.budgets.maxChanges, now: now)
        do { try await lease.release() } catch {
            logger.warning("could not release the Lease; it expires on its own", metadata: ["error": "\(error)"])
        }
        return done
    }

    /// The run to undo: the one named, else the newest run that is not itself an undo.
    func target(_ history: RunHistory) async throws -> String {
        if let runID { return runID }
        guard let newest = try await history.list().first(where: { $0.summary.operation == .run }) else {
            throw HistoryError(description: "no run record in \(history.namespace) to undo (real runs write one; dry runs do not)")
        }
        return newest.summary.runID
    }

    /// A 409 (the object changed, or one of that name exists again) or a failed `test` (422):
    /// somebody else changed it since the run; undo leaves it alone.
    static func conflict(_ result: ActionResult, run: String) -> ActionResult {
        guard result.outcome == .skipped, let status = result.httpStatus, status == 409 || status == 422 else { return result }
        var r = result
        let isCreate = result.entry.finding.action?.request.method == "POST"
        r.detail = isCreate ? "conflict: an object of that name exists again; left alone (\(status))"
            : "conflict: changed since run \(run); left alone (\(status): \(result.detail ?? ""))"
        return r
    }

    func report(started: Date, mode: RunMode, lock: RunReport.LockStatus, results: [ActionResult], of run: String) -> RunReport {
        let s = settings.budgets
        var meta = RunReport.Metadata(startTime: MicroTime.format(started), finishTime: MicroTime.format(now()), mode: mode,
                                      source: client.config.server, lock: lock, stopped: stop.reason,
                                      budgets: .init(maxChanges: s.maxChanges, maxPerNamespace: s.maxPerNamespace, maxPerNode: s.maxPerNode,
                                                     maxUnhealthyWorkloads: s.maxUnhealthyWorkloads))
        meta.undoOf = run
        return RunReport(metadata: meta, checks: [], results: results, estimate: nil)
    }
}
