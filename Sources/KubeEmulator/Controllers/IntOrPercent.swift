import KubeClient

/// intstr.GetScaledValueFromIntOrPercent (apimachinery/pkg/util/intstr): an int as is, or
/// "N%" of `total`, rounded up or down. A missing or malformed value uses `fallback`.
enum IntOrPercent {
    static func scaled(_ value: JSONValue?, total: Int, roundUp: Bool, default fallback: String) -> Int {
        parse(value, total: total, roundUp: roundUp) ?? parse(.string(fallback), total: total, roundUp: roundUp) ?? 0
    }

    private static func parse(_ value: JSONValue?, total: Int, roundUp: Bool) -> Int? {
        if let n = value?.intValue { return n }
        guard let s = value?.stringValue else { return nil }
        if let n = Int(s) { return n }
        guard s.hasSuffix("%"), let pct = Double(s.dropLast()) else { return nil }
        let exact = pct * Double(total) / 100
        return Int(roundUp ? exact.rounded(.up) : exact.rounded(.down))
    }
}
