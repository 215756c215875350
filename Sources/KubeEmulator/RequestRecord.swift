import Foundation

/// One request as the emulator saw it, for tests that assert on traffic.
public struct RequestRecord: Sendable {
    public var method: String
    public var path: String
    /// The raw query string (without "?"), and the same decoded.
    public var rawQuery: String
    public var query: [String: [String]]
    public var contentType: String?
    /// Lower-cased header names to values; Authorization and Cookie values are redacted.
    public var requestHeaders: [String: String]
    public var bodySize: Int
    /// The request body for writes (POST, PUT, PATCH, DELETE); nil for reads.
    public var body: Data?
    public var status: Int
    public var durationSeconds: Double
    /// What the emulator made of it: get, list, create, ...; nil for non-resource paths.
    public var verb: String?
    public var resource: String?
    public var namespace: String?
    public var name: String?
    /// dryRun=All in the query, the DeleteOptions body or an Eviction's deleteOptions.
    public var dryRun: Bool = false
    /// "1.1" or "2" (HTTP/2, negotiated by ALPN over TLS).
    public var httpVersion: String = "1.1"
    /// "gzip" when the response was compressed.
    public var contentEncoding: String?

    public var headerNames: [String] { requestHeaders.keys.sorted() }
}
