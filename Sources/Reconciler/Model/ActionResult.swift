/// What happened to one plan entry when the run ended; the report's RESULT column.
public enum ActionOutcome: String, Sendable, Codable {
    /// The write succeeded.
    case applied
    /// `--dry-run` (client: not sent) or `--dry-run=server` (sent with dryRun=All and accepted).
    case dryRun = "dry-run"
    /// Not in this run's batch (budget, health gate, shard): the next run continues.
    case deferred
    /// The object changed since the snapshot (409, 404, or a failed JSON-patch test: 422),
    /// or the run stopped (deadline, SIGTERM) before this write started.
    case skipped
    /// The API refused it for another reason, or the request failed.
    case failed
    /// A finding with no action (report only).
    case reported
    /// Not sent: a safety limit (`abortWhen`) was crossed for its check or the run.
    case aborted
}

public struct ActionResult: Sendable, Equatable {
    public var entry: PlanEntry
    public var outcome: ActionOutcome
    /// One line: the deferral reason, the API's message, "object changed since the snapshot", ...
    public var detail: String?
    /// The HTTP status the write got, when it was sent.
    public var httpStatus: Int?

    public init(entry: PlanEntry, outcome: ActionOutcome, detail: String? = nil, httpStatus: Int? = nil) {
        self.entry = entry
        self.outcome = outcome
        self.detail = detail
        self.httpStatus = httpStatus
    }
}
