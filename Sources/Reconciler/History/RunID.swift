import Foundation

/// Run ids sort by start time and name a ConfigMap: `20261130-072745-3f9a1c` (UTC, then
/// random hex so two runs of one second differ). Also valid as a label value.
public enum RunID {
    public static func make(at date: Date) -> String {
        let (year, month, day, seconds) = civil(date)
        let suffix = String(UInt32.random(in: 0...0xFF_FFFF), radix: 16)
        return String(format: "%04d%02d%02d-%02d%02d%02d-", year, month, day, seconds / 3600, seconds / 60 % 60, seconds % 60)
            + String(repeating: "0", count: 6 - suffix.count) + suffix
    }

    /// UTC date and second of the day by arithmetic (H. Hinnant's days-to-civil): a
    /// Calendar's first use loads ICU data, tens of milliseconds a run does not need to
    /// spend between planning and its first write.
    static func civil(_ date: Date) -> (year: Int, month: Int, day: Int, secondOfDay: Int) {
        let t = Int(date.timeIntervalSince1970.rounded(.down))
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, doy - (153 * mp + 2) / 5 + 1, t - days * 86_400)
    }

    /// What `kreconcile undo ID` / `history ID` accept: the shape `make` produces.
    public static func isValid(_ id: String) -> Bool {
        id.count == 22 && id.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-" || ("a"..."f").contains($0)) }
    }
}
