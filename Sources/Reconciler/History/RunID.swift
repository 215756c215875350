import Foundation

/// Run ids sort by start time and name a ConfigMap: `20261130-072745-3f9a1c` (UTC, then
/// random hex so two runs of one second differ). Also valid as a label value.
public enum RunID {
    public static func make(at date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let suffix = String(UInt32.random(in: 0...0xFF_FFFF), radix: 16)
        return String(format: "%04d%02d%02d-%02d%02d%02d-", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            + String(repeating: "0", count: 6 - suffix.count) + suffix
    }

    /// What `kreconcile undo ID` / `history ID` accept: the shape `make` produces.
    public static func isValid(_ id: String) -> Bool {
        id.count == 22 && id.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-" || ("a"..."f").contains($0)) }
    }
}
