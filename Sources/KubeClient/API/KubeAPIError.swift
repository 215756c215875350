import Foundation

/// A `metav1.Status` as the API server sends it with a non-2xx answer.
public struct APIStatus: Sendable, Codable, Equatable {
    public struct Cause: Sendable, Codable, Equatable {
        public var reason: String?
        public var message: String?
        public var field: String?
    }
    public struct Details: Sendable, Codable, Equatable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var uid: String?
        public var causes: [Cause]?
        public var retryAfterSeconds: Int?
    }
    public var kind: String?
    public var apiVersion: String?
    public var status: String?
    public var message: String?
    public var reason: String?
    public var details: Details?
    public var code: Int?
}

/// A non-2xx answer. Carries the decoded Status when the body was one; otherwise a
/// short, sanitised excerpt of what came back (an HTML page from a proxy, plain text).
public struct KubeAPIError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public var method: String
    public var path: String
    public var code: Int
    public var status: APIStatus?
    public var bodyExcerpt: String?
    public var retryAfter: Double?

    public var reason: String? { status?.reason }
    public var message: String? { status?.message }

    public var isNotFound: Bool { code == 404 }
    public var isConflict: Bool { code == 409 }
    public var isGone: Bool { code == 410 }
    /// 410 with reason Expired: a continue token (or watch) that is too old.
    public var isExpired: Bool { code == 410 && (status?.reason == "Expired" || status?.reason == "Gone" || status == nil) }
    public var isInvalid: Bool { code == 422 }
    public var isTooManyRequests: Bool { code == 429 }

    public var description: String {
        var text = "\(method) \(path): \(code) \(reason ?? HTTPStatusText.text(code))"
        if let message = status?.message, !message.isEmpty {
            text += ": \(oneLine(message))"
        } else if let excerpt = bodyExcerpt, !excerpt.isEmpty {
            text += ": \(excerpt)"
        }
        if let causes = status?.details?.causes, !causes.isEmpty, status?.message == nil {
            text += " (" + causes.map { "\($0.field ?? "?"): \($0.message ?? $0.reason ?? "")" }.joined(separator: "; ") + ")"
        }
        return text
    }

    public var errorDescription: String? { description }

    /// Builds the error from a response, whatever its body.
    static func from(response: HTTPResponse, method: String, path: String) -> KubeAPIError {
        var error = KubeAPIError(method: method, path: path, code: response.status)
        let isJSON = response.contentType?.lowercased().contains("json") ?? false
        if isJSON || response.body.first == UInt8(ascii: "{"),
            let status = try? JSONDecoder().decode(APIStatus.self, from: response.body), status.kind == "Status"
        {
            error.status = status
        } else if !response.body.isEmpty {
            error.bodyExcerpt = excerpt(response.body, contentType: response.contentType)
        }
        error.retryAfter = response.headers["retry-after"].flatMap(parseRetryAfter)
        return error
    }

    /// The first line of a non-Status body, without markup, capped: enough to recognise
    /// "404 page not found" or a proxy's error page.
    private static func excerpt(_ body: Data, contentType: String?) -> String {
        var text = String(decoding: body.prefix(2048), as: UTF8.self)
        if contentType?.contains("html") == true || text.contains("<html") || text.contains("<HTML") {
            text = text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        }
        let line = oneLine(text).replacingOccurrences(of: "  +", with: " ", options: .regularExpression)
        let kind = contentType.map { "(\($0.split(separator: ";").first ?? "")) " } ?? ""
        return kind + String(line.prefix(200))
    }
}

/// Retry-After is seconds (what the API server sends) or an HTTP date.
func parseRetryAfter(_ value: String) -> Double? {
    let trimmed = value.trimmingCharacters(in: .whitespaces)
    if let seconds = Double(trimmed), seconds >= 0 { return seconds }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    if let date = formatter.date(from: trimmed) { return max(0, date.timeIntervalSinceNow) }
    return nil
}

enum HTTPStatusText {
    static func text(_ code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 413: return "RequestEntityTooLarge"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 502: return "BadGateway"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "HTTP \(code)"
        }
    }
}
