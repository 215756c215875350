import Foundation
@testable import Reconciler
import XCTest

/// `safety`, `checks.<name>.safety`, `maintenance` and `notify` in the settings file: every
/// bad value is one line naming the file and the field (the CLI exits 2 on it).
final class OperatorSafetySettingsTests: XCTestCase {
    func problem(_ yaml: String) -> String {
        do { _ = try Settings.load(yaml: yaml, path: "k.yaml"); return "loaded" } catch { return error.message }
    }

    func testDefaultsLetTheFirstKubeArmorRunThrough() {
        let d = Settings.defaults.safety
        XCTAssertTrue(d.check("apparmor-unprotected-pods").abortWhen.isEmpty)
        XCTAssertTrue(d.check("kubearmor-image-drift").abortWhen.isEmpty)
        XCTAssertEqual(d.check("gatekeeper-orphaned-vap").abortWhen.percentOver, 50)
        XCTAssertTrue(d.abortWhen.isEmpty)
        XCTAssertEqual(Set(SafetySettings.defaultsDoc.map(\.check)), Set(Checks.all.map(\.name)), "every check's default is explained")
    }

    func testTheDefaultsFileLoadsBackToTheDefaults() throws {
        XCTAssertEqual(try Settings.load(yaml: Settings.defaultsYAML, path: "defaults.yaml"), Settings.defaults)
        XCTAssertTrue(Settings.defaultsYAML.contains("right after installing KubeArmor nearly every pod lacks its profile"))
    }

    func testLimitsParse() throws {
        let s = try Fixture.settings("""
            safety:
              abortWhen: {findingsOver: 200, percentOver: 40}
              percentMinExamined: 5
            checks:
              gatekeeper-orphaned-vap:
                safety: {abortWhen: {findingsOver: 3}, aborts: run}
              owner-references:
                safety: {abortWhen: {findingsOver: null}}
            """)
        XCTAssertEqual(s.safety.abortWhen, AbortLimits(findingsOver: 200, percentOver: 40))
        XCTAssertEqual(s.safety.percentMinExamined, 5)
        XCTAssertEqual(s.safety.check("gatekeeper-orphaned-vap"), CheckSafety(abortWhen: AbortLimits(findingsOver: 3, percentOver: 50), aborts: .run),
                       "a field left out keeps its default")
        XCTAssertEqual(s.safety.check("owner-references").abortWhen, AbortLimits(), "null removes the limit")
    }

    func testBadLimitsNameTheField() {
        XCTAssertEqual(problem("safety: {abortWhen: {findingsOver: 0}}"), "k.yaml: safety.abortWhen.findingsOver: must be a whole number of 1 or more, got 0")
        XCTAssertEqual(problem("safety: {abortWhen: {findingsOver: -3}}"), "k.yaml: safety.abortWhen.findingsOver: must be a whole number of 1 or more, got -3")
        XCTAssertEqual(problem("safety: {abortWhen: {percentOver: 0}}"), "k.yaml: safety.abortWhen.percentOver: must be a percentage over 0 and at most 100, got 0")
        XCTAssertEqual(problem("safety: {abortWhen: {percentOver: 100.5}}"), "k.yaml: safety.abortWhen.percentOver: must be a percentage over 0 and at most 100, got 100.5")
        XCTAssertEqual(problem("checks: {apparmor-unprotected-pods: {safety: {abortWhen: {percentOver: -1}}}}"),
                       "k.yaml: checks.apparmor-unprotected-pods.safety.abortWhen.percentOver: must be a percentage over 0 and at most 100, got -1")
        XCTAssertEqual(problem("checks: {owner-references: {safety: {aborts: everything}}}"),
                       "k.yaml: checks.owner-references.safety.aborts: must be check or run, got \"everything\"")
        XCTAssertEqual(problem("safety: {abortWhen: {findingsOvr: 3}}"), "k.yaml: safety.abortWhen.findingsOvr: unknown field, did you mean findingsOver?")
    }

    func testMaintenanceWindows() throws {
        let s = try Fixture.settings("""
            maintenance:
              applyTo: all
              windows:
                - {schedule: "0 22 * * 1-5", duration: 4h, timeZone: Europe/Berlin}
                - {schedule: "@daily", duration: 1h30m}
            """)
        XCTAssertEqual(s.maintenance.applyTo, .all)
        XCTAssertEqual(s.maintenance.windows.map(\.durationSeconds), [14_400, 5400])
        XCTAssertEqual(s.maintenance.windows.map(\.timeZone.identifier).first, "Europe/Berlin")
        XCTAssertEqual(s.maintenance.windows.last?.timeZone.secondsFromGMT(for: Date()), 0, "UTC by default")
    }

    func testBadWindowsNameTheField() {
        func window(_ w: String) -> String { problem("maintenance:\n  windows:\n    - \(w)\n") }
        XCTAssertEqual(window("{schedule: \"0 25 * * *\", duration: 1h}"), "k.yaml: maintenance.windows[0].schedule: hour field \"25\": 25 is out of range 0-23")
        XCTAssertEqual(window("{schedule: \"0 0 31 2 *\", duration: 1h}"), "k.yaml: maintenance.windows[0].schedule: \"0 0 31 2 *\" never fires (no such day)")
        XCTAssertEqual(window("{schedule: \"0 22 * * *\", duration: 1h, timeZone: Europe/Gotham}"),
                       "k.yaml: maintenance.windows[0].timeZone: unknown time zone \"Europe/Gotham\" (an IANA name like Europe/Berlin or America/New_York, read from /usr/share/zoneinfo: package tzdata)")
        XCTAssertEqual(window("{schedule: \"0 22 * * *\", duration: 8d}"),
                       "k.yaml: maintenance.windows[0].duration: \"8d\" is not a duration between 1m and 7d like 4h, 90m or 1h30m")
        XCTAssertEqual(window("{schedule: \"0 22 * * *\"}"), "k.yaml: maintenance.windows[0].duration: required field is missing (like 4h or 90m)")
        XCTAssertEqual(problem("maintenance: {applyTo: restarts}"), "k.yaml: maintenance.applyTo: must be disruptive or all, got \"restarts\"")
    }

    func testNotify() throws {
        let s = try Fixture.settings("notify: {urlEnv: HOOK_URL, format: slack, on: [aborted, failed]}")
        XCTAssertEqual(s.notify, NotifySettings(source: .env("HOOK_URL"), format: .slack, on: [.aborted, .failed]))
        XCTAssertEqual(problem("notify: {format: slack}"), "k.yaml: notify.urlFile: set exactly one of urlFile, urlEnv or url")
        XCTAssertEqual(problem("notify: {urlFile: /a, urlEnv: B}"), "k.yaml: notify.url: set exactly one of urlFile, urlEnv or url")
        XCTAssertEqual(problem("notify: {urlEnv: B, format: teams}"), "k.yaml: notify.format: must be generic or slack, got \"teams\"")
        XCTAssertEqual(problem("notify: {urlEnv: B, on: [applied, deferred]}"), "k.yaml: notify.on[1]: must be applied, failed or aborted, got \"deferred\"")
        // An inline URL that is not one is refused without being repeated.
        let secret = "hooks.example/T000/B000/sekrit"
        let message = problem("notify: {url: \"\(secret)\"}")
        XCTAssertEqual(message, "k.yaml: notify.url: must be an http:// or https:// URL")
        XCTAssertFalse(message.contains("sekrit"))
    }

    func testNotifyTargetNeverShowsTheURL() throws {
        let secret = "https://hooks.example/services/T000/B000/sekrit-token"
        let target = try NotifyTarget.resolve(NotifySettings(source: .env("HOOK")), environment: ["HOOK": secret + "\n"])
        XCTAssertFalse("\(target)".contains("sekrit"))
        XCTAssertEqual(target.origin, "notify.urlEnv HOOK")
        XCTAssertThrowsError(try NotifyTarget.resolve(NotifySettings(source: .env("HOOK")), environment: ["HOOK": "not a url sekrit"])) { error in
            XCTAssertFalse("\(error)".contains("sekrit"), "\(error)")
        }
        XCTAssertThrowsError(try NotifyTarget.resolve(NotifySettings(source: .file("/nonexistent/url")), environment: [:])) { error in
            XCTAssertTrue("\(error)".hasPrefix("notify.urlFile: cannot read /nonexistent/url"), "\(error)")
        }
        XCTAssertFalse("\(NotifySettings(source: .inline(secret)))".contains("sekrit"))
    }
}
