import Foundation

/// A request as the emulator core sees it, independent of the HTTP server library.
struct APIRequest: Sendable {
    var method: String
    var path: String
    var rawQuery: String
    var query: [String: [String]]
    /// Lower-cased names.
    var headers: [String: String]
    var body: Data

    func param(_ key: String) -> String? { query[key]?.first }
    func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Go's url.ParseQuery: '&'-separated, '+' is a space, percent-decoding.
    static func parseQuery(_ raw: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            out[decode(kv[0]), default: []].append(kv.count > 1 ? decode(kv[1]) : "")
        }
        return out
    }
}

/// What the core answers; the server layer turns it into an HTTP response.
struct APIReply: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    /// Chunks written back to back (list responses are concatenated stored bytes).
    var chunks: [Data]
    /// A fault the HTTP layer applies while writing the reply.
    var transportFault: TransportFault?
    /// Seconds of injected latency not slept (`EmulatorCore.handle(_:sleepsLatency:)`).
    var simulatedLatency = 0.0
    /// A watch: the body is this stream's events, written as they happen.
    var watch: WatchStream?

    var bodySize: Int { chunks.reduce(0) { $0 + $1.count } }

    static func json(_ status: Int, _ data: Data) -> APIReply {
        APIReply(status: status, headers: [("Content-Type", "application/json")], chunks: [data])
    }

    static func error(_ e: APIError) -> APIReply {
        var reply = json(e.code, JSONBytes.encode(e.statusBody))
        if let retry = e.retryAfterSeconds { reply.headers.append(("Retry-After", String(retry))) }
        return reply
    }

    /// The mux's plain 404 for paths outside any served group (see FACTS).
    static let pageNotFound = APIReply(status: 404, headers: [("Content-Type", "text/plain; charset=utf-8")],
                                       chunks: [Data("404 page not found\n".utf8)])
}

/// How the HTTP layer breaks a reply on purpose.
enum TransportFault: Sendable, Equatable {
    /// Close the connection after this many body bytes (0: before the status line).
    case reset(afterBytes: Int)
    /// Send the headers with the full Content-Length, this many body bytes, then close.
    case truncate(bytes: Int)
}
