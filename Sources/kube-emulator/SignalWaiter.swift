import Dispatch
import Foundation

/// Resolves once any of the given signals arrives (SIGINT/SIGTERM shut the server down).
final class SignalWaiter: @unchecked Sendable {
    // Only touched on `queue`.
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "kube-emulator.signals")
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init(_ signals: [Int32]) {
        (stream, continuation) = AsyncStream<Void>.makeStream()
        queue.sync {
            for sig in signals {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { [continuation] in continuation.yield() }
                source.resume()
                sources.append(source)
            }
        }
    }

    func wait() async {
        for await _ in stream { return }
    }
}
