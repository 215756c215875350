import Synchronization

/// A request to stop, from SIGTERM/SIGINT or a lost Lease. Once set, no new write starts;
/// the listing in progress (if any) is cancelled. The first reason wins.
public final class StopSignal: Sendable {
    private let state = Mutex<(reason: String?, handlers: [@Sendable () -> Void])>((nil, []))

    public init() {}

    public var reason: String? { state.withLock { $0.reason } }

    public func request(_ reason: String) {
        let handlers = state.withLock { s -> [@Sendable () -> Void] in
            guard s.reason == nil else { return [] }
            s.reason = reason
            defer { s.handlers.removeAll() }
            return s.handlers
        }
        for h in handlers { h() }
    }

    /// Runs `handler` when a stop is requested (at once if it already was).
    public func onStop(_ handler: @escaping @Sendable () -> Void) {
        let already = state.withLock { s -> Bool in
            if s.reason != nil { return true }
            s.handlers.append(handler)
            return false
        }
        if already { handler() }
    }
}
