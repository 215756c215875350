import Foundation
import KubeClient

/// `maintenance: {windows: [...], applyTo: disruptive|all}`: when actions may run.
public struct MaintenanceSettings: Sendable, Equatable {
    public enum ApplyTo: String, Sendable, Equatable, CaseIterable {
        /// Only restarts and evictions wait for a window.
        case disruptive
        /// Every action waits for a window.
        case all
    }

    /// Empty: no windows, every action may run at any time.
    public var windows: [MaintenanceWindow]
    public var applyTo: ApplyTo

    public init(windows: [MaintenanceWindow] = [], applyTo: ApplyTo = .disruptive) {
        self.windows = windows
        self.applyTo = applyTo
    }

    /// Whether actions of this class must wait for a window.
    public func gates(_ actionClass: ActionClass) -> Bool {
        !windows.isEmpty && (applyTo == .all || actionClass.isDisruptive)
    }

    /// The open window containing `t` (the one ending last), nil when none is open.
    public func openWindow(at t: Date) -> DateInterval? {
        windows.compactMap { $0.window(containing: t) }.max { $0.end < $1.end }
    }

    public func isOpen(at t: Date) -> Bool { windows.isEmpty || openWindow(at: t) != nil }

    /// The earliest window start after `t`, with the zone it is written in.
    public func nextOpening(after t: Date) -> (start: Date, zone: TimeZone)? {
        windows.compactMap { w in w.nextStart(after: t).map { ($0, w.timeZone) } }.min { $0.0 < $1.0 }
    }

    /// The longest window: 7 days (a weekly schedule covers every time with one that long).
    static let maxDurationSeconds = 7 * 86_400

    static func parse(_ fields: YAMLFields) throws -> MaintenanceSettings {
        try fields.rejectUnknownKeys(["windows", "applyTo"])
        var out = MaintenanceSettings()
        if let applyTo = try fields.string("applyTo") {
            guard let parsed = ApplyTo(rawValue: applyTo) else { throw fields.error("applyTo", "must be disruptive or all, got \"\(applyTo)\"") }
            out.applyTo = parsed
        }
        for w in try fields.sequence("windows") {
            guard case .mapping? = w.node else { throw ConfigError("\(w.file): \(w.path): must be a mapping {schedule, duration, timeZone}") }
            try w.rejectUnknownKeys(["schedule", "duration", "timeZone"])
            guard let text = try w.string("schedule") else { throw w.error("schedule", "required field is missing (a 5-field cron schedule like \"0 22 * * 1-5\")") }
            let schedule: CronSchedule
            do { schedule = try CronSchedule(text) } catch { throw w.error("schedule", error.description) }
            guard let durationText = try w.string("duration") else { throw w.error("duration", "required field is missing (like 4h or 90m)") }
            guard let exact = DurationText.seconds(durationText), exact >= 60, exact <= Double(maxDurationSeconds) else {
                throw w.error("duration", "\"\(durationText)\" is not a duration between 1m and 7d like 4h, 90m or 1h30m")
            }
            let zoneName = try w.string("timeZone") ?? "UTC"
            guard let zone = TimeZone(identifier: zoneName) else {
                throw w.error("timeZone", "unknown time zone \"\(zoneName)\" (an IANA name like Europe/Berlin or America/New_York, read from /usr/share/zoneinfo: package tzdata)")
            }
            let window = MaintenanceWindow(schedule: schedule, durationSeconds: Int(exact), timeZone: zone)
            // Any fixed instant will do: whether a schedule ever fires does not depend on when.
            guard window.nextStart(after: Date(timeIntervalSince1970: 1_767_225_600)) != nil else {
                throw w.error("schedule", "\"\(text)\" never fires (no such day)")
            }
            out.windows.append(window)
        }
        return out
    }
}
