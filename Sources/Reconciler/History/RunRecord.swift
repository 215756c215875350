import Foundation
import KubeClient

/// What one real run (or undo) leaves in the cluster: its report and the prior state of
/// everything it changed, so `kreconcile history` can show it and `kreconcile undo` can take
/// it back. Stored as one ConfigMap per run (`RecordCodec`).
public struct RunRecord: Sendable, Codable, Equatable {
    public var apiVersion = RunReport.apiVersion
    public var kind = "RunRecord"
    public var runID: String
    public var operation: Operation
    /// For an undo: the run it reversed.
    public var undoOf: String?
    public var report: RunReport
    /// One per reversible write, in apply order.
    public var backups: [Backup]
    /// Set when the record did not fit a ConfigMap and parts were dropped: what and why.
    public var truncated: String?

    public enum Operation: String, Sendable, Codable { case run, undo }

    public init(runID: String, operation: Operation, undoOf: String? = nil, report: RunReport, backups: [Backup], truncated: String? = nil) {
        self.runID = runID
        self.operation = operation
        self.undoOf = undoOf
        self.report = report
        self.backups = backups
        self.truncated = truncated
    }
}

/// The prior state of one object a write changed.
public struct Backup: Sendable, Codable, Equatable {
    public enum Operation: String, Sendable, Codable { case delete, patch }
    /// Position of the write in the run's apply order (0-based).
    public var order: Int
    public var operation: Operation
    public var target: ObjectRef
    /// The check whose action it was, and the action's summary.
    public var check: String
    public var summary: String
    /// The object's API path (where the write went).
    public var path: String
    /// delete: the whole object as read just before the delete (server fields included;
    /// undo strips them).
    public var object: JSONValue?
    /// patch: the JSON patch that reverts the write. Its `test` ops hold what the run wrote,
    /// so it applies only while nobody has changed those fields since.
    public var revert: [JSONValue]?
    /// The object's resourceVersion right after the write.
    public var resourceVersionAfter: String?
    /// Why nothing restorable was kept (a Secret's data is never copied; a record cut to fit).
    public var notKept: String?

    public init(order: Int, operation: Operation, target: ObjectRef, check: String, summary: String, path: String,
                object: JSONValue? = nil, revert: [JSONValue]? = nil, resourceVersionAfter: String? = nil, notKept: String? = nil) {
        self.order = order
        self.operation = operation
        self.target = target
        self.check = check
        self.summary = summary
        self.path = path
        self.object = object
        self.revert = revert
        self.resourceVersionAfter = resourceVersionAfter
        self.notKept = notKept
    }
}

/// One row of `kreconcile history`: kept in an annotation of the record's ConfigMap, so the
/// list is a metadata-only LIST, never the records themselves.
public struct RunSummary: Sendable, Codable, Equatable {
    public var runID: String
    public var operation: RunRecord.Operation
    public var undoOf: String?
    public var startTime: String
    public var finishTime: String
    public var durationSeconds: Double
    public var findings: Int
    public var applied: Int
    public var deferred: Int
    public var failed: Int
    /// Why the run stopped before its plan was done (SIGTERM, deadline, lost Lease), if it did.
    public var aborted: String?
    public var truncated: Bool
    /// "namespace/name" of the ConfigMap (filled in when listed).
    public var record: String?

    public init(_ record: RunRecord) {
        let r = record.report
        runID = record.runID
        operation = record.operation
        undoOf = record.undoOf
        startTime = r.metadata.startTime
        finishTime = r.metadata.finishTime
        durationSeconds = max(0, ((MicroTime.parse(r.metadata.finishTime) ?? .distantPast).timeIntervalSince(MicroTime.parse(r.metadata.startTime) ?? .distantPast) * 1000).rounded() / 1000)
        findings = r.summary.findings
        applied = r.summary.applied
        deferred = r.summary.deferred
        failed = r.summary.failed
        aborted = r.metadata.stopped ?? (r.metadata.lock?.state == "lost" ? "the Lease was lost" : nil)
            ?? r.safety?.trips.first?.summary
        truncated = record.truncated != nil
    }
}
