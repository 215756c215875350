import Dispatch
import Foundation
import Logging
import Reconciler

/// SIGTERM (a Job's activeDeadlineSeconds, a pod deletion) and SIGINT (Ctrl-C): stop
/// starting writes, let the one in flight finish, report, release the Lease, exit 1.
/// A second signal exits at once (the Lease then simply expires).
final class SignalHandler: @unchecked Sendable {  // sources are touched only on `queue`
    private let stop: StopSignal
    private let logger: Logger
    private let queue = DispatchQueue(label: "kreconcile.signals")
    private var sources: [any DispatchSourceSignal] = []

    init(stop: StopSignal, logger: Logger) {
        self.stop = stop
        self.logger = logger
    }

    func install() {
        queue.sync {
            for (signo, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
                signal(signo, SIG_IGN)  // delivered to the dispatch source instead of killing us
                let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
                source.setEventHandler { [stop, logger] in
                    if stop.reason != nil {
                        logger.warning("second \(name): exiting now")
                        exit(1)
                    }
                    logger.warning("\(name) received: no new writes; finishing the write in flight, then reporting")
                    stop.request("\(name) received")
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    func uninstall() {
        queue.sync {
            for s in sources { s.cancel() }
            sources.removeAll()
        }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }
}
