import Foundation
import Yams

/// `kreconcile history` output: a table, or `kreconcile.io/v1alpha1` `RunHistory` as JSON/YAML.
public enum HistoryTable {
    public static func render(_ runs: [RunSummary]) -> String {
        guard !runs.isEmpty else { return "No run records.\n" }
        let header = ["RUN", "KIND", "START", "DURATION", "FINDINGS", "APPLIED", "DEFERRED", "FAILED", "ABORTED"]
        let rows = runs.map { r -> [String] in
            [r.runID + (r.truncated ? "*" : ""), r.undoOf.map { "undo of \($0)" } ?? r.operation.rawValue, r.startTime,
             String(format: "%.1fs", r.durationSeconds), "\(r.findings)", "\(r.applied)", "\(r.deferred)", "\(r.failed)",
             r.aborted ?? "-"]
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        var out = ([header] + rows).map { cells in
            cells.enumerated().map { i, cell in i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "   ")
        }.joined(separator: "\n") + "\n"
        if runs.contains(where: \.truncated) { out += "* record truncated to fit a ConfigMap (`kreconcile history RUN-ID` says what was dropped)\n" }
        return out
    }

    struct Document: Encodable {
        var apiVersion = RunReport.apiVersion
        var kind = "RunHistory"
        var items: [RunSummary]
    }

    public static func json(_ runs: [RunSummary]) throws -> String { try ReportEncoding.json(Document(items: runs)) }
    public static func yaml(_ runs: [RunSummary]) throws -> String { try ReportEncoding.yaml(Document(items: runs)) }
}
