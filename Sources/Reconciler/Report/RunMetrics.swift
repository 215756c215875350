import Foundation
import Prometheus

/// A run's report as Prometheus metrics, the batch-job way: the process exits, so the
/// figures go to a node-exporter textfile (`--metrics-file`) or a Pushgateway
/// (`--pushgateway`) instead of a scrape endpoint. Rendered by swift-prometheus.
///
/// Families (all gauges: each push or file replaces the previous run's values):
///   kreconcile_findings{check}                  findings of the check in this run
///   kreconcile_actions{check,result}            entries by result (applied, deferred, failed, ...)
///   kreconcile_deferred                         actions left for a later run
///   kreconcile_run_duration_seconds             start to finish of the run
///   kreconcile_run_success                      1 when the run exits 0 or 3, else 0
///   kreconcile_last_run_timestamp_seconds       when this run finished (Unix time)
///   kreconcile_last_success_timestamp_seconds   when the last successful run finished
public enum RunMetrics {
    public static let lastSuccessName = "kreconcile_last_success_timestamp_seconds"

    /// The exposition text. `succeeded` says whether the run counts as a success;
    /// `previousLastSuccess` carries the last success over a failed run (from the previous
    /// textfile), so an alert on its age keeps firing instead of losing the series.
    public static func render(_ report: RunReport, succeeded: Bool, previousLastSuccess: Double? = nil) -> String {
        let registry = PrometheusCollectorRegistry()
        func gauge(_ name: String, unit: String = "", _ help: String, _ labels: [(String, String)] = []) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "kreconcile", metricName: name, unitName: unit, helpText: help),
                               labels: labels)
        }
        let started = MicroTime.parse(report.metadata.startTime)
        let finished = MicroTime.parse(report.metadata.finishTime)

        for check in report.checks {
            gauge("findings", "Findings of the check in the last run.", [("check", check.name)]).set(Double(check.findings))
        }
        var actions: [String: [ActionOutcome: Int]] = [:]
        for entry in report.entries { actions[entry.check, default: [:]][entry.result, default: 0] += 1 }
        for (check, byResult) in actions.sorted(by: { $0.key < $1.key }) {
            for (result, count) in byResult.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                gauge("actions", "Entries of the last run by check and result.", [("check", check), ("result", result.rawValue)])
                    .set(Double(count))
            }
        }
        gauge("deferred", "Actions deferred to a later run by a budget, the health gate or the shard.")
            .set(Double(report.summary.deferred))
        if let started, let finished {
            gauge("run_duration", unit: "seconds", "Duration of the last run.")
                .set(finished.timeIntervalSince(started))
        }
        gauge("run_success", "1 when the last run succeeded (exit 0 or 3), else 0.")
            .set(succeeded ? 1.0 : 0.0)
        if let finished {
            gauge("last_run_timestamp", unit: "seconds", "Unix time the last run finished.")
                .set(finished.timeIntervalSince1970)
        }
        let lastSuccess = succeeded ? finished?.timeIntervalSince1970 : previousLastSuccess
        if let lastSuccess {
            gauge("last_success_timestamp", unit: "seconds", "Unix time the last successful run finished.").set(lastSuccess)
        }
        return registry.emitToString()
    }

    /// The value of `kreconcile_last_success_timestamp_seconds` in an earlier exposition text.
    public static func lastSuccess(in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(lastSuccessName + " ") {
            return Double(line.dropFirst(lastSuccessName.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
