import Foundation
import KubeClient
import Yams

/// What one teardown did, schema `kreconcile.io/v1alpha1` `TeardownReport` (`-o json|yaml`).
public struct TeardownReport: Sendable, Codable, Equatable {
    public var apiVersion = RunReport.apiVersion
    public var kind = "TeardownReport"
    public var metadata: Metadata
    public var steps: [StepReport]

    public struct Metadata: Sendable, Codable, Equatable {
        public var profile: String
        public var mode: RunMode
        public var startTime: String
        public var finishTime: String
        public var source: String
        public var deleteCRDs: Bool
        public var lock: RunReport.LockStatus?
        /// Why the teardown stopped before its steps finished (SIGTERM, Lease lost or held).
        public var stopped: String?
    }

    public enum StepStatus: String, Sendable, Codable {
        /// Acted and everything waited for happened.
        case finished
        /// Dry run: what it would do is listed, nothing was waited for.
        case planned
        /// Its deadline passed with objects or pods remaining (listed).
        case timedOut = "timed-out"
        /// A write failed or an object changed under it.
        case failed
        /// `onlyWith: deleteCRDs` without --delete-crds.
        case skipped
        /// An earlier step did not finish: the order forbids going on.
        case notStarted = "not-started"
    }

    public struct StepReport: Sendable, Codable, Equatable {
        public var name: String
        public var action: String
        public var status: StepStatus
        public var message: String?
        public var seconds: Double
        public var objects: [ObjectResult]
        /// What was still there at the deadline.
        public var remaining: [Remaining]
    }

    public struct ObjectResult: Sendable, Codable, Equatable {
        public var object: String
        public var uid: String
        /// delete | scale-to-zero | scale-up | remove-finalizer
        public var action: String
        /// applied | already-gone | already-deleting | no-change | planned | failed
        public var result: String
        public var message: String?
        /// The exact request ("DELETE /api/v1/..."), when one was or would be sent.
        public var request: String?
    }

    public struct Remaining: Sendable, Codable, Equatable {
        public var object: String
        /// Finalizers still on it (a terminating object waits for each to be removed).
        public var finalizers: [String]
        public var terminating: Bool
    }

    /// 0 every step finished (or was skipped / planned), 1 otherwise.
    public var exitCode: Int32 {
        metadata.stopped == nil && steps.allSatisfy { [.finished, .planned, .skipped].contains($0.status) } ? 0 : 1
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    public func yaml() throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        return try encoder.encode(self)
    }

    /// STEP ACTION OBJECT RESULT rows, then a line per step that did not finish (naming
    /// what remains and its finalizers) and a summary line.
    public func table() -> String {
        var rows: [[String]] = []
        for step in steps {
            if step.objects.isEmpty {
                rows.append([step.name, step.action, "-", step.status == .skipped ? "skipped" : "nothing to do"])
            }
            for o in step.objects {
                rows.append([step.name, o.action, o.object, o.result + (o.message.map { ": \($0)" } ?? "")])
            }
        }
        let header = ["STEP", "ACTION", "OBJECT", "RESULT"]
        let widths = (0..<header.count).map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        var out = ""
        for cells in [header] + rows {
            out += cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "   ") + "\n"
        }
        for step in steps where step.status != .finished && step.status != .planned {
            out += "step \(step.name): \(step.status.rawValue)" + (step.message.map { ": \($0)" } ?? "") + "\n"
            for r in step.remaining {
                out += "  remaining: \(r.object)" + (r.terminating ? " (terminating)" : "")
                    + (r.finalizers.isEmpty ? "" : ", finalizers: \(r.finalizers.joined(separator: ", "))") + "\n"
            }
        }
        if let stopped = metadata.stopped { out += "teardown stopped: \(stopped)\n" }
        let finished = steps.filter { $0.status == .finished || $0.status == .planned }.count
        let skipped = steps.filter { $0.status == .skipped }.count
        let writes = steps.flatMap(\.objects).filter { $0.result == "applied" }.count
        var summary = "Teardown \(metadata.profile) (\(metadata.mode.rawValue)): \(finished)/\(steps.count) steps "
            + (metadata.mode == .real ? "finished" : "planned")
        if skipped > 0 { summary += ", \(skipped) skipped (CRDs are kept without --delete-crds)" }
        summary += metadata.mode == .clientDryRun ? "; no write sent." : "; \(writes) writes\(metadata.mode == .serverDryRun ? " sent with dryRun=All" : "")."
        return out + summary + "\n"
    }
}
