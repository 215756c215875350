import Foundation

/// `metav1.MicroTime` as the API server reads and writes it: RFC 3339 in UTC with exactly
/// six fractional digits ("2006-01-02T15:04:05.000000Z07:00", RFC3339Micro in
/// staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/micro_time.go). A Lease or Event time
/// with another precision answers 400, so Foundation's ISO 8601 styles (3 digits) won't do.
public enum MicroTime {
    public static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        var seconds = time_t(micros / 1_000_000)
        var fraction = micros % 1_000_000
        if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(fraction))
    }

    /// Parses RFC 3339 with any number of fractional digits (or none) and a Z or ±hh:mm offset.
    public static func parse(_ text: String) -> Date? {
        let pattern = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$/
        guard let m = text.wholeMatch(of: pattern) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(m.1)! - 1900
        parts.tm_mon = Int32(m.2)! - 1
        parts.tm_mday = Int32(m.3)!
        parts.tm_hour = Int32(m.4)!
        parts.tm_min = Int32(m.5)!
        parts.tm_sec = Int32(m.6)!
        let seconds = timegm(&parts)
        var fraction = 0.0
        if let digits = m.7 { fraction = Double("0." + digits) ?? 0 }
        var offset = 0
        let zone = String(m.8)
        if zone != "Z" && zone != "z" {
            let sign = zone.hasPrefix("-") ? -1 : 1
            let hm = zone.dropFirst().split(separator: ":")
            offset = sign * ((Int(hm[0]) ?? 0) * 3600 + (Int(hm[1]) ?? 0) * 60)
        }
        return Date(timeIntervalSince1970: Double(seconds) + fraction - Double(offset))
    }
}
