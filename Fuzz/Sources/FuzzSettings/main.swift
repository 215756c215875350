import Foundation
import FuzzSupport
import Reconciler

// A settings file (`--config FILE`, `config --validate FILE`). Invariants: no crash; an
// error is one line that names the file; accepted settings are within the documented
// ranges (each field is range-checked where it is read).

fuzzMain { data in
    let yaml = String(decoding: data, as: UTF8.self)
    do {
        let s = try Settings.load(yaml: yaml, path: "kreconcile.yaml")
        require((0...10_000).contains(s.budgets.maxChanges), "budgets.maxChanges out of range: \(s.budgets.maxChanges)")
        require((5...3600).contains(s.lock.leaseDurationSeconds), "lock.leaseDurationSeconds out of range")
        require(s.lock.renewDeadline < s.lock.leaseDurationSeconds, "renew deadline not below the lease duration")
        require(s.timeouts.requestSeconds <= s.maxRequestSeconds, "requestSeconds longer than the Lease allows")
    } catch let error as SettingsError {
        requireOneLine(error.message, "settings error")
        require(error.message.hasPrefix("kreconcile.yaml: "), "settings error without the file: \(error.message)")
    } catch {
        require(false, "Settings.load threw \(type(of: error)), not a SettingsError")
    }
}
