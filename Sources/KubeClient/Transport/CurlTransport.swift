import Foundation
import Synchronization

/// libcurl transport: a small pool of easy handles, each blocking transfer run on a
/// Dispatch thread so Swift's cooperative pool is never blocked for a request's length.
/// Several requests may be in flight at once (up to `maxConcurrent`).
public final class CurlTransport: HTTPTransport {
    public struct Options: Sendable {
        public var userAgent: String
        public var connectTimeout: Double
        public var requestTimeout: Double
        public var maxConcurrent: Int

        public init(userAgent: String = "kreconcile/\(KubeClientVersion.current)", connectTimeout: Double = 10,
                    requestTimeout: Double = 60, maxConcurrent: Int = 4) {
            self.userAgent = userAgent
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxConcurrent = maxConcurrent
        }
    }

    private let options: Options
    private let idle = Mutex<[CurlEasyHandle]>([])
    private let slots: AsyncSemaphore
    private let queue = DispatchQueue(label: "kreconcile.curl", attributes: .concurrent)

    public init(options: Options = Options()) {
        self.options = options
        self.slots = AsyncSemaphore(permits: max(1, options.maxConcurrent))
    }

    public func send(_ request: HTTPRequest, tls: TLSSettings) async throws -> HTTPResponse {
        try await slots.acquire()
        defer { slots.release() }
        let handle = idle.withLock { $0.popLast() } ?? CurlEasyHandle()
        defer { idle.withLock { $0.append(handle) } }

        let state = TransferState()
        let easyOptions = CurlEasyHandle.Options(
            userAgent: options.userAgent, connectTimeout: options.connectTimeout, requestTimeout: options.requestTimeout)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                queue.async {
                    continuation.resume(with: Result { try handle.perform(request, tls: tls, options: easyOptions, state: state) })
                }
            }
        } onCancel: {
            state.cancelled.store(true, ordering: .relaxed)
        }
    }
}

/// A counting semaphore for async code: waiters suspend instead of blocking a thread.
final class AsyncSemaphore: Sendable {
    private struct State {
        var permits: Int
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
    }
    private let state: Mutex<State>

    init(permits: Int) { state = Mutex(State(permits: permits)) }

    func acquire() async throws {
        let id = state.withLock { s -> UInt64 in s.nextID += 1; return s.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let granted = state.withLock { s -> Bool in
                    if s.permits > 0 { s.permits -= 1; return true }
                    s.waiters.append((id, c))
                    return false
                }
                if granted { c.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, any Error>? in
            if s.waiters.isEmpty { s.permits += 1; return nil }
            return s.waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
