import Foundation

/// One HTTP request as the transport sends it. Headers are kept in order because
/// Kubernetes repeats some (Impersonate-Group).
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: Data
    /// "1.1" or "2", as negotiated.
    public var httpVersion: String

    public init(status: Int, headers: [String: String] = [:], body: Data = Data(), httpVersion: String = "1.1") {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
    }

    public var contentType: String? { headers["content-type"] }
}

/// The transport's only seam: the client is tested against the emulator over real HTTP,
/// and unit tests of retry logic can substitute a scripted transport.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest, tls: TLSSettings) async throws -> HTTPResponse
}
