import Logging
import Reconciler

extension RunDriver {
    /// Sends the run's notification; a failure is logged and reported, never fatal. The
    /// log names where the URL came from, never the URL.
    static func notify(_ report: RunReport, target: NotifyTarget, logger: Logger) async -> NotificationStatus? {
        let status = await Notifier(target: target).notify(report)
        if let status, !status.sent {
            logger.warning("notification failed; the run's exit code is unchanged", metadata: [
                "target": "\(status.target)", "attempts": "\(status.attempts)", "error": "\(status.error ?? "")",
            ])
        }
        return status
    }
}
