import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import NIOCore
import NIOSSL

/// Request context that keeps the channel, so the TLS peer certificate can be read.
struct EmulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// An HTTP/1.1 request arrives on the connection's channel, a child of the listening
    /// channel; an HTTP/2 request on a stream channel, a child of the connection's channel.
    var isHTTP2: Bool { channel.parent?.parent != nil }

    /// The TCP connection's channel, which holds the TLS handler.
    var connection: any Channel { isHTTP2 ? channel.parent ?? channel : channel }
}

/// The single Hummingbird responder: converts HTTP to `APIRequest`, authenticates,
/// lets the core answer, and logs the exchange.
struct EmulatorResponder: HTTPResponder {
    let core: EmulatorCore
    /// TLS with a client CA: a presented certificate was verified during the handshake.
    let clientCertificatesVerified: Bool

    func respond(to request: Request, context: EmulatorRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let buffer = try await request.body.collect(upTo: 1 << 31)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName.lowercased()
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        let rawQuery = request.uri.query ?? ""
        let apiRequest = APIRequest(
            method: request.method.rawValue, path: request.uri.path, rawQuery: rawQuery,
            query: APIRequest.parseQuery(rawQuery), headers: headers, body: Data(buffer.readableBytesView))

        var reply: APIReply
        let info: RouteInfo
        let authenticated = await authenticated(apiRequest, context)
        if authenticated, let control = core.control(apiRequest) {
            return Self.response(control)  // test-support routes are not logged
        }
        if authenticated {
            (reply, info) = await core.handle(apiRequest)
        } else {
            reply = .error(.unauthorized)
            info = RouteInfo(route: APIPath.route(apiRequest.path, registry: core.registry), method: apiRequest.method, query: apiRequest.query)
        }
        if let stream = reply.watch {
            core.record(apiRequest, reply, info, seconds: 0, httpVersion: context.isHTTP2 ? "2" : "1.1")
            return watchResponse(reply, stream, channel: context.channel)
        }
        // Faults act on the identity bytes, so a faulted reply is never compressed.
        var encoding: String?
        if reply.transportFault == nil, GzipEncoding.shouldCompress(bodySize: reply.bodySize, acceptEncoding: apiRequest.header("accept-encoding")),
           let gzipped = GzipEncoding.compress(reply.chunks) {
            reply.chunks = [gzipped]
            reply.headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
            encoding = "gzip"
        }
        let elapsed = ContinuousClock.now - started
        core.record(apiRequest, reply, info, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                    httpVersion: context.isHTTP2 ? "2" : "1.1", contentEncoding: encoding)
        if reply.transportFault == .reset(afterBytes: 0) {
            // Close before any byte of the response; the server's write then fails quietly.
            try? await context.channel.close()
        }
        return Self.response(reply)
    }

    /// Bearer token in the accepted set, or a client certificate the handshake verified.
    private func authenticated(_ req: APIRequest, _ context: EmulatorRequestContext) async -> Bool {
        guard let tokens = core.tokens.withLock({ $0 }) else { return true }
        if let auth = req.header("authorization"), auth.hasPrefix("Bearer ") {
            if tokens.contains(auth.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)) { return true }
        }
        // try? flattens "no certificate" and "no TLS handler" into nil.
        if clientCertificatesVerified, (try? await context.connection.nioSSL_peerCertificate().get()) != nil { return true }
        return false
    }

    /// A chunked body written as events arrive: the history is polled every 20 ms until the
    /// watch ends or the client goes away (HandleHTTP in endpoints/handlers/watch.go).
    private func watchResponse(_ reply: APIReply, _ stream: WatchStream, channel: any Channel) -> Response {
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let n = HTTPField.Name(name) { fields.append(HTTPField(name: n, value: value)) }
        }
        return Response(status: .ok, headers: fields, body: ResponseBody { [core] writer in
            while channel.isActive, let frames = core.poll(stream) {
                if frames.isEmpty {
                    try await Task.sleep(for: .milliseconds(20))
                    continue
                }
                var buffer = ByteBufferAllocator().buffer(capacity: frames.reduce(0) { $0 + $1.count })
                for f in frames { buffer.writeBytes(f) }
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        })
    }

    static func response(_ reply: APIReply) -> Response {
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let n = HTTPField.Name(name) { fields.append(HTTPField(name: n, value: value)) }
        }
        var buffer = ByteBufferAllocator().buffer(capacity: reply.bodySize)
        for chunk in reply.chunks { buffer.writeBytes(chunk) }
        let status = HTTPResponse.Status(code: reply.status, reasonPhrase: reasonPhrase(reply.status))
        switch reply.transportFault {
        case .reset(let n)?, .truncate(let n)?:
            // Headers promise the whole body; part of it is written, then the connection
            // is dropped by throwing out of the body writer.
            let part = buffer.getSlice(at: buffer.readerIndex, length: min(n, buffer.readableBytes)) ?? ByteBuffer()
            return Response(status: status, headers: fields, body: ResponseBody(contentLength: buffer.readableBytes) { writer in
                if part.readableBytes > 0 { try await writer.write(part) }
                throw InjectedDisconnect()
            })
        case nil:
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer))
        }
    }

    static func reasonPhrase(_ code: Int) -> String {
        [200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
         405: "Method Not Allowed", 409: "Conflict", 410: "Gone", 415: "Unsupported Media Type",
         422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error",
         503: "Service Unavailable", 504: "Gateway Timeout"][code] ?? ""
    }

    /// Server TLS; with a client CA, verification is optional so token clients still connect.
    static func tlsConfiguration(_ tls: EmulatorTLS) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(tls.certificatePEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(tls.privateKeyPEM.utf8), format: .pem)
        var config = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if let ca = tls.clientCAPEM {
            config.certificateVerification = .optionalVerification
            config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca.utf8)))
        }
        return config
    }
}

extension EmulatorCore {
    func record(_ req: APIRequest, _ reply: APIReply, _ info: RouteInfo, seconds: Double, httpVersion: String = "1.1", contentEncoding: String? = nil) {
        var headers = req.headers
        for sensitive in ["authorization", "cookie"] where headers[sensitive] != nil {
            let scheme = headers[sensitive]?.split(separator: " ").first.map(String.init) ?? ""
            headers[sensitive] = sensitive == "authorization" ? "\(scheme) <redacted>" : "<redacted>"
        }
        let isWrite = ["POST", "PUT", "PATCH", "DELETE"].contains(req.method)
        var record = RequestRecord(
            method: req.method, path: req.path, rawQuery: req.rawQuery, query: req.query,
            contentType: req.header("content-type"), requestHeaders: headers, bodySize: req.body.count,
            body: isWrite ? req.body : nil, status: reply.status, durationSeconds: seconds,
            verb: info.verb, resource: info.resource, namespace: info.namespace, name: info.name)
        record.dryRun = Self.isDryRun(req)
        record.httpVersion = httpVersion
        record.contentEncoding = contentEncoding
        log.withLock { $0.append(record) }
    }
}

/// Thrown from a response body writer to drop the connection mid-body (fault injection).
struct InjectedDisconnect: Error {}
