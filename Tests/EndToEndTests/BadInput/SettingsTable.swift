import Foundation
import KubeClient

/// Invalid settings files, generated from `kreconcile config --print-defaults` (which holds
/// every field, each check's options and safety included): every node gets values of the
/// wrong shape, every number and bool an invalid one, every mapping an unknown key; then
/// each field's own rules (names, ranges, enums, cross-field limits) below.
enum SettingsTable {
    static func cases(defaults: JSONValue) -> [BadInput] {
        var out: [BadInput] = []
        func add(_ path: [PathStep], _ value: JSONValue, field: String? = nil) {
            let f = field ?? PathStep.render(path)
            out.append(BadInput("\(PathStep.render(path)) = \(value.jsonString())", field: f, defaults, setting: path, to: value))
        }
        add(["zzUnknownField"], 1)
        for (path, value) in defaults.nodes() {
            for wrong in WrongType.instead(of: value) { add(path, wrong) }
            switch value {
            case .number:
                add(path, WrongType.word)
                add(path, -1)
                // findingsOver has no upper bound.
                if path.last != "findingsOver" { add(path, 99_999_999_999) }
            case .bool:
                add(path, "maybe")
            case .object:
                add(path + ["zzUnknownField"], 1)
            default:
                break
            }
        }
        for (path, value, field) in semantic {
            add(path, value, field: field)
        }
        out.append(BadInput("a list", field: "must be a mapping", content: "- budgets\n"))
        out.append(BadInput("YAML syntax error", field: "line ", content: "budgets:\n  maxChanges: [1\n"))
        return out
    }

    static let ownerRules: [PathStep] = ["checks", "owner-references", "rules"]
    static let rule: JSONValue = ["kind": "ConfigMap", "selector": ["app": "a"], "owner": ["kind": "Deployment", "name": "d"]]
    static let window: JSONValue = ["schedule": "0 22 * * 1-5", "duration": "4h", "timeZone": "Europe/Berlin"]

    /// (path, invalid value, the field named).
    static var semantic: [([PathStep], JSONValue, String)] {
        [
            (["budgets", "maxChanges"], 10_001, "budgets.maxChanges"),
            (["budgets", "maxPerNamespace"], 1.5, "budgets.maxPerNamespace"),
            (["excludeNamespaces"], ["kube-system", "Not_A_Namespace"], "excludeNamespaces[1]"),
            (["optOutKey"], "not a key!", "optOutKey"),
            (["optOutKey"], "", "optOutKey"),
            (["lock", "name"], "Not_A_Lease", "lock.name"),
            (["lock", "namespace"], "Not_A_Namespace", "lock.namespace"),
            (["lock", "leaseDurationSeconds"], 4, "lock.leaseDurationSeconds"),
            (["lock", "renewDeadlineSeconds"], 60, "lock.renewDeadlineSeconds"),
            (["lock", "renewDeadlineSeconds"], 1, "lock.renewDeadlineSeconds"),
            (["timeouts", "runDeadlineSeconds"], 9, "timeouts.runDeadlineSeconds"),
            (["timeouts", "requestSeconds"], 0, "timeouts.requestSeconds"),
            (["timeouts", "requestSeconds"], 59, "timeouts.requestSeconds"),
            (["client", "qps"], 10_000.5, "client.qps"),
            (["client", "burst"], 0, "client.burst"),
            (["client", "pageSize"], 0, "client.pageSize"),
            (["history", "maxRuns"], 0, "history.maxRuns"),
            (["history", "maxAgeDays"], 366, "history.maxAgeDays"),
            (["checks", "zz-no-such-check"], ["enabled": true], "checks.zz-no-such-check"),
            (["checks", "gatekeeper-mutation-drift", "fix"], "sometimes", "checks.gatekeeper-mutation-drift.fix"),
            (["checks", "apparmor-unprotected-pods", "profileRequirement"], "strict", "checks.apparmor-unprotected-pods.profileRequirement"),
            (["checks", "owner-references", "safety", "aborts"], "never", "checks.owner-references.safety.aborts"),
            (["checks", "owner-references", "safety", "abortWhen", "findingsOver"], 0, "checks.owner-references.safety.abortWhen.findingsOver"),
            (["checks", "owner-references", "safety", "abortWhen", "percentOver"], 101, "checks.owner-references.safety.abortWhen.percentOver"),
            (ownerRules, [.object([:])], "checks.owner-references.rules[0].kind"),
            (ownerRules, [rule.replacing(["zzUnknownField"], with: 1)], "checks.owner-references.rules[0].zzUnknownField"),
            (ownerRules, [rule.replacing(["selector"], with: .object([:]))], "checks.owner-references.rules[0].selector"),
            (ownerRules, [rule.replacing(["selector"], with: ["app": ["a"]])], "checks.owner-references.rules[0].selector.app"),
            (ownerRules, [rule.replacing(["owner"], with: nil)], "checks.owner-references.rules[0].owner"),
            (ownerRules, [rule.replacing(["owner", "name"], with: nil)], "checks.owner-references.rules[0].owner.name"),
            (ownerRules, [rule.replacing(["owner", "controller"], with: "maybe")], "checks.owner-references.rules[0].owner.controller"),
            (ownerRules, [rule.replacing(["kind"], with: "NoSuchKind")], "checks.owner-references.rules[0]"),
            (["safety", "abortWhen", "findingsOver"], 0, "safety.abortWhen.findingsOver"),
            (["safety", "abortWhen", "percentOver"], 0, "safety.abortWhen.percentOver"),
            (["safety", "abortWhen", "percentOver"], "50%%", "safety.abortWhen.percentOver"),
            (["safety", "percentMinExamined"], 0, "safety.percentMinExamined"),
            (["maintenance", "applyTo"], "sometimes", "maintenance.applyTo"),
            (["maintenance", "windows"], [5], "maintenance.windows[0]"),
            (["maintenance", "windows"], [window.replacing(["schedule"], with: nil)], "maintenance.windows[0].schedule"),
            (["maintenance", "windows"], [window.replacing(["schedule"], with: "61 * * * *")], "maintenance.windows[0].schedule"),
            (["maintenance", "windows"], [window.replacing(["schedule"], with: "0 0 31 2 *")], "maintenance.windows[0].schedule"),
            (["maintenance", "windows"], [window.replacing(["duration"], with: nil)], "maintenance.windows[0].duration"),
            (["maintenance", "windows"], [window.replacing(["duration"], with: "30s")], "maintenance.windows[0].duration"),
            (["maintenance", "windows"], [window.replacing(["duration"], with: "8d")], "maintenance.windows[0].duration"),
            (["maintenance", "windows"], [window.replacing(["timeZone"], with: "Mars/Olympus_Mons")], "maintenance.windows[0].timeZone"),
            (["maintenance", "windows"], [window.replacing(["zzUnknownField"], with: 1)], "maintenance.windows[0].zzUnknownField"),
            (["notify"], ["format": "slack"], "notify.urlFile"),
            (["notify"], ["urlFile": "/etc/url", "urlEnv": "URL"], "notify.url"),
            (["notify"], ["url": "ftp://example.com/hook"], "notify.url"),
            (["notify"], ["urlEnv": "NOT-A-NAME"], "notify.urlEnv"),
            (["notify"], ["urlEnv": "URL", "format": "xml"], "notify.format"),
            (["notify"], ["urlEnv": "URL", "on": ["sometimes"]], "notify.on[0]"),
            (["notify"], ["urlEnv": "URL", "zzUnknownField": 1], "notify.zzUnknownField"),
        ]
    }
}
