import Foundation
import KubeClient

/// A KubeClient transport that hands each request straight to the emulator, without HTTP or
/// sockets: for property tests that make thousands of short runs. Faults, admission and the
/// request log act as over HTTP. A reset or truncated reply reaches the client as the lost
/// connection curl reports once the request was sent; an answer slower than
/// `timeoutSeconds` (a latency fault) as a timeout, also after the server acted on it.
public struct InProcessTransport: HTTPTransport {
    let core: EmulatorCore
    public var timeoutSeconds: Double
    public var latency: Latency

    /// How a latency fault takes its time.
    public enum Latency: Sendable {
        /// Slept: any answer slower than the timeout times out, whatever made it slow.
        case real
        /// Not slept: a request times out exactly when its injected latency exceeds the
        /// timeout, however loaded the machine (a seed replays exactly); `waited` is told
        /// the seconds the client waited (the latency, or the timeout when it gave up) so a
        /// simulated clock can move on by them.
        case simulated(waited: @Sendable (Double) -> Void)
    }

    public init(_ emulator: KubeEmulator, timeoutSeconds: Double = 60, latency: Latency = .real) {
        core = emulator.core
        self.timeoutSeconds = timeoutSeconds
        self.latency = latency
    }

    public func send(_ request: HTTPRequest, tls: TLSSettings) async throws -> HTTPResponse {
        let started = ContinuousClock.now
        // "http://host:port/path?query" -> path, query
        let afterScheme = request.url.range(of: "://").map { request.url[$0.upperBound...] } ?? request.url[...]
        let pathAndQuery = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        let parts = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawQuery = parts.count > 1 ? String(parts[1]) : ""
        var headers: [String: String] = [:]
        for h in request.headers { headers[h.name.lowercased()] = headers[h.name.lowercased()].map { "\($0), \(h.value)" } ?? h.value }
        let api = APIRequest(method: request.method, path: String(parts[0]), rawQuery: rawQuery,
                             query: APIRequest.parseQuery(rawQuery), headers: headers, body: request.body ?? Data())
        if let control = core.control(api) { return Self.response(control) }
        let simulated: (@Sendable (Double) -> Void)?
        if case .simulated(let waited) = latency { simulated = waited } else { simulated = nil }
        let (reply, info) = await core.handle(api, sleepsLatency: simulated == nil)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18 + reply.simulatedLatency
        core.record(api, reply, info, seconds: seconds)
        let timedOut = simulated == nil ? seconds > timeoutSeconds : reply.simulatedLatency > timeoutSeconds
        if reply.simulatedLatency > 0 { simulated?(min(reply.simulatedLatency, timeoutSeconds)) }
        if timedOut {
            throw TransportError(kind: .timeout, requestSent: true, curlCode: 28, message: "Operation timed out after \(Int(timeoutSeconds * 1000)) milliseconds", url: request.url)
        }
        if reply.transportFault != nil {
            throw TransportError(kind: .connectionLost, requestSent: true, curlCode: 52, message: "Server returned nothing or a partial body", url: request.url)
        }
        return Self.response(reply)
    }

    static func response(_ reply: APIReply) -> HTTPResponse {
        var headers: [String: String] = [:]
        for (name, value) in reply.headers { headers[name.lowercased()] = value }
        var body = Data()
        for chunk in reply.chunks { body.append(chunk) }
        return HTTPResponse(status: reply.status, headers: headers, body: body)
    }
}
