import Foundation

/// The Planner's view of the maintenance windows at the run's time: outside every window,
/// the actions they gate are deferred with the next window's start.
struct WindowGate {
    private let deferral: DeferReason?
    private let maintenance: MaintenanceSettings

    /// `now`: the snapshot's time (nil, a bare fixture: no gating).
    init(_ maintenance: MaintenanceSettings, now: Date?) {
        self.maintenance = maintenance
        guard let now, !maintenance.windows.isEmpty, !maintenance.isOpen(at: now) else { deferral = nil; return }
        deferral = .maintenanceWindow(next: maintenance.nextOpening(after: now).map { Self.format($0.start, in: $0.zone) })
    }

    func defers(_ action: Action) -> DeferReason? {
        maintenance.gates(action.actionClass) ? deferral : nil
    }

    /// RFC 3339 with the window's own offset: "2026-12-01T22:00:00+01:00".
    static func format(_ date: Date, in zone: TimeZone) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = zone
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
