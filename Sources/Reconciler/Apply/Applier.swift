import Foundation
import KubeClient
import Logging

/// Sends a plan's batch in order, one write at a time, and turns every plan entry into an
/// `ActionResult`. Every request already carries its precondition (built by the check), so
/// the Applier never re-reads an object: a 409/404, or a failed JSON-patch test (422), means
/// the object changed since the snapshot and the action is skipped while the run carries on.
/// It stops *starting* writes when the run's deadline is near or a stop was requested
/// (SIGTERM, a Lease lost or not renewed within its renew deadline); the write in flight then finishes, the rest are skipped.
public struct Applier: Sendable {
    public var client: KubeClient?
    public var mode: RunMode
    /// When the run must be over; nil = no deadline.
    public var deadline: Date?
    /// Seconds one write may take (the request timeout): no write starts later than
    /// `deadline - writeReserveSeconds`, so it ends before the deadline.
    public var writeReserveSeconds: Double
    public var logger: Logger
    public var now: @Sendable () -> Date
    /// Backs up each real write's prior state (Backup/BackupJournal.swift); nil = none.
    public var journal: (any WriteJournal)?

    public init(client: KubeClient?, mode: RunMode, deadline: Date? = nil, writeReserveSeconds: Double = 30,
                logger: Logger = Logger(label: "kreconcile.apply"), now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.mode = mode
        self.deadline = deadline
        self.writeReserveSeconds = writeReserveSeconds
        self.logger = logger
        self.now = now
    }

    /// Results in the order of `plan.entries`. `stopReason` is asked right before each write
    /// starts (nil = carry on: no stop request, the Lease renewed within its deadline);
    /// `onApplied` runs after each persisted write (Events).
    public func apply(_ plan: Plan, stopReason: @escaping @Sendable () async -> String? = { nil },
                      onApplied: @Sendable (ActionResult) async -> Void = { _ in }) async -> [ActionResult] {
        var results: [ActionResult?] = plan.entries.map { entry in
            switch entry.decision {
            case .planned: return nil
            case .deferred(let reason): return ActionResult(entry: entry, outcome: .deferred, detail: reason.description)
            case .reportOnly: return ActionResult(entry: entry, outcome: .reported, detail: "no safe automatic fix; report only")
            case .aborted(let trip): return ActionResult(entry: entry, outcome: .aborted, detail: trip.detail(dryRun: !mode.persists))
            }
        }
        let order = plan.entries.indices.compactMap { i -> (Int, Int)? in
            if case .planned(let n) = plan.entries[i].decision { return (n, i) }
            return nil
        }.sorted { $0.0 < $1.0 }.map(\.1)

        var stopped: String?
        for index in order {
            let entry = plan.entries[index]
            if stopped == nil { stopped = await stopReason() }
            if stopped == nil { stopped = deadlineReason() }
            if let stopped {
                results[index] = ActionResult(entry: entry, outcome: .skipped, detail: "not started: \(stopped)")
                continue
            }
            let result = await applyOne(entry, retryGate: { await stopReason() ?? deadlineReason() })
            results[index] = result
            if result.outcome == .applied { await onApplied(result) }
        }
        return results.map { $0! }  // every index is filled: non-planned above, planned in the loop
    }

    private func deadlineReason() -> String? {
        guard let deadline else { return nil }
        let left = deadline.timeIntervalSince(now())
        return left < writeReserveSeconds ? "run deadline near (\(max(0, Int(left)))s left, a write may take \(Int(writeReserveSeconds))s)" : nil
    }

    /// `retryGate` holds back a retry (after a 429's Retry-After) that could no longer start.
    func applyOne(_ entry: PlanEntry, retryGate: (@Sendable () async -> String?)? = nil) async -> ActionResult {
        guard let action = entry.finding.action else {
            return ActionResult(entry: entry, outcome: .reported)
        }
        guard mode.sendsWrites, let client else {
            return ActionResult(entry: entry, outcome: .dryRun, detail: mode == .offline ? "not sent (offline snapshot)" : "not sent (client dry run)")
        }
        // An Eviction takes dryRun from the query when its deleteOptions has none
        // (pkg/registry/core/pod/storage/eviction.go, propagateDryRun), so the
        // query parameter alone makes every planned write a server dry run.
        let request = mode == .serverDryRun ? action.request.dryRun() : action.request
        if mode == .real, let journal, let veto = await journal.willWrite(entry) {
            return ActionResult(entry: entry, outcome: .skipped, detail: veto)
        }
        do {
            let response = try await client.send(request, retryGate: retryGate)
            if mode == .real { await journal?.didWrite(entry, response: response) }
            let outcome: ActionOutcome = mode == .serverDryRun ? .dryRun : .applied
            let detail = mode == .serverDryRun ? "accepted by the server (dryRun=All)" : nil
            logger.info(mode == .serverDryRun ? "server dry run accepted" : "applied", metadata: [
                "object": "\(action.target)", "action": "\(action.summary)", "code": "\(response.status)",
            ])
            return ActionResult(entry: entry, outcome: outcome, detail: detail, httpStatus: response.status)
        } catch let error as KubeAPIError {
            let (outcome, detail) = WriteOutcome.classify(error, request: request)
            logger.log(level: outcome == .failed ? .error : .warning, "\(outcome.rawValue)", metadata: [
                "object": "\(action.target)", "action": "\(action.summary)", "detail": "\(detail)",
            ])
            return ActionResult(entry: entry, outcome: outcome, detail: detail, httpStatus: error.code)
        } catch {
            logger.error("failed", metadata: ["object": "\(action.target)", "error": "\(error)"])
            return ActionResult(entry: entry, outcome: .failed, detail: "\(request.method) \(request.path): \(error)")
        }
    }
}
