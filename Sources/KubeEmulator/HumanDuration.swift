import Foundation

/// Ages as the server's printers write them: k8s.io/apimachinery/pkg/util/duration
/// HumanDuration ("45s", "3m20s", "5h", "2d3h", "400d", "3y12d").
enum HumanDuration {
    static func format(seconds: Int) -> String {
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let d = (hours / 24) % 365
            return d == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(d)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// translateTimestampSince: "<unknown>" for a missing timestamp.
    static func since(_ timestamp: String?, now: Date = Date()) -> String {
        guard let timestamp, !timestamp.isEmpty, let date = parse(timestamp) else { return "<unknown>" }
        return format(seconds: Int(now.timeIntervalSince(date).rounded(.down)))
    }

    /// RFC 3339 with or without fractional seconds (MicroTime has six digits).
    static func parse(_ timestamp: String) -> Date? {
        if let d = try? Date(timestamp, strategy: .iso8601) { return d }
        return try? Date(timestamp, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
