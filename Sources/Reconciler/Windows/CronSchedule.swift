import Foundation

/// A standard 5-field cron schedule (minute hour day-of-month month day-of-week), read as
/// Vixie cron reads it (crontab(5)): `*`, values, ranges `a-b`, steps `*/n` and `a-b/n`
/// (and `a/n` = `a-max/n`, as cronie and Kubernetes' robfig/cron accept), lists `a,b`,
/// month and day names (`jan`, `mon-fri`), 0 or 7 for Sunday, and the `@daily`-style
/// macros. Day of month and day of week: when both are restricted (neither field starts
/// with `*`), a day matches if EITHER does (Vixie cron's DOM_STAR/DOW_STAR rule, cron.c).
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    public let minutes: [Int]
    public let hours: [Int]
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// 0 = Sunday ... 6 = Saturday.
    let daysOfWeek: Set<Int>
    let domStar: Bool
    let dowStar: Bool
    public let description: String

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(_ text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = Self.macros[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "\"\(text)\" has \(fields.count) field\(fields.count == 1 ? "" : "s"); a schedule has 5: minute hour day-of-month month day-of-week")
        }
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [])
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [])
        daysOfMonth = Set(try Self.field(fields[2], name: "day-of-month", range: 1...31, names: []))
        months = Set(try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, firstNameValue: 1))
        daysOfWeek = Set(try Self.field(fields[4], name: "day-of-week", range: 0...7, names: Self.dayNames).map { $0 % 7 })
        domStar = fields[2].hasPrefix("*")
        dowStar = fields[4].hasPrefix("*")
        description = trimmed
    }

    /// Whether the schedule fires on this calendar day (weekday 0 = Sunday).
    public func matchesDay(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let dom = daysOfMonth.contains(day), dow = daysOfWeek.contains(weekday)
        return domStar || dowStar ? dom && dow : dom || dow
    }

    /// The sorted values of one field; errors name the field and the part that is wrong.
    static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String], firstNameValue: Int = 0) throws(ParseError) -> [Int] {
        func fail(_ problem: String) -> ParseError { ParseError(description: "\(name) field \"\(text)\": \(problem)") }
        func value(_ token: String) throws(ParseError) -> Int {
            if let n = Int(token) {
                guard range.contains(n) else { throw fail("\(n) is out of range \(range.lowerBound)-\(range.upperBound)") }
                return n
            }
            if let i = names.firstIndex(of: token.lowercased()) { return i + firstNameValue }
            throw fail("\"\(token)\" is not a number\(names.isEmpty ? "" : " or a name like \(names[0])")")
        }
        var values: Set<Int> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !part.isEmpty else { throw fail("empty list element") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2 else { throw fail("\"\(part)\" has more than one /") }
            var step = 1
            if pieces.count == 2 {
                guard let n = Int(pieces[1]), n >= 1 else { throw fail("step \"\(pieces[1])\" must be a whole number of 1 or more") }
                step = n
            }
            let base = pieces[0]
            let low: Int, high: Int
            if base == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try value(String(base[..<dash]))
                high = try value(String(base[base.index(after: dash)...]))
                guard low <= high else { throw fail("range \(base) runs backwards") }
            } else {
                low = try value(base)
                high = pieces.count == 2 ? range.upperBound : low
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values.sorted()
    }
}
