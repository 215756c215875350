import Foundation
import Logging

/// The Kubernetes REST client: authentication, rate limit and retries in one place
/// (`send`), typed reads and writes on top of it, generic over `ResourceDescriptor`.
public final class KubeClient: Sendable {
    public struct Options: Sendable {
        /// Client-side requests per second; 0 (the default) = none: the API server's
        /// Priority and Fairness queues or answers 429 + Retry-After, which `retry` honours
        /// (the defaults Kubernetes clients move to: kubernetes/kubernetes#111880,
        /// kubernetes-sigs/controller-runtime#3119).
        public var qps: Double
        public var burst: Int
        public var retry: RetryPolicy
        public var pageSize: Int

        public init(qps: Double = 0, burst: Int = 40, retry: RetryPolicy = RetryPolicy(), pageSize: Int = 500) {
            self.qps = qps
            self.burst = burst
            self.retry = retry
            self.pageSize = pageSize
        }
    }

    public let config: ClientConfig
    public let options: Options
    let transport: any HTTPTransport
    let logger: Logger
    let clock: any KubeClock
    let limiter: RateLimiter
    let discoveryCache = DiscoveryCache()

    public init(config: ClientConfig, options: Options = Options(), transport: any HTTPTransport = CurlTransport(),
                logger: Logger = Logger(label: "kreconcile.client"), clock: any KubeClock = SystemClock()) {
        self.config = config
        self.options = options
        self.transport = transport
        self.logger = logger
        self.clock = clock
        self.limiter = RateLimiter(qps: options.qps, burst: options.burst, clock: clock)
        if config.tls.insecureSkipVerify {
            logger.warning("TLS verification is disabled by the kubeconfig (insecure-skip-tls-verify: true)",
                           metadata: ["server": "\(config.server)"])
        }
    }

    /// Sends one request with rate limiting, authentication and the retry policy.
    /// Non-2xx answers throw `KubeAPIError`; no answer throws `TransportError`.
    /// `retryGate` is asked right before each retry starts (after its wait): a reason means
    /// no further attempt, and the last error is thrown (a write gated by a Lease deadline).
    public func send(_ request: KubeRequest, retryGate: (@Sendable () async -> String?)? = nil) async throws -> HTTPResponse {
        var attempt = 0
        var reauthenticated = false
        var lastError: (any Error)?
        while true {
            attempt += 1
            try Task.checkCancellation()
            if let lastError, let retryGate, let reason = await retryGate() {
                logger.info("not retrying", metadata: ["method": "\(request.method)", "path": "\(request.path)", "reason": "\(reason)"])
                throw lastError
            }
            try await limiter.wait()
            let started = clock.now()
            do {
                let response = try await sendOnce(request)
                logger.debug("request", metadata: [
                    "method": "\(request.method)", "path": "\(request.path)", "code": "\(response.status)",
                    "attempt": "\(attempt)", "ms": "\(Int((clock.now() - started) * 1000))",
                ])
                if (200..<300).contains(response.status) { return response }
                let error = KubeAPIError.from(response: response, method: request.method, path: request.path)
                // A 401 may mean the credential rotated: fetch a fresh one and try once more.
                if error.code == 401, !reauthenticated, let source = config.credentials, await source.invalidate() {
                    reauthenticated = true
                    attempt -= 1
                    logger.info("server answered 401; refreshing credentials and retrying once", metadata: ["path": "\(request.path)"])
                    continue
                }
                throw error
            } catch let error where !(error is CancellationError) {
                guard let delay = options.retry.delay(afterAttempt: attempt, request: request, error: error) else {
                    throw error
                }
                logger.info("retrying", metadata: [
                    "method": "\(request.method)", "path": "\(request.path)", "attempt": "\(attempt)",
                    "delaySeconds": "\(String(format: "%.2f", delay))", "error": "\(Self.short(error))",
                ])
                try await clock.sleep(seconds: delay)
                lastError = error
            }
        }
    }

    private func sendOnce(_ request: KubeRequest) async throws -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Accept", request.accept)]
        if let contentType = request.contentType { headers.append(("Content-Type", contentType)) }
        var tls = config.tls
        if let source = config.credentials {
            let credential = try await source.current()
            if let auth = credential.authorization { headers.append(("Authorization", auth)) }
            if let cert = credential.clientCertificatePEM, let key = credential.clientKeyPEM {
                tls.clientCertificatePEM = cert
                tls.clientKeyPEM = key
            }
        }
        if let imp = config.impersonation {
            headers.append(("Impersonate-User", imp.user))
            if let uid = imp.uid { headers.append(("Impersonate-Uid", uid)) }
            for group in imp.groups { headers.append(("Impersonate-Group", group)) }
        }
        let http = HTTPRequest(method: request.method, url: config.server + request.pathAndQuery, headers: headers, body: request.body)
        return try await transport.send(http, tls: tls)
    }

    static func short(_ error: any Error) -> String {
        if let api = error as? KubeAPIError { return "\(api.code) \(api.reason ?? HTTPStatusText.text(api.code))" }
        if let t = error as? TransportError { return t.message }
        return String(describing: error)
    }

    // MARK: decoding

    func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, _ request: KubeRequest) throws -> T {
        if T.self == JSONValue.self {
            do { return try JSONValue.parse(response.body) as! T } catch {
                throw KubeDecodeError(method: request.method, path: request.path, type: "JSON", detail: "\(error)")
            }
        }
        do { return try JSONDecoder().decode(T.self, from: response.body) } catch {
            throw KubeDecodeError(method: request.method, path: request.path, type: String(describing: T.self), detail: Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing field \((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at \(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)"
        case DecodingError.dataCorrupted(let ctx):
            return "not valid JSON: \(ctx.debugDescription)"
        default:
            return String(describing: error)
        }
    }
}

/// A 2xx answer whose body is not what the request should return.
public struct KubeDecodeError: Error, Sendable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var type: String
    public var detail: String
    public var description: String { "\(method) \(path): unexpected response (\(type)): \(detail)" }
}
