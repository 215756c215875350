import KubeClient
@testable import Reconciler
import KubeEmulator
import XCTest

/// Files -> Snapshot -> checks -> Plan, as the offline mode runs them.
final class PipelineTests: XCTestCase {
    func documents() -> [JSONValue] {
        func meta(_ name: String, uid: String, labels: [String: String] = [:]) -> JSONValue {
            ["name": .string(name), "namespace": "kubearmor", "uid": .string(uid), "resourceVersion": "5", "generation": 1,
             "labels": .object(labels.mapValues { .string($0) })]
        }
        let settled: JSONValue = ["observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1, "readyReplicas": 1]
        var docs: [JSONValue] = [
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "kubearmor", "uid": "ns"]],
            ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("kubearmor-operator", uid: "op", labels: ["kubearmor-app": "kubearmor-operator"]),
             "spec": ["replicas": 1, "template": ["spec": ["containers": [["name": "operator", "image": "kubearmor/kubearmor-operator:v1"]]]]],
             "status": settled],
            ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("kubearmor-relay", uid: "relay"),
             "spec": ["replicas": 1, "template": ["spec": ["containers": [["name": "kubearmor-relay-server", "image": "kubearmor/kubearmor-relay-server:v0"]]]]],
             "status": settled],
            ["apiVersion": "operator.kubearmor.com/v1", "kind": "KubeArmorConfig", "metadata": meta("kubearmorconfig-default", uid: "cfg"), "spec": [:]],
        ]
        for (kind, name) in [("ServiceAccount", "kubearmor"), ("ServiceAccount", "kubearmor-relay"), ("ConfigMap", "kubearmor-config"), ("Service", "kubearmor")] {
            docs.append(["apiVersion": "v1", "kind": .string(kind), "metadata": meta(name, uid: "\(kind)-\(name)")])
        }
        return docs
    }

    func plan(_ docs: [JSONValue], _ settings: Settings) throws -> Plan {
        let snapshot = try Snapshot(documents: docs, checks: Checks.all, settings: settings)
        let reports = Checks.evaluate(settings.checks.enabledChecks(from: Checks.all), snapshot: snapshot, settings: settings)
        return Planner.plan(reports, snapshot: snapshot, settings: settings, shard: nil)
    }

    func testSameFilesAndSettingsGiveTheSamePlan() throws {
        let settings = try Fixture.settings("budgets: {maxChanges: 4, maxPerNamespace: 10}")
        let reference = try plan(documents(), settings)
        // Metadata first, by kind then name; the relay lacks the operator reference and runs a
        // stale image: one action per object, so its image waits for the next run.
        XCTAssertEqual(reference.batch.map { "\($0.object.kind) \($0.object.name)" }, [
            "ConfigMap kubearmor-config", "Deployment kubearmor-relay", "Service kubearmor", "ServiceAccount kubearmor",
        ])
        XCTAssertEqual(reference.deferred.map { "\($0.finding.check) \($0.finding.object.name)" },
                       ["owner-references kubearmor-relay", "kubearmor-image-drift kubearmor-relay"])
        XCTAssertEqual(reference.deferred.map(\.decision), [.deferred(.maxChanges(4)), .deferred(.objectAlreadyPlanned)])
        var rng = SplitMix64(seed: 7)
        for _ in 0..<3 { XCTAssertEqual(try plan(documents().shuffled(using: &rng), settings), reference) }
    }

    func testDisabledCheckIsNotRun() throws {
        let settings = try Fixture.settings("checks: {owner-references: {enabled: false}}")
        let p = try plan(documents(), settings)
        XCTAssertEqual(p.entries.map(\.finding.check), ["kubearmor-image-drift"])
        XCTAssertEqual(p.batch.first?.action?.summary, "set image of kubearmor-relay-server to kubearmor/kubearmor-relay-server:latest")
    }
}
