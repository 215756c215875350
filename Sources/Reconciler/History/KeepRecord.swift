import Foundation
import KubeClient
import Logging

extension RunHistory {
    /// The history of the instance `settings` describe (its Lease name and namespace).
    public init(client: KubeClient, settings: Settings, logger: Logger) {
        self.init(client: client, namespace: settings.lock.namespace ?? client.config.namespace, instance: settings.lock.name,
                  settings: settings.history, logger: logger)
    }

    /// Writes the record of a finished run or undo while its Lease is held, and returns the
    /// report with `metadata.runID` and `metadata.record` filled in.
    func keep(_ report: RunReport, operation: RunRecord.Operation, undoOf: String? = nil, journal: BackupJournal, lease: LeaseLock,
              deadline: Date, maxDeletes: Int, now: @escaping @Sendable () -> Date) async -> RunReport {
        var report = report
        report.metadata.runID = journal.runID
        report.metadata.undoOf = undoOf
        guard settings.enabled else { return report }
        report.metadata.record = "\(namespace)/\(RecordCodec.name(instance: instance, runID: journal.runID))"
        let record = RunRecord(runID: journal.runID, operation: operation, undoOf: undoOf, report: report, backups: await journal.backups)
        let outcome = await self.record(record, now: now(), maxDeletes: maxDeletes, mayWrite: { await lease.mayWrite() },
                                        mayPrune: { now() >= deadline ? "the run deadline has passed" : nil })
        report.metadata.record = outcome.record + (outcome.truncated.map { " (\($0))" } ?? "")
        return report
    }
}

extension Run {
    /// Only a real run backs up its writes: for its record, and for `--backup-dir`.
    func makeJournal(started: Date) -> BackupJournal? {
        guard let client, options.settings.history.enabled || options.backupDir != nil else { return nil }
        return BackupJournal(client: client, runID: RunID.make(at: started), directory: options.backupDir, logger: logger)
    }

    func keepRecord(_ report: RunReport, journal: BackupJournal, lease: LeaseLock, started: Date) async -> RunReport {
        guard let client else { return report }
        let s = options.settings
        return await RunHistory(client: client, settings: s, logger: logger)
            .keep(report, operation: .run, journal: journal, lease: lease,
                  deadline: started.addingTimeInterval(Double(s.timeouts.runDeadlineSeconds)), maxDeletes: s.budgets.maxChanges, now: now)
    }
}

/// The report's line naming the run and where its record is.
enum RunRecordLine {
    static func text(id: String, record: String?, undoOf: String?) -> String {
        var text = undoOf.map { "undo \(id) of run \($0)" } ?? "run \(id)"
        if let record { text += record.hasPrefix("not written") ? "; record \(record)" : "; record ConfigMap \(record)" }
        return text
    }
}
