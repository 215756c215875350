import KubeClient
@testable import Reconciler
import XCTest

final class SettingsTests: XCTestCase {
    func loadError(_ yaml: String) -> String? {
        do {
            _ = try Settings.load(yaml: yaml, path: "kreconcile.yaml")
            return nil
        } catch {
            return error.message
        }
    }

    func testEmptyFileGivesDefaults() throws {
        XCTAssertEqual(try Fixture.settings(""), Settings.defaults)
        XCTAssertEqual(try Fixture.settings("budgets:\n"), Settings.defaults)
        XCTAssertEqual(Settings.defaults.budgets, Budgets(maxChanges: 20, maxPerNamespace: 5, maxPerNode: 2, maxUnhealthyWorkloads: 1))
        XCTAssertEqual(Settings.defaults.excludeNamespaces, ["kube-system", "kube-public", "kube-node-lease"])
        XCTAssertEqual(Settings.defaults.lock, LockSettings(name: "kreconcile", namespace: nil, leaseDurationSeconds: 60))
        XCTAssertEqual(Settings.defaults.lock.renewDeadline, 40, "two thirds of the duration, as client-go's 10 s of 15 s")
        XCTAssertEqual(Settings.defaults.timeouts.requestSeconds, 20)
        // No client-side rate limit: the server's API Priority and Fairness paces, 429 + Retry-After backs off.
        XCTAssertEqual(Settings.defaults.client, ClientSettings(qps: 0, burst: 40, pageSize: 500))
        XCTAssertEqual(KubeClient.Options().qps, 0)
        XCTAssertTrue(Settings.defaultsYAML.contains("API Priority and Fairness"))
        XCTAssertEqual(Settings.defaults.checks.enabled, Set(Checks.all.map(\.name)))
    }

    func testDefaultsFileLoadsToTheDefaults() throws {
        XCTAssertEqual(try Fixture.settings(Settings.defaultsYAML), Settings.defaults)
        // Every check and each of its options is documented in the file.
        for check in Checks.all {
            XCTAssertTrue(Settings.defaultsYAML.contains("  \(check.name):\n    enabled: true"), check.name)
            for option in check.optionsDoc { XCTAssertTrue(Settings.defaultsYAML.contains("    \(option.name): "), option.name) }
        }
    }

    func testFieldsOverrideDefaults() throws {
        let s = try Fixture.settings("""
        budgets: {maxChanges: 3, maxPerNode: 1}
        excludeNamespaces: [kube-system, payments]
        lock: {name: kr-lock, namespace: ops, leaseDurationSeconds: 30}
        timeouts: {runDeadlineSeconds: 120, requestSeconds: 10}
        client: {qps: 5.5, pageSize: 100}
        checks:
          kubearmor-image-drift: {enabled: false}
          owner-references:
            kubearmorOperator: false
        """)
        XCTAssertEqual(s.budgets, Budgets(maxChanges: 3, maxPerNamespace: 5, maxPerNode: 1, maxUnhealthyWorkloads: 1))
        XCTAssertEqual(s.excludeNamespaces, ["kube-system", "payments"])
        XCTAssertEqual(s.lock, LockSettings(name: "kr-lock", namespace: "ops", leaseDurationSeconds: 30))
        XCTAssertEqual(s.timeouts, TimeoutSettings(runDeadlineSeconds: 120, requestSeconds: 10))
        XCTAssertEqual(s.client, ClientSettings(qps: 5.5, burst: 40, pageSize: 100))
        XCTAssertFalse(s.checks.isEnabled("kubearmor-image-drift"))
        XCTAssertTrue(s.checks.isEnabled("owner-references"))
        XCTAssertEqual(s.checks.option("kubearmorOperator", of: "owner-references"), false)
        XCTAssertEqual(s.checks.option("rules", of: "owner-references"), [], "unset options keep their default")
    }

    func testUnknownFieldsNamePathAndSuggestion() {
        XCTAssertEqual(loadError("budgets:\n  maxChange: 3\n"), "kreconcile.yaml: budgets.maxChange: unknown field, did you mean maxChanges?")
        XCTAssertEqual(loadError("excludeNamespace: [a]\n"), "kreconcile.yaml: excludeNamespace: unknown field, did you mean excludeNamespaces?")
        XCTAssertEqual(loadError("colour: red\n"), "kreconcile.yaml: colour: unknown field")
        XCTAssertEqual(loadError("checks:\n  owner-reference: {}\n"), "kreconcile.yaml: checks.owner-reference: unknown field, did you mean owner-references?")
        XCTAssertEqual(loadError("checks:\n  owner-references: {enable: false}\n"), "kreconcile.yaml: checks.owner-references.enable: unknown field, did you mean enabled?")
        XCTAssertEqual(loadError("checks:\n  owner-references:\n    rules:\n    - {kind: ConfigMap, selector: {a: b}, owner: {kind: Deployment, nam: x}}\n"),
                       "kreconcile.yaml: checks.owner-references.rules[0].owner.nam: unknown field, did you mean name?")
    }

    /// Found by `make fuzz` (Fuzz/corpus/settings/regression-*): a value or key with a line
    /// break made a two-line error; it is escaped now.
    func testErrorsQuotingTheFileStayOneLine() {
        XCTAssertEqual(loadError(#"excludeNamespaces: ["kube\nsystem"]"#),
                       #"kreconcile.yaml: excludeNamespaces[0]: "kube\nsystem" is not a valid namespace name"#)
        XCTAssertEqual(loadError(#"budgets: {"max\rChanges": 3}"#), #"kreconcile.yaml: budgets.max\rChanges: unknown field, did you mean maxChanges?"#)
    }

    func testTypesAndRangesAreChecked() {
        XCTAssertEqual(loadError("budgets: {maxChanges: many}"), "kreconcile.yaml: budgets.maxChanges: must be an integer between 0 and 10000, got many")
        XCTAssertEqual(loadError("budgets: {maxPerNode: -1}"), "kreconcile.yaml: budgets.maxPerNode: must be an integer between 0 and 10000, got -1")
        XCTAssertNil(loadError("client: {qps: 0}"), "0 = no client-side limit")
        XCTAssertTrue(loadError("client: {qps: -1}")?.hasPrefix("kreconcile.yaml: client.qps: must be a number between 0 and 10000") == true,
                      loadError("client: {qps: -1}") ?? "accepted")
        XCTAssertEqual(loadError("budgets: 5"), "kreconcile.yaml: budgets: must be a mapping")
        XCTAssertEqual(loadError("excludeNamespaces: kube-system"), "kreconcile.yaml: excludeNamespaces: must be a list of strings")
        XCTAssertEqual(loadError("excludeNamespaces: [Kube_System]"), "kreconcile.yaml: excludeNamespaces[0]: \"Kube_System\" is not a valid namespace name")
        XCTAssertEqual(loadError("lock: {name: \"a b\"}"), "kreconcile.yaml: lock.name: \"a b\" is not a valid Lease name")
        XCTAssertEqual(loadError("checks: {owner-references: {enabled: maybe}}"), "kreconcile.yaml: checks.owner-references.enabled: must be true or false")
        XCTAssertEqual(loadError("checks: {owner-references: {rules: [{kind: ConfigMap, owner: {kind: Deployment, name: x}}]}}"),
                       "kreconcile.yaml: checks.owner-references.rules[0].selector: required field is missing")
        XCTAssertEqual(loadError("- a\n- b\n"), "kreconcile.yaml: the settings file must be a mapping of fields")
        XCTAssertEqual(loadError("budgets:\n  maxChanges: 1\n   bad: 2\n"),
                       "kreconcile.yaml: not valid YAML: line 3, column 7: mapping values are not allowed in this context")
        XCTAssertEqual(loadError("budgets: {maxChanges: [}"), "kreconcile.yaml: not valid YAML: line 1, column 24: did not find expected node content")
    }

    func testCheckValidatesItsRules() {
        XCTAssertEqual(loadError("checks: {owner-references: {rules: [{kind: Widget, selector: {a: b}, owner: {kind: Deployment, name: x}}]}}"),
                       "kreconcile.yaml: checks.owner-references.rules[0].kind: Widget is not a built-in kind; set apiVersion and resource (its plural)")
        XCTAssertEqual(loadError("checks: {owner-references: {rules: [{kind: ClusterRole, selector: {a: b}, owner: {kind: Deployment, name: x}}]}}"),
                       "kreconcile.yaml: checks.owner-references.rules[0].owner.kind: a namespaced owner (Deployment) is invalid for cluster-scoped ClusterRole")
        XCTAssertNil(loadError("checks: {owner-references: {rules: [{kind: Widget, apiVersion: example.com/v1, resource: widgets, selector: {a: b}, owner: {kind: Deployment, name: x}}]}}"))
    }

    func testDidYouMean() {
        XCTAssertEqual(DidYouMean.suggestion(for: "maxChange", among: ["maxChanges", "maxPerNode"]), "maxChanges")
        XCTAssertEqual(DidYouMean.suggestion(for: "maxpernode", among: ["maxChanges", "maxPerNode"]), "maxPerNode")
        XCTAssertEqual(DidYouMean.suggestion(for: "leaseDuration", among: ["name", "leaseDurationSeconds"]), "leaseDurationSeconds", "prefix")
        XCTAssertNil(DidYouMean.suggestion(for: "zzz", among: ["name", "namespace"]))
    }

    /// A write that starts just before the renew deadline must end before another run may
    /// take the Lease over, and a renewal that times out must leave time to try again.
    func testRequestSecondsMustFitTheRenewDeadline() throws {
        XCTAssertTrue(loadError("timeouts: {requestSeconds: 50}\n")?.hasPrefix("kreconcile.yaml: timeouts.requestSeconds: 50 is too long for the Lease, at most 20") == true,
                      loadError("timeouts: {requestSeconds: 50}\n") ?? "accepted")
        XCTAssertNil(loadError("timeouts: {requestSeconds: 20}\n"))
        // A custom deadline: 90 - 60 leaves 30 s for a write.
        XCTAssertEqual(try Fixture.settings("lock: {leaseDurationSeconds: 90, renewDeadlineSeconds: 60}\ntimeouts: {requestSeconds: 30}\n").lock.renewDeadline, 60)
        XCTAssertNotNil(loadError("lock: {leaseDurationSeconds: 90, renewDeadlineSeconds: 60}\ntimeouts: {requestSeconds: 31}\n"))
        // The deadline must leave room for a renewal to be retried.
        XCTAssertNotNil(loadError("lock: {leaseDurationSeconds: 60, renewDeadlineSeconds: 10}\ntimeouts: {requestSeconds: 15}\n"))
        XCTAssertEqual(loadError("lock: {leaseDurationSeconds: 60, renewDeadlineSeconds: 60}\n"),
                       "kreconcile.yaml: lock.renewDeadlineSeconds: must be less than leaseDurationSeconds (60): the holder stops writing before another run may take the Lease over")
    }
}
