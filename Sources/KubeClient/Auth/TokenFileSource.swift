import Foundation
import Synchronization

/// A bearer token read from a file and re-read at least once per `refreshInterval`
/// (bound service-account tokens rotate; client-go re-reads once a minute), and at once
/// after a 401.
public final class TokenFileSource: CredentialSource {
    private struct Cached { var token: String; var readAt: Date }
    private let path: String
    private let field: String
    private let refreshInterval: TimeInterval
    private let now: @Sendable () -> Date
    private let cache = Mutex<Cached?>(nil)
    private let seen = Mutex<Set<String>>([])

    /// `field` names the setting in errors (`users[0].user.tokenFile`, `in-cluster token`).
    public init(path: String, field: String, refreshInterval: TimeInterval = 60, now: @escaping @Sendable () -> Date = Date.init) {
        self.path = path
        self.field = field
        self.refreshInterval = refreshInterval
        self.now = now
    }

    public func current() async throws -> Credential {
        let t = now()
        if let cached = cache.withLock({ $0 }), t.timeIntervalSince(cached.readAt) < refreshInterval {
            return .bearer(cached.token)
        }
        let token = try read()
        cache.withLock { $0 = Cached(token: token, readAt: t) }
        seen.withLock { _ = $0.insert(token) }
        return .bearer(token)
    }

    public func invalidate() async -> Bool {
        cache.withLock { $0 = nil }
        return true
    }

    public func secrets() async -> [String] { Array(seen.withLock { $0 }) }

    private func read() throws -> String {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError("\(field) \(path): cannot read: \(describeFileError(error, path: path))")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if token.isEmpty { throw ConfigError("\(field) \(path): file is empty") }
        return token
    }
}
