import ArgumentParser
import Foundation
import KubeClient
import Logging
import Reconciler

/// `--metrics-file` and `--pushgateway`: where a finished run leaves its metrics. Both are
/// best effort: a failed write or push is logged as an error and never changes the exit code
/// (an alert on `kreconcile_last_success_timestamp_seconds` catches a run that stops reporting).
struct MetricsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write Prometheus metrics to FILE (node-exporter textfile format; written atomically).",
                               valueName: "file"))
    var metricsFile: String?

    @Option(help: ArgumentHelp("Push Prometheus metrics to this Pushgateway (http[s]://host:port): PUT to /metrics/job/kreconcile[/shard/INDEX].",
                               valueName: "url"))
    var pushgateway: String?

    func validate() throws {
        if let pushgateway, MetricsSink.pushURL(base: pushgateway, shard: nil) == nil {
            throw ValidationError("--pushgateway: \"\(pushgateway)\" is not an http:// or https:// URL")
        }
    }

    var isEmpty: Bool { metricsFile == nil && pushgateway == nil }
}

/// Renders a report with `RunMetrics` and writes it where `MetricsOptions` say.
struct MetricsSink {
    var options: MetricsOptions
    var logger: Logger

    /// The Pushgateway group of this run: one per shard, so shards do not replace each other.
    static func pushURL(base: String, shard: String?) -> String? {
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host != nil else { return nil }
        var path = base.hasSuffix("/") ? String(base.dropLast()) : base
        path += "/metrics/job/kreconcile"
        if let index = shard?.split(separator: "/").first { path += "/shard/\(index)" }
        return path
    }

    /// The URL without user:password, for logs.
    static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url), parts.user != nil || parts.password != nil else { return url }
        parts.user = nil
        parts.password = nil
        return parts.string ?? "(url)"
    }

    func emit(_ report: RunReport, succeeded: Bool) async {
        if let file = options.metricsFile {
            let previous = (try? String(contentsOfFile: file, encoding: .utf8)).flatMap(RunMetrics.lastSuccess(in:))  // absent file: no previous run
            let text = RunMetrics.render(report, succeeded: succeeded, previousLastSuccess: previous)
            do {
                // Write then rename: the textfile collector never reads half a file.
                let temporary = file + ".tmp"
                try text.write(toFile: temporary, atomically: false, encoding: .utf8)
                if FileManager.default.fileExists(atPath: file) { try FileManager.default.removeItem(atPath: file) }
                try FileManager.default.moveItem(atPath: temporary, toPath: file)
            } catch {
                logger.error("could not write the metrics file", metadata: ["file": "\(file)", "error": "\(error.localizedDescription)"])
            }
        }
        if let base = options.pushgateway, let url = Self.pushURL(base: base, shard: report.metadata.shard) {
            await push(report, succeeded: succeeded, url: url)
        }
    }

    /// PUT replaces the whole group on success; a failed run POSTs, which replaces only the
    /// families it sends, so the group keeps the last success's timestamp.
    private func push(_ report: RunReport, succeeded: Bool, url: String) async {
        let text = RunMetrics.render(report, succeeded: succeeded)
        let request = HTTPRequest(method: succeeded ? "PUT" : "POST", url: url,
                                  headers: [("Content-Type", "text/plain; version=0.0.4")], body: Data(text.utf8))
        do {
            let response = try await CurlTransport(options: .init(connectTimeout: 5, requestTimeout: 15)).send(request, tls: TLSSettings())
            if !(200..<300).contains(response.status) {
                let body = String(decoding: response.body.prefix(200), as: UTF8.self)
                logger.error("the Pushgateway refused the metrics", metadata: ["url": "\(Self.redacted(url))", "status": "\(response.status)", "body": "\(body)"])
            }
        } catch let error as TransportError {
            // Its description starts with the URL, which may carry credentials: log the message only.
            logger.error("could not push the metrics", metadata: ["url": "\(Self.redacted(url))", "error": "\(error.message)"])
        } catch {
            logger.error("could not push the metrics", metadata: ["url": "\(Self.redacted(url))", "error": "\(error)"])
        }
    }
}
