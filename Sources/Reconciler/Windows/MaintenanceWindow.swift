import Foundation

/// One recurring window: it opens at each start of `schedule` (wall-clock time in
/// `timeZone`) and stays open `durationSeconds` of elapsed time.
///
/// Daylight saving time: a start in a skipped local hour (spring forward) opens when the
/// clock jumps, as cronie runs jobs of the skipped hour right after the change; a start in
/// a repeated hour (fall back) opens once, at its first occurrence. A window spanning a
/// change lasts its duration in real time, so "22:00 for 4h" over a fall-back night ends
/// at 01:00 local time.
public struct MaintenanceWindow: Sendable, Equatable {
    public var schedule: CronSchedule
    public var durationSeconds: Int
    public var timeZone: TimeZone

    public init(schedule: CronSchedule, durationSeconds: Int, timeZone: TimeZone) {
        self.schedule = schedule
        self.durationSeconds = durationSeconds
        self.timeZone = timeZone
    }

    /// How far ahead a start is searched: every day/month/weekday combination a 5-field
    /// schedule can ask for (29 February included) occurs within 5 years.
    static let horizonDays = 5 * 366

    /// The first start strictly after `t`, or nil when the schedule never fires (31 February).
    public func nextStart(after t: Date) -> Date? {
        var day = CivilDay(t, in: timeZone).adding(-1)
        for _ in 0..<Self.horizonDays {
            if let s = starts(on: day).first(where: { $0 > t }) { return s }
            day = day.adding(1)
        }
        return nil
    }

    /// The open window containing `t` (start <= t < start + duration), the one ending last
    /// when windows overlap.
    public func window(containing t: Date) -> DateInterval? {
        let duration = TimeInterval(durationSeconds)
        var day = CivilDay(t.addingTimeInterval(-duration), in: timeZone).adding(-1)
        let last = CivilDay(t, in: timeZone)
        var best: DateInterval?
        while day <= last {
            for s in starts(on: day) where s <= t && s.addingTimeInterval(duration) > t {
                if best == nil || s.addingTimeInterval(duration) > best!.end { best = DateInterval(start: s, duration: duration) }
            }
            day = day.adding(1)
        }
        return best
    }

    /// The instants the schedule fires on one local day, ascending.
    func starts(on day: CivilDay) -> [Date] {
        guard schedule.matchesDay(month: day.month, day: day.day, weekday: day.weekday) else { return [] }
        var out: [Date] = []
        for hour in schedule.hours {
            for minute in schedule.minutes {
                let s = Self.instant(of: day, hour: hour, minute: minute, in: timeZone)
                if out.last.map({ s > $0 }) ?? true { out.append(s) }  // a skipped hour maps several to one
            }
        }
        return out
    }

    /// The instant a local wall-clock time names: the earlier one when the hour repeats, the
    /// moment of the jump when it was skipped.
    static func instant(of day: CivilDay, hour: Int, minute: Int, in zone: TimeZone) -> Date {
        let wall = day.utcMidnight + TimeInterval(hour * 3600 + minute * 60)  // the wall time read as UTC
        // The offsets in force a day before and after bound the ones in force at the time.
        let offsets = Set([zone.secondsFromGMT(for: Date(timeIntervalSince1970: wall - 86_400)),
                           zone.secondsFromGMT(for: Date(timeIntervalSince1970: wall + 86_400))])
        let candidates = offsets.map { wall - TimeInterval($0) }.sorted()
        if let valid = candidates.first(where: { zone.secondsFromGMT(for: Date(timeIntervalSince1970: $0)) == Int(wall - $0) }) {
            return Date(timeIntervalSince1970: valid)
        }
        // In the gap: find the jump between the two readings (to the second).
        var low = candidates.first!, high = candidates.last!
        let before = zone.secondsFromGMT(for: Date(timeIntervalSince1970: low))
        while high - low > 1 {
            let mid = ((low + high) / 2).rounded(.down)
            if zone.secondsFromGMT(for: Date(timeIntervalSince1970: mid)) == before { low = mid } else { high = mid }
        }
        return Date(timeIntervalSince1970: high)
    }
}

/// A calendar day (proleptic Gregorian), with arithmetic that no time zone can disturb.
struct CivilDay: Comparable {
    /// Days since 1970-01-01.
    let ordinal: Int
    let year: Int, month: Int, day: Int
    /// 0 = Sunday.
    let weekday: Int

    /// Days to civil date (H. Hinnant's `civil_from_days`): no Calendar, no zone.
    init(ordinal: Int) {
        self.ordinal = ordinal
        let z = ordinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        weekday = ((ordinal + 4) % 7 + 7) % 7  // 1970-01-01 was a Thursday
    }

    /// The local day `t` falls on in `zone`.
    init(_ t: Date, in zone: TimeZone) {
        let local = t.timeIntervalSince1970 + TimeInterval(zone.secondsFromGMT(for: t))
        self.init(ordinal: Int((local / 86_400).rounded(.down)))
    }

    func adding(_ days: Int) -> CivilDay { CivilDay(ordinal: ordinal + days) }
    var utcMidnight: TimeInterval { TimeInterval(ordinal) * 86_400 }

    static func < (a: CivilDay, b: CivilDay) -> Bool { a.ordinal < b.ordinal }
    static func == (a: CivilDay, b: CivilDay) -> Bool { a.ordinal == b.ordinal }
}
