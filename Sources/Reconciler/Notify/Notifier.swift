import Foundation
import KubeClient

/// What became of the run's notification (report field `notification`).
public struct NotificationStatus: Sendable, Codable, Equatable {
    /// Where the URL came from ("notify.urlFile /etc/..."), never the URL.
    public var target: String
    public var events: [NotifySettings.Event]
    public var sent: Bool
    public var attempts: Int
    /// Why it failed: an HTTP status or a transport problem, without the URL.
    public var error: String?
}

/// One POST per run with its summary: counts, checks, the safety limits crossed, why it
/// stopped. Never object contents or names, never a secret, never the URL in an error.
/// 5 s per attempt, one retry; a failure is reported and leaves the exit code alone.
public struct Notifier: Sendable {
    public let target: NotifyTarget
    let transport: any HTTPTransport
    /// Between the two attempts.
    let retryDelaySeconds: Double

    public static let timeoutSeconds = 5.0

    public init(target: NotifyTarget, transport: any HTTPTransport = CurlTransport(options: .init(
                    connectTimeout: Notifier.timeoutSeconds, requestTimeout: Notifier.timeoutSeconds, maxConcurrent: 1)),
                retryDelaySeconds: Double = 1) {
        self.target = target
        self.transport = transport
        self.retryDelaySeconds = retryDelaySeconds
    }

    /// The events of this run that notify (empty: no POST).
    public static func events(of report: RunReport, wanted: [NotifySettings.Event]) -> [NotifySettings.Event] {
        var events: [NotifySettings.Event] = []
        if report.summary.applied > 0 { events.append(.applied) }
        if report.summary.failed > 0 || report.metadata.stopped != nil || report.metadata.lock?.state == "lost" { events.append(.failed) }
        if report.safety != nil { events.append(.aborted) }
        return events.filter(wanted.contains)
    }

    /// nil when none of the run's events is wanted.
    public func notify(_ report: RunReport) async -> NotificationStatus? {
        let events = Self.events(of: report, wanted: target.on)
        guard !events.isEmpty else { return nil }
        let body = Self.payload(report, events: events, format: target.format)
        let request = HTTPRequest(method: "POST", url: target.url, headers: [("Content-Type", "application/json")], body: body)
        var status = NotificationStatus(target: target.origin, events: events, sent: false, attempts: 0)
        for attempt in 1...2 {
            status.attempts = attempt
            do {
                let response = try await transport.send(request, tls: TLSSettings())
                if (200..<300).contains(response.status) { status.sent = true; status.error = nil; return status }
                status.error = "HTTP \(response.status)"
            } catch let error as TransportError {
                status.error = "\(scrub(error.message)) (curl error \(error.curlCode))"
            } catch {
                status.error = scrub("\(error)")
            }
            if attempt == 1 { try? await Task.sleep(nanoseconds: UInt64(retryDelaySeconds * 1e9)) }  // cancelled: retry at once
        }
        return status
    }

    /// An error text with the URL, and its path (where webhook tokens live), cut out.
    func scrub(_ text: String) -> String {
        var out = text.replacingOccurrences(of: target.url, with: "<notify URL>")
        if let path = URL(string: target.url)?.path, path.count > 1 { out = out.replacingOccurrences(of: path, with: "<path>") }
        return out
    }

    /// The JSON body: `generic` is a small stable document, `slack` one line of text.
    static func payload(_ report: RunReport, events: [NotifySettings.Event], format: NotifySettings.Format) -> Data {
        let summary = TableRenderer.summaryLine(report)
        let trips = report.safety?.trips.map(\.summary) ?? []
        switch format {
        case .slack:
            var text = "kreconcile \(report.metadata.mode.rawValue) run (\(events.map(\.rawValue).joined(separator: ", "))): \(summary)"
            for trip in trips { text += "\n" + trip + (report.safety?.note.map { "; \($0)" } ?? "") }
            if let stopped = report.metadata.stopped { text += "\nstopped early: \(stopped)" }
            return Data(JSONValue.object(["text": .string(text)]).jsonString().utf8)
        case .generic:
            let s = report.summary
            var doc: [String: JSONValue] = [
                "apiVersion": .string(RunReport.apiVersion), "kind": "RunNotification",
                "events": .array(events.map { .string($0.rawValue) }),
                "mode": .string(report.metadata.mode.rawValue),
                "startTime": .string(report.metadata.startTime), "finishTime": .string(report.metadata.finishTime),
                "summary": .object([
                    "findings": .number(Double(s.findings)), "applied": .number(Double(s.applied)), "deferred": .number(Double(s.deferred)),
                    "skipped": .number(Double(s.skipped)), "failed": .number(Double(s.failed)), "aborted": .number(Double(s.aborted)),
                    "reported": .number(Double(s.reported)), "dryRun": .number(Double(s.dryRun)),
                ]),
                "text": .string(summary),
                "checks": .array(report.checks.map { .object(["name": .string($0.name), "findings": .number(Double($0.findings))]) }),
            ]
            if !trips.isEmpty { doc["safetyTrips"] = .array(trips.map(JSONValue.string)) }
            if let shard = report.metadata.shard { doc["shard"] = .string(shard) }
            if let stopped = report.metadata.stopped { doc["stopped"] = .string(stopped) }
            return Data(JSONValue.object(doc).jsonString().utf8)
        }
    }
}
