import Foundation
import Synchronization

/// Client-side token bucket (QPS with a burst), like client-go's flowcontrol limiter.
/// Requests reserve a slot and sleep until it comes, so concurrent callers are spaced out.
public final class RateLimiter: Sendable {
    private struct Bucket { var tokens: Double; var last: Double }
    private let qps: Double
    private let burst: Double
    private let clock: any KubeClock
    private let bucket: Mutex<Bucket?>

    public init(qps: Double, burst: Int, clock: any KubeClock) {
        self.qps = qps
        self.burst = Double(max(1, burst))
        self.clock = clock
        self.bucket = Mutex(nil)
    }

    /// Waits until a request may be sent. A qps of 0 or less disables limiting.
    public func wait() async throws {
        guard qps > 0 else { return }
        let now = clock.now()
        let delay = bucket.withLock { state -> Double in
            var b = state ?? Bucket(tokens: burst, last: now)
            b.tokens = min(burst, b.tokens + (now - b.last) * qps)
            b.last = now
            b.tokens -= 1  // reserve; a negative balance is the queue ahead of us
            state = b
            return b.tokens >= 0 ? 0 : -b.tokens / qps
        }
        if delay > 0 { try await clock.sleep(seconds: delay) }
    }
}
