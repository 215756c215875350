import Foundation

/// Splits an API server URL into the parts the transport needs (tls-server-name
/// rewrites the host while connecting to the original address).
struct ServerURL: Sendable {
    var scheme: String
    var host: String        // without brackets
    var port: Int
    var rest: String        // path + query

    init?(_ string: String) {
        guard let components = URLComponents(string: string), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", var host = components.host, !host.isEmpty
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.scheme = scheme
        self.host = host
        self.port = components.port ?? (scheme == "https" ? 443 : 80)
        var rest = components.percentEncodedPath
        if let q = components.percentEncodedQuery { rest += "?" + q }
        self.rest = rest
    }

    static func hostForURL(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    var authority: String { "\(ServerURL.hostForURL(host)):\(port)" }
}
