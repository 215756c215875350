import Foundation
import KubeClient

/// What one run did, in the stable schema `kreconcile.io/v1alpha1` `Report` that `-o json`
/// and `-o yaml` print (documented in the README). Fields are only ever added.
public struct RunReport: Sendable, Codable, Equatable {
    public static let apiVersion = "kreconcile.io/v1alpha1"
    public var apiVersion = RunReport.apiVersion
    public var kind = "Report"
    public var metadata: Metadata
    public var checks: [CheckStatus]
    public var entries: [Entry]
    public var summary: Summary
    public var estimate: Estimate?
    /// Safety limits crossed (Safety/Breaker); nil when none was.
    public var safety: SafetyReport?
    /// Where the time went, phase by phase (Report/Timings).
    public var timings: Timings?
    /// The run's notification, when `notify` is set and one of its events happened.
    public var notification: NotificationStatus?

    public struct Metadata: Sendable, Codable, Equatable {
        /// MicroTime (RFC 3339, 6 fractional digits, UTC).
        public var startTime: String
        public var finishTime: String
        public var mode: RunMode
        /// The API server URL, or the snapshot files of an offline run.
        public var source: String
        /// "INDEX/COUNT" when sharded.
        public var shard: String?
        public var lock: LockStatus?
        /// Why the run stopped early (SIGTERM, deadline, lost Lease), if it did.
        public var stopped: String?
        public var budgets: Budgets?
        /// A real run's (or undo's) id, its run record ("namespace/name", or why it was not
        /// written) and, for an undo, the run it reversed (History/, Undo/).
        public var runID: String?
        public var record: String?
        public var undoOf: String?

        public init(startTime: String, finishTime: String, mode: RunMode, source: String, shard: String? = nil,
                    lock: LockStatus? = nil, stopped: String? = nil, budgets: Budgets? = nil) {
            self.startTime = startTime
            self.finishTime = finishTime
            self.mode = mode
            self.source = source
            self.shard = shard
            self.lock = lock
            self.stopped = stopped
            self.budgets = budgets
        }
    }

    public struct Budgets: Sendable, Codable, Equatable {
        public var maxChanges: Int
        public var maxPerNamespace: Int
        public var maxPerNode: Int
        public var maxUnhealthyWorkloads: Int
        public init(maxChanges: Int, maxPerNamespace: Int, maxPerNode: Int, maxUnhealthyWorkloads: Int) {
            self.maxChanges = maxChanges
            self.maxPerNamespace = maxPerNamespace
            self.maxPerNode = maxPerNode
            self.maxUnhealthyWorkloads = maxUnhealthyWorkloads
        }
    }

    public struct LockStatus: Sendable, Codable, Equatable {
        /// "namespace/name" of the Lease.
        public var lease: String
        /// acquired | held-by-other | not-taken (dry runs) | lost
        public var state: String
        public var holder: String?
        /// When a live holder's claim expires (MicroTime).
        public var heldUntil: String?
        public init(lease: String, state: String, holder: String? = nil, heldUntil: String? = nil) {
            self.lease = lease
            self.state = state
            self.holder = holder
            self.heldUntil = heldUntil
        }
    }

    public struct CheckStatus: Sendable, Codable, Equatable {
        public var name: String
        public var findings: Int
        /// Set when the check did not run: why (e.g. "KubeArmorConfig API not served").
        public var notApplicable: String?
        /// Objects the check judged (the base of its safety percent limit).
        public var examined: Int?
        public init(name: String, findings: Int, notApplicable: String? = nil, examined: Int? = nil) {
            self.name = name
            self.findings = findings
            self.notApplicable = notApplicable
            self.examined = examined
        }
    }

    public struct Entry: Sendable, Codable, Equatable {
        public var check: String
        public var object: ObjectRef
        /// The finding's one-line reason.
        public var finding: String
        public var action: ActionInfo?
        public var result: ActionOutcome
        public var detail: String?
        public var httpStatus: Int?
    }

    public struct ActionInfo: Sendable, Codable, Equatable {
        public var actionClass: String
        public var summary: String
        public var target: ObjectRef
        public var request: RequestInfo
        enum CodingKeys: String, CodingKey { case actionClass = "class", summary, target, request }
    }

    /// The exact write a real run sends (a server dry run adds `dryRun=All`).
    public struct RequestInfo: Sendable, Codable, Equatable {
        public var method: String
        public var path: String
        public var query: [String: String]
        public var contentType: String?
        /// The body as JSON (every write kreconcile sends is JSON).
        public var body: JSONValue?

        public init(_ request: KubeRequest) {
            method = request.method
            path = request.path
            query = Dictionary(request.query.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
            contentType = request.contentType
            body = request.body.flatMap { try? JSONValue.parse($0) }  // our own JSON bodies; never fails in practice
        }

        /// `PATCH /apis/...?fieldManager=kreconcile`.
        public var line: String {
            let q = query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
            return q.isEmpty ? "\(method) \(path)" : "\(method) \(path)?\(q)"
        }
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var findings = 0
        public var planned = 0
        public var applied = 0
        public var dryRun = 0
        public var deferred = 0
        public var skipped = 0
        public var failed = 0
        public var reported = 0
        /// Not sent because a safety limit was crossed.
        public var aborted = 0
        public var checksNotApplicable = 0
        public init() {}

        enum CodingKeys: String, CodingKey {
            case findings, planned, applied, dryRun, deferred, skipped, failed, reported, aborted, checksNotApplicable
        }

        /// Reports written before a count existed (an older run's record) read it as 0.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            func count(_ key: CodingKeys) throws -> Int { try c.decodeIfPresent(Int.self, forKey: key) ?? 0 }
            findings = try count(.findings)
            planned = try count(.planned)
            applied = try count(.applied)
            dryRun = try count(.dryRun)
            deferred = try count(.deferred)
            skipped = try count(.skipped)
            failed = try count(.failed)
            reported = try count(.reported)
            aborted = try count(.aborted)
            checksNotApplicable = try count(.checksNotApplicable)
        }
    }

    public struct Estimate: Sendable, Codable, Equatable {
        /// Actionable findings of this shard (planned in this run + deferred).
        public var remainingFindings: Int
        /// Runs needed to apply them all at the current budgets, this one included.
        public var runsNeeded: Int
        /// Seconds until the last of those runs starts at the schedule interval; nil when blocked.
        public var timeNeededSeconds: Int?
        public var scheduleIntervalSeconds: Int
        /// Set when budgets can never clear the rest (e.g. the health gate holds every restart).
        public var blockedBy: String?
        public init(remainingFindings: Int, runsNeeded: Int, timeNeededSeconds: Int?, scheduleIntervalSeconds: Int,
                    blockedBy: String? = nil) {
            self.remainingFindings = remainingFindings
            self.runsNeeded = runsNeeded
            self.timeNeededSeconds = timeNeededSeconds
            self.scheduleIntervalSeconds = scheduleIntervalSeconds
            self.blockedBy = blockedBy
        }
    }

    public init(metadata: Metadata, checks: [CheckStatus], results: [ActionResult], estimate: Estimate?) {
        self.metadata = metadata
        self.checks = checks
        self.entries = results.map { r in
            let f = r.entry.finding
            return Entry(
                check: f.check, object: f.object, finding: f.reason,
                action: f.action.map {
                    // A server dry run sends the request with dryRun=All: show exactly that.
                    ActionInfo(actionClass: Self.className($0.actionClass), summary: $0.summary, target: $0.target,
                               request: RequestInfo(metadata.mode == .serverDryRun ? $0.request.dryRun() : $0.request))
                },
                result: r.outcome, detail: r.detail, httpStatus: r.httpStatus)
        }
        var s = Summary()
        s.findings = results.count
        for r in results {
            if case .planned = r.entry.decision { s.planned += 1 }
            switch r.outcome {
            case .applied: s.applied += 1
            case .dryRun: s.dryRun += 1
            case .deferred: s.deferred += 1
            case .skipped: s.skipped += 1
            case .failed: s.failed += 1
            case .reported: s.reported += 1
            case .aborted: s.aborted += 1
            }
        }
        s.checksNotApplicable = checks.filter { $0.notApplicable != nil }.count
        self.summary = s
        self.estimate = estimate
    }

    static func className(_ c: ActionClass) -> String {
        switch c {
        case .metadata: return "metadata"
        case .orphanDeletion: return "orphan-deletion"
        case .imagePatch: return "image-patch"
        case .disruptive: return "disruptive"
        }
    }
}
