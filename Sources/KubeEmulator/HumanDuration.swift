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
    static func since(_ timestamp: String?) -> String {
        guard let timestamp, !timestamp.isEmpty, let date = parse(timestamp) else { return "<unknown>" }
        return elapsed(since: date)
    }

    /// The time from `date` to now, as `duration.HumanDuration(time.Since(date))` prints it
    /// (whole seconds, truncated). While `deferred` is set (a Table row computed ahead of
    /// the request, see PrintedRow) it writes a marker instead, filled in when served.
    static func elapsed(since date: Date) -> String {
        if deferred { return marker(date.timeIntervalSince1970) }
        return format(seconds: Int(Date().timeIntervalSince(date)))
    }

    @TaskLocal static var deferred = false

    /// U+0001 never occurs in a printed cell (printers write names, counts and times).
    static let markerByte: UInt8 = 0x01
    static func marker(_ since: Double) -> String { "\u{1}\(since)\u{1}" }

    /// RFC 3339 with or without fractional seconds (MicroTime has six digits).
    static func parse(_ timestamp: String) -> Date? {
        if let d = parseUTC(timestamp) { return d }
        if let d = try? Date(timestamp, strategy: .iso8601) { return d }
        return try? Date(timestamp, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The form the server writes, `YYYY-MM-DDTHH:MM:SS[.f…]Z`, read by position: Table
    /// rows print several ages each, and Foundation's ISO 8601 parsing costs milliseconds
    /// per call on Linux. Anything else (offsets) goes to Foundation.
    private static func parseUTC(_ s: String) -> Date? {
        let b = Array(s.utf8)
        guard b.count >= 20, b.last == UInt8(ascii: "Z"), b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                guard b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(b[i] - UInt8(ascii: "0"))
            }
            return n
        }
        guard let year = num(0..<4), let month = num(5..<7), let day = num(8..<10), let hour = num(11..<13),
              let minute = num(14..<16), let second = num(17..<19), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var fraction = 0.0
        if b.count > 20 {
            guard b[19] == UInt8(ascii: "."), let digits = num(20..<b.count - 1) else { return nil }
            fraction = Double(digits) / pow(10, Double(b.count - 21))
        } else if b[19] != UInt8(ascii: "Z") {
            return nil
        }
        // Days from the civil date (proleptic Gregorian), Howard Hinnant's algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction)
    }
}
