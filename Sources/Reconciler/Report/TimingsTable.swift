import Foundation

/// `--timings`: the report's phase breakdown as a table (printed on stderr, so the report
/// on stdout stays machine-readable).
public enum TimingsTable {
    public static func render(_ t: Timings) -> String {
        var rows: [[String]] = [["PHASE", "REQUESTS", "OBJECTS", "BYTES", "SECONDS"]]
        func s(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
        rows.append(["lock", "", "", "", s(t.lockSeconds)])
        rows.append(["list", "\(t.list.map(\.requests).reduce(0, +))", "\(t.list.map(\.objects).reduce(0, +))",
                     bytes(t.list.map(\.bytes).reduce(0, +)), s(t.listSeconds)])
        for k in t.list {
            rows.append(["  " + k.resource, "\(k.requests)", "\(k.objects)", bytes(k.bytes), s(k.seconds)])
        }
        rows.append(["checks", "", "", "", s(t.checksSeconds)])
        rows.append(["plan", "", "", "", s(t.planSeconds)])
        rows.append(["apply", "", "", "", s(t.applySeconds)])
        rows.append(["report", "", "", "", s(t.reportSeconds)])
        rows.append(["total", "", "", "", s(t.totalSeconds)])
        let widths = (0..<5).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == 0 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// 1536 -> "1.5 KiB".
    static func bytes(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        let units = ["KiB", "MiB", "GiB"]
        var value = Double(n) / 1024, unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: "%.1f", value) + " " + units[unit]
    }
}
