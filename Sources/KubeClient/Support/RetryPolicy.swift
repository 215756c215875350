import Foundation

/// The one place that decides whether a failed request is tried again, and when.
/// - 429 and 503 with Retry-After: any verb (the server did not process it), after
///   the given delay, capped. An Eviction's 429 has no Retry-After: it is an answer.
/// - other 5xx, timeouts, lost connections: reads only, exponential backoff with jitter.
/// - a write is retried only when the connection failed before the request was sent.
/// - never more than `maxAttempts` in total.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    public var maxRetryAfter: Double
    /// Returns a value in 0..<1; injectable for deterministic tests.
    public var random: @Sendable () -> Double

    public init(maxAttempts: Int = 5, baseDelay: Double = 0.25, maxDelay: Double = 8, maxRetryAfter: Double = 30,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.random = random
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    /// Delay before attempt `attempt + 1`, or nil to give up. `attempt` counts from 1.
    public func delay(afterAttempt attempt: Int, request: KubeRequest, error: any Error) -> Double? {
        guard attempt < maxAttempts else { return nil }
        if let api = error as? KubeAPIError {
            if (api.code == 429 || api.code == 503), let after = api.retryAfter {
                return min(after, maxRetryAfter)
            }
            if request.isRead, api.code >= 500, api.code != 501 { return backoff(attempt) }
            return nil
        }
        if let transport = error as? TransportError {
            switch transport.kind {
            case .tls, .cancelled: return nil
            case .connect: return backoff(attempt)
            case .timeout, .connectionLost, .other:
                return request.isRead || !transport.requestSent ? backoff(attempt) : nil
            }
        }
        return nil
    }

    /// Full jitter between half and all of base * 2^(attempt-1), capped.
    func backoff(_ attempt: Int) -> Double {
        let exp = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        return exp / 2 + exp / 2 * random()
    }
}
