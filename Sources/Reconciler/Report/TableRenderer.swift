import Foundation
import KubeClient

/// The default human output: one row per finding (CHECK OBJECT FINDING ACTION RESULT),
/// optionally each action's exact request under its row, then the not-applicable checks
/// and a one-line summary with the estimate.
public struct TableRenderer: Sendable {
    public var showRequests: Bool
    /// FINDING and ACTION cells are cut to this many characters (the JSON/YAML report has them whole).
    public var maxCellWidth: Int

    public init(showRequests: Bool = false, maxCellWidth: Int = 90) {
        self.showRequests = showRequests
        self.maxCellWidth = maxCellWidth
    }

    public func render(_ report: RunReport) -> String {
        var out = ""
        let heldElsewhere = report.metadata.lock?.state == "held-by-other"
        if report.entries.isEmpty {
            if !heldElsewhere { out += "No findings.\n" }
        } else {
            let header = ["CHECK", "OBJECT", "FINDING", "ACTION", "RESULT"]
            let rows = report.entries.map { e -> [String] in
                [e.check, Self.object(e.object), cut(e.finding), cut(e.action?.summary ?? "-"), Self.result(e)]
            }
            let widths = (0..<header.count).map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { i, cell in
                    i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                }.joined(separator: "   ")
            }
            out += line(header) + "\n"
            for (row, entry) in zip(rows, report.entries) {
                out += line(row) + "\n"
                if showRequests, let request = entry.action?.request {
                    out += "    " + Self.requestLine(request) + "\n"
                }
            }
        }
        for check in report.checks {
            if let why = check.notApplicable { out += "check \(check.name): not applicable: \(why)\n" }
        }
        if heldElsewhere, let lock = report.metadata.lock {
            out += "Lease \(lock.lease) is held by \(lock.holder ?? "another run") until \(lock.heldUntil ?? "?"): "
                + "another run is acting; this one changed nothing.\n"
        }
        if let stopped = report.metadata.stopped { out += "run stopped early: \(stopped)\n" }
        out += Self.safetyLines(report)
        if let id = report.metadata.runID { out += RunRecordLine.text(id: id, record: report.metadata.record, undoOf: report.metadata.undoOf) + "\n" }
        out += Self.summaryLine(report) + "\n"
        return out
    }

    /// "PATCH /apis/...?fieldManager=kreconcile application/json-patch+json [{...}]"
    static func requestLine(_ r: RunReport.RequestInfo) -> String {
        var text = r.line
        if let type = r.contentType { text += " " + type }
        if let body = r.body { text += " " + body.jsonString() }
        return text
    }

    static func object(_ o: ObjectRef) -> String {
        o.namespace.map { "\(o.kind)/\($0)/\(o.name)" } ?? "\(o.kind)/\(o.name)"
    }

    static func result(_ e: RunReport.Entry) -> String {
        guard let detail = e.detail, e.result != .applied else { return e.result.rawValue }
        return "\(e.result.rawValue): \(detail)"
    }

    func cut(_ s: String) -> String {
        s.count <= maxCellWidth ? s : String(s.prefix(maxCellWidth - 1)) + "…"
    }

    /// "7 findings: 3 applied, 2 deferred, 1 skipped, 1 reported only; 1 check not applicable.
    ///  Estimate: 6 actionable findings need 2 runs at the current budgets, this one included
    ///  (the last about 5m from now at a 5m schedule)." (Estimate.compute counts this run.)
    public static func summaryLine(_ report: RunReport) -> String {
        let s = report.summary
        let counts: [(Int, String)] = [
            (s.applied, "applied"), (s.dryRun, "dry-run"), (s.deferred, "deferred"), (s.skipped, "skipped"),
            (s.failed, "failed"), (s.aborted, "aborted"), (s.reported, "reported only"),
        ]
        let parts = counts.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        var text = "\(s.findings) finding\(s.findings == 1 ? "" : "s")"
        if !parts.isEmpty { text += ": " + parts.joined(separator: ", ") }
        if s.checksNotApplicable > 0 {
            text += "; \(s.checksNotApplicable) check\(s.checksNotApplicable == 1 ? "" : "s") not applicable"
        }
        text += "."
        if let e = report.estimate, e.remainingFindings > 0, e.runsNeeded == 0, let blocked = e.blockedBy {
            text += " Estimate: \(e.remainingFindings) actionable finding\(e.remainingFindings == 1 ? " is" : "s are") blocked: \(blocked)."
        } else if let e = report.estimate, e.remainingFindings > 0 {
            text += " Estimate: \(e.remainingFindings) actionable finding\(e.remainingFindings == 1 ? "" : "s") need"
            text += "\(e.remainingFindings == 1 ? "s" : "") \(e.runsNeeded) run\(e.runsNeeded == 1 ? "" : "s") at the current budgets, this one included"
            if let blocked = e.blockedBy {
                text += "; the rest is blocked: \(blocked)"
            } else if let t = e.timeNeededSeconds, e.runsNeeded > 1 {
                text += " (the last about \(duration(t)) from now at a \(duration(e.scheduleIntervalSeconds)) schedule)"
            }
            text += "."
        }
        return text
    }

    /// 300 -> "5m", 5400 -> "1h30m", 45 -> "45s", 93600 -> "1d2h".
    public static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds >= 86_400 {
            let d = seconds / 86_400, h = (seconds % 86_400) / 3600
            return h > 0 ? "\(d)d\(h)h" : "\(d)d"
        }
        let h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60
        var text = h > 0 ? "\(h)h" : ""
        if m > 0 { text += "\(m)m" }
        if s > 0 && h == 0 { text += "\(s)s" }
        return text
    }
}
