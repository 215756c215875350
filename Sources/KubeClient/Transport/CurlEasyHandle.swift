import CCurl
import Foundation
import Synchronization

/// One libcurl easy handle. It keeps its connections between requests (curl_easy_reset
/// leaves live connections and TLS sessions alone), which is how keep-alive works here.
/// A handle is used by one request at a time; `CurlTransport` pools them.
final class CurlEasyHandle: @unchecked Sendable {  // used by one thread at a time, guarded by the pool
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init() {
        CurlEasyHandle.globalInit
        guard let h = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        handle = h
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// curl_global_init is not thread-safe; Swift runs a static initializer exactly once.
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    struct Options {
        var userAgent: String
        var connectTimeout: Double
        var requestTimeout: Double
    }

    /// Blocking: call it off Swift's cooperative pool.
    func perform(_ request: HTTPRequest, tls: TLSSettings, options: Options, state: TransferState) throws -> HTTPResponse {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }

        guard var target = ServerURL(request.url) else {
            throw TransportError(kind: .other, requestSent: false, curlCode: 3, message: "not a valid http(s) URL", url: request.url)
        }
        var headers = request.headers
        if let serverName = tls.serverName, target.scheme == "https", serverName != target.host {
            // tls-server-name: SNI and certificate check use serverName, the TCP connection goes
            // to the configured server, and the Host header stays what the server expects.
            let connectTo = "\(ServerURL.hostForURL(serverName)):\(target.port):\(ServerURL.hostForURL(target.host)):\(target.port)"
            var connectList: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, connectTo)
            try check(kr_setopt_slist(handle, CURLOPT_CONNECT_TO, connectList), request)
            state.keepAlive(&connectList)
            headers.append((name: "Host", value: target.authority))
            target.host = serverName
        }
        let url = "\(target.scheme)://\(target.authority)\(target.rest)"

        try check(kr_setopt_string(handle, CURLOPT_URL, url), request)
        try check(kr_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), request)
        _ = kr_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = kr_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        _ = kr_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        // A reused handle keeps the last transfer's setting: set it either way.
        _ = kr_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, tls.disableCompression ? nil : "gzip")
        _ = kr_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent)
        _ = kr_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        _ = kr_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(options.requestTimeout * 1000))
        // Redirects are never followed: an API server does not redirect, a proxy page might.
        _ = kr_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)

        try applyTLS(tls, request)
        try applyMethodAndBody(request)

        headers.append((name: "Expect", value: ""))  // no 100-continue round trip
        for (name, value) in headers {
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        try check(kr_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), request)

        let box = Unmanaged.passUnretained(state).toOpaque()
        _ = kr_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        _ = kr_setopt_pointer(handle, CURLOPT_WRITEDATA, box)
        _ = kr_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        _ = kr_setopt_pointer(handle, CURLOPT_HEADERDATA, box)
        _ = kr_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        _ = kr_setopt_xferinfo_callback(handle, curlProgress)
        _ = kr_setopt_pointer(handle, CURLOPT_XFERINFODATA, box)

        let code = curl_easy_perform(handle)
        if code != CURLE_OK { throw transportError(code, request) }

        var status = 0
        _ = kr_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var version = 0
        _ = kr_getinfo_long(handle, CURLINFO_HTTP_VERSION, &version)
        return HTTPResponse(
            status: status, headers: state.headers, body: state.body,
            httpVersion: version == Int(CURL_HTTP_VERSION_2_0) ? "2" : "1.1")
    }

    private func applyTLS(_ tls: TLSSettings, _ request: HTTPRequest) throws {
        if let ca = tls.caPEM {
            try check(ca.withUnsafeBytes { kr_setopt_blob(handle, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) }, request)
            // Only the configured CA is trusted, as with client-go: no system directory.
            _ = kr_setopt_string(handle, CURLOPT_CAPATH, nil)
        }
        if let cert = tls.clientCertificatePEM, let key = tls.clientKeyPEM {
            _ = kr_setopt_string(handle, CURLOPT_SSLCERTTYPE, "PEM")
            try check(cert.withUnsafeBytes { kr_setopt_blob(handle, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count) }, request)
            _ = kr_setopt_string(handle, CURLOPT_SSLKEYTYPE, "PEM")
            try check(key.withUnsafeBytes { kr_setopt_blob(handle, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count) }, request)
        }
        _ = kr_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, tls.insecureSkipVerify ? 0 : 1)
        _ = kr_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, tls.insecureSkipVerify ? 0 : 2)
        if let proxy = tls.proxyURL { try check(kr_setopt_string(handle, CURLOPT_PROXY, proxy), request) }
    }

    private func applyMethodAndBody(_ request: HTTPRequest) throws {
        switch request.method {
        case "GET": _ = kr_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": _ = kr_setopt_long(handle, CURLOPT_NOBODY, 1)
        default: _ = kr_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        // A write never rides a reused connection: when a reused connection closes before any
        // answer, curl sends the request again on a new one by itself (Curl_retry_request),
        // and a write the server already handled would be applied twice (WriteOnceTests).
        // Writes are few (bounded by the budgets); a new connection each is cheap.
        _ = kr_setopt_long(handle, CURLOPT_FRESH_CONNECT, request.method == "GET" || request.method == "HEAD" ? 0 : 1)
        if let body = request.body {
            _ = kr_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            // COPYPOSTFIELDS: curl keeps its own copy, so retries and handles never share buffers.
            try check(body.withUnsafeBytes { raw in
                kr_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }, request)
        }
    }

    private func check(_ code: CURLcode, _ request: HTTPRequest) throws {
        if code != CURLE_OK { throw transportError(code, request) }
    }

    private func transportError(_ code: CURLcode, _ request: HTTPRequest) -> TransportError {
        var sent = 0
        _ = kr_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &sent)
        let detail = String(cString: errorBuffer)
        let summary = String(cString: curl_easy_strerror(code))
        var kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT: kind = .connect
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CLIENTCERT, CURLE_SSL_ENGINE_NOTFOUND:
            kind = .tls
        case CURLE_ABORTED_BY_CALLBACK: kind = .cancelled
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            kind = .connectionLost
        default: kind = .other
        }
        let message = detail.isEmpty ? summary : "\(summary): \(detail)"
        // With TLS 1.3 a rejected client certificate arrives as an alert after the
        // handshake, so curl reports a receive error: it is still a TLS failure.
        if kind == .connectionLost, detail.contains("SSL routines"), detail.contains("alert") {
            kind = .tls
        }
        return TransportError(kind: kind, requestSent: sent > 0, curlCode: Int(code.rawValue), message: message, url: request.url)
    }
}

/// What one transfer accumulates; shared with curl's C callbacks through an opaque pointer.
final class TransferState: @unchecked Sendable {  // written only on the transfer's thread; `cancelled` is atomic
    var body = Data()
    var headers: [String: String] = [:]
    let cancelled = Atomic<Bool>(false)
    private var retained: [UnsafeMutablePointer<curl_slist>] = []

    func keepAlive(_ list: inout UnsafeMutablePointer<curl_slist>?) {
        if let l = list { retained.append(l) }
        list = nil
    }

    deinit { for l in retained { curl_slist_free_all(l) } }
}

private let curlWriteBody: kr_data_callback = { data, size, count, userdata in
    let state = Unmanaged<TransferState>.fromOpaque(userdata!).takeUnretainedValue()
    let n = size * count
    if let data, n > 0 { data.withMemoryRebound(to: UInt8.self, capacity: n) { state.body.append($0, count: n) } }
    return n
}

private let curlWriteHeader: kr_data_callback = { data, size, count, userdata in
    let state = Unmanaged<TransferState>.fromOpaque(userdata!).takeUnretainedValue()
    let n = size * count
    guard let data, n > 0 else { return n }
    let line = data.withMemoryRebound(to: UInt8.self, capacity: n) { String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self) }
    if line.hasPrefix("HTTP/") {
        state.headers = [:]  // a new response (after a proxy CONNECT or 100 Continue)
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        state.headers[name] = value
        // A 4.5 MB list page then lands in one buffer instead of a dozen reallocations.
        if name == "content-length", let length = Int(value), length > 0, state.body.isEmpty {
            state.body.reserveCapacity(min(length, 256 << 20))
        }
    }
    return n
}

private let curlProgress: kr_xferinfo_callback = { userdata, _, _, _, _ in
    let state = Unmanaged<TransferState>.fromOpaque(userdata!).takeUnretainedValue()
    return state.cancelled.load(ordering: .relaxed) ? 1 : 0
}
