import KubeClient
@testable import Reconciler
import KubeEmulator
import XCTest

final class PlannerTests: XCTestCase {
    func settings(maxChanges: Int = 20, perNamespace: Int = 5, perNode: Int = 2, unhealthy: Int = 1) -> Settings {
        var s = Settings.defaults
        s.budgets = Budgets(maxChanges: maxChanges, maxPerNamespace: perNamespace, maxPerNode: perNode, maxUnhealthyWorkloads: unhealthy)
        return s
    }

    func plan(_ findings: [Finding], snapshot: Snapshot = Snapshot(), settings: Settings = .defaults, shard: Shard? = nil) -> Plan {
        Planner.plan([CheckReport(check: "test-check", findings: findings)], snapshot: snapshot, settings: settings, shard: shard)
    }

    func decisions(_ plan: Plan) -> [String: PlanEntry.Decision] {
        Dictionary(uniqueKeysWithValues: plan.entries.map { ("\($0.finding.object.namespace ?? "-")/\($0.finding.object.name)/\($0.finding.check)", $0.decision) })
    }

    func testOrderIsByClassThenObject() {
        let findings = [
            Fixture.finding("d", cls: .disruptive), Fixture.finding("b", cls: .imagePatch), Fixture.finding("z", cls: .metadata),
            Fixture.finding("c", cls: .orphanDeletion), Fixture.finding("a", cls: .metadata), Fixture.finding("a2", ns: "aaa", cls: .imagePatch),
        ]
        let p = plan(findings, settings: settings(perNamespace: 10, unhealthy: 5))
        XCTAssertEqual(p.batch.map(\.object.name), ["a", "z", "c", "a2", "b", "d"])
        XCTAssertEqual(p.batch.map { $0.action!.actionClass }, [.metadata, .metadata, .orphanDeletion, .imagePatch, .imagePatch, .disruptive])
    }

    func testMaxChanges() {
        let findings = (1...5).map { Fixture.finding("cm\($0)", ns: "ns\($0)") }
        let p = plan(findings, settings: settings(maxChanges: 3))
        XCTAssertEqual(p.batch.map(\.object.name), ["cm1", "cm2", "cm3"])
        XCTAssertEqual(p.deferred.map(\.decision), [.deferred(.maxChanges(3)), .deferred(.maxChanges(3))])
        XCTAssertEqual(p.deferred.map(\.finding.object.name), ["cm4", "cm5"])
    }

    func testBudgetsGoToEarlierClassesFirst() {
        let findings = [Fixture.finding("a", ns: "n1", cls: .disruptive), Fixture.finding("b", ns: "n2", cls: .imagePatch),
                        Fixture.finding("c", ns: "n3", cls: .orphanDeletion), Fixture.finding("d", ns: "n4", cls: .metadata)]
        let p = plan(findings, settings: settings(maxChanges: 2, unhealthy: 5))
        XCTAssertEqual(p.batch.map(\.object.name), ["d", "c"])
        XCTAssertEqual(p.deferred.map(\.finding.object.name), ["b", "a"])
    }

    func testMaxPerNamespace() {
        let findings = (1...4).map { Fixture.finding("cm\($0)", ns: "a") } + [Fixture.finding("cm", ns: "b")]
        let p = plan(findings, settings: settings(perNamespace: 2))
        XCTAssertEqual(p.batch.map { "\($0.object.namespace!)/\($0.object.name)" }, ["a/cm1", "a/cm2", "b/cm"])
        XCTAssertEqual(p.deferred.map(\.decision), Array(repeating: .deferred(.maxPerNamespace(namespace: "a", limit: 2)), count: 2))
    }

    func testMaxPerNodeCountsOnlyDisruptiveActions() {
        let findings = [
            Fixture.finding("r1", ns: "a", cls: .disruptive, nodes: ["n1"]),
            Fixture.finding("r2", ns: "b", cls: .disruptive, nodes: ["n1", "n2"]),
            Fixture.finding("r3", ns: "c", cls: .disruptive, nodes: ["n2", "n1"]),
            Fixture.finding("r4", ns: "d", cls: .disruptive, nodes: ["n2"]),
            Fixture.finding("m1", ns: "e", cls: .metadata, nodes: ["n1"]),
        ]
        let p = plan(findings, settings: settings(perNode: 2, unhealthy: 10))
        let d = decisions(p)
        XCTAssertEqual(d["a/r1/test-check"], .planned(order: 1))
        XCTAssertEqual(d["b/r2/test-check"], .planned(order: 2))
        XCTAssertEqual(d["c/r3/test-check"], .deferred(.maxPerNode(node: "n1", limit: 2)))
        XCTAssertEqual(d["d/r4/test-check"], .planned(order: 3))
        XCTAssertEqual(d["e/m1/test-check"], .planned(order: 0))
    }

    func testHealthGateBlocksRolloutsNotMetadata() {
        let rolling = Fixture.deployment("web", ns: "shop", replicas: 3, generation: 2,
                                         status: WorkloadStatus(observedGeneration: 2, replicas: 3, availableReplicas: 3, updatedReplicas: 1))
        let findings = [Fixture.finding("r1", cls: .disruptive, nodes: ["n1"]), Fixture.finding("m1", cls: .metadata), Fixture.finding("i1", cls: .imagePatch)]
        let p = plan(findings, snapshot: Snapshot(workloads: [rolling]), settings: settings(unhealthy: 1))
        XCTAssertEqual(p.batch.map(\.object.name), ["m1"], "image patches start rollouts: gated too")
        XCTAssertEqual(p.deferred.map(\.decision), Array(repeating: .deferred(.healthGate(unhealthy: 1, limit: 1)), count: 2))
    }

    func testHealthGateCountsRestartsPlannedInThisRun() {
        let findings = (1...3).map { Fixture.finding("r\($0)", ns: "ns\($0)", cls: .disruptive) }
        let p = plan(findings, settings: settings(unhealthy: 2))
        XCTAssertEqual(p.batch.map(\.object.name), ["r1", "r2"])
        XCTAssertEqual(p.deferred.map(\.decision), [.deferred(.healthGate(unhealthy: 2, limit: 2))])
    }

    func testUnhealthyWorkloadsInExcludedNamespacesDoNotCount() {
        let broken = Fixture.deployment("coredns", ns: "kube-system", replicas: 2,
                                        status: WorkloadStatus(observedGeneration: 1, replicas: 2, availableReplicas: 1, unavailableReplicas: 1, updatedReplicas: 2))
        let p = plan([Fixture.finding("r1", cls: .disruptive)], snapshot: Snapshot(workloads: [broken]))
        XCTAssertEqual(p.batch.count, 1)
    }

    /// Opted out is left alone like excluded: such a workload, however degraded, must not
    /// hold every disruptive action of the cluster back.
    func testUnhealthyWorkloadsOptedOutDoNotCount() {
        let degraded = WorkloadStatus(observedGeneration: 1, replicas: 2, availableReplicas: 1, unavailableReplicas: 1, updatedReplicas: 2)
        var optedOutObject = Fixture.deployment("legacy", ns: "default", replicas: 2, status: degraded)
        optedOutObject.meta.annotations["kreconcile.io/skip"] = "true"
        let inOptedOutNamespace = Fixture.deployment("batch", ns: "private", replicas: 2, status: degraded)
        let snapshot = Snapshot(workloads: [optedOutObject, inOptedOutNamespace],
                                objects: [Fixture.namespace("default"), Fixture.namespace("private", labels: ["kreconcile.io/skip": "true"])])
        XCTAssertEqual(plan([Fixture.finding("r1", ns: "shop", cls: .disruptive)], snapshot: snapshot).batch.count, 1)
        // The same workloads without the opt-out do block.
        let counted = Snapshot(workloads: [Fixture.deployment("legacy", ns: "default", replicas: 2, status: degraded)])
        XCTAssertEqual(plan([Fixture.finding("r1", ns: "shop", cls: .disruptive)], snapshot: counted).deferred.map(\.decision),
                       [.deferred(.healthGate(unhealthy: 1, limit: 1))])
    }

    /// An image patch starts a rollout like a restart does: the health gate holds it too.
    func testImagePatchesAreHealthGated() {
        let rolling = Fixture.deployment("web", ns: "shop", replicas: 3, generation: 2,
                                         status: WorkloadStatus(observedGeneration: 2, replicas: 3, availableReplicas: 3, updatedReplicas: 1))
        let p = plan([Fixture.finding("i1", cls: .imagePatch)], snapshot: Snapshot(workloads: [rolling]), settings: settings(unhealthy: 1))
        XCTAssertEqual(p.batch.count, 0)
        XCTAssertEqual(p.deferred.map(\.decision), [.deferred(.healthGate(unhealthy: 1, limit: 1))])
    }

    func testOneActionPerObject() {
        let first = Fixture.finding("cm", cls: .metadata, check: "a-check", uid: "same")
        let second = Fixture.finding("cm", cls: .imagePatch, check: "b-check", uid: "same")
        let p = plan([second, first])
        XCTAssertEqual(p.batch.map(\.check), ["a-check"])
        XCTAssertEqual(p.deferred.map(\.decision), [.deferred(.objectAlreadyPlanned)])
    }

    func testExcludedAndOptedOutObjectsNeverReachThePlan() {
        var annotated = Fixture.object("ConfigMap", "skip-me", ns: "default")
        annotated.meta.annotations["kreconcile.io/skip"] = "true"
        let snapshot = Snapshot(objects: [
            Fixture.namespace("default"), Fixture.namespace("private", labels: ["kreconcile.io/skip": "true"]), annotated,
        ])
        let findings = [
            Fixture.finding("a", ns: "kube-system"), Fixture.finding("b", ns: "private"),
            Fixture.finding("skip-me", ns: "default", uid: annotated.meta.uid), Fixture.finding("keep", ns: "default"),
            Fixture.reportOnly("bare", ns: "kube-public"),
        ]
        let p = plan(findings, snapshot: snapshot)
        XCTAssertEqual(p.entries.map(\.finding.object.name), ["keep"])
        // A custom opt-out key and exclusion list.
        var s = Settings.defaults
        s.excludeNamespaces = []
        s.optOutKey = "example.com/hands-off"
        XCTAssertEqual(Set(plan(findings, snapshot: snapshot, settings: s).entries.map(\.finding.object.name)), ["a", "b", "skip-me", "keep", "bare"])
    }

    func testOptOutFoundWithoutUID() {
        var annotated = Fixture.object("ConfigMap", "no-uid", ns: "default")
        annotated.meta.uid = ""
        annotated.meta.labels["kreconcile.io/skip"] = "TRUE"
        let f = Fixture.finding("no-uid", ns: "default", uid: "")
        XCTAssertTrue(plan([f], snapshot: Snapshot(objects: [annotated])).entries.isEmpty)
    }

    func testExclusionAppliesToTheActionTarget() {
        var f = Fixture.finding("pod", ns: "default", cls: .disruptive)
        f.action!.target = ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "kube-system", name: "x", uid: "u", resourceVersion: "1")
        XCTAssertTrue(plan([f]).entries.isEmpty)
    }

    func testReportOnlyFindingsComeLast() {
        let p = plan([Fixture.reportOnly("bare"), Fixture.finding("z")])
        XCTAssertEqual(p.entries.map(\.decision), [.planned(order: 0), .reportOnly])
    }

    func testShardActsOnlyInItsNamespacesAndClusterScopeInShardZero() {
        let namespaces = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
        let findings = namespaces.map { Fixture.finding("cm", ns: $0) } + [Fixture.finding("cluster-thing", ns: nil)]
        var planned: [String] = []
        for index in 0..<3 {
            let p = plan(findings, settings: settings(perNamespace: 10), shard: Shard(index: index, count: 3))
            for entry in p.entries {
                let ns = entry.finding.object.namespace
                let owner = ns.map { Shard.owner(ofNamespace: $0, count: 3) } ?? 0
                if owner == index {
                    guard case .planned = entry.decision else { return XCTFail("\(ns ?? "cluster") should be planned by shard \(index)") }
                    planned.append(ns ?? "cluster")
                } else {
                    XCTAssertEqual(entry.decision, .deferred(.otherShard(index: owner)))
                }
            }
        }
        XCTAssertEqual(planned.sorted(), (namespaces + ["cluster"]).sorted(), "every finding is planned by exactly one shard")
    }

    func testPlanIsDeterministic() {
        var findings = (0..<30).map { i in
            Fixture.finding("o\(i % 7)", ns: "ns\(i % 4)", cls: ActionClass(rawValue: i % 4)!, nodes: ["n\(i % 3)"], check: "c\(i % 2)", uid: "u\(i)")
        }
        findings.append(Fixture.reportOnly("r"))
        let s = settings(maxChanges: 12, perNamespace: 4, perNode: 1, unhealthy: 3)
        let reference = plan(findings, settings: s)
        for seed in 0..<5 {
            var rng = SplitMix64(seed: UInt64(seed))
            XCTAssertEqual(plan(findings.shuffled(using: &rng), settings: s), reference)
        }
        // 4 metadata (ns0) + 4 orphan deletions (ns1) + 3 image patches (ns2): the third
        // rollout reaches maxUnhealthyWorkloads=3, so no restart (ns3) fits.
        XCTAssertEqual(reference.batch.map { $0.action!.actionClass }, Array(repeating: .metadata, count: 4)
            + Array(repeating: .orphanDeletion, count: 4) + Array(repeating: .imagePatch, count: 3))
    }

    func testHealthConditionsPerKind() {
        let ok = WorkloadStatus(observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2)
        XCTAssertNil(HealthGate.unhealthyReason(Fixture.deployment("d", replicas: 2, status: ok)))
        var s = ok; s.observedGeneration = 0
        XCTAssertEqual(HealthGate.unhealthyReason(Fixture.deployment("d", replicas: 2, status: s)), "observedGeneration 0 < generation 1")
        s = ok; s.updatedReplicas = 1
        XCTAssertEqual(HealthGate.unhealthyReason(Fixture.deployment("d", replicas: 2, status: s)), "updatedReplicas 1 < replicas 2")
        s = ok; s.replicas = 3
        XCTAssertEqual(HealthGate.unhealthyReason(Fixture.deployment("d", replicas: 2, status: s)), "1 old replicas pending termination")
        s = ok; s.unavailableReplicas = 1
        XCTAssertEqual(HealthGate.unhealthyReason(Fixture.deployment("d", replicas: 2, status: s)), "unavailableReplicas 1")
        s = ok; s.availableReplicas = 1
        XCTAssertEqual(HealthGate.unhealthyReason(Fixture.deployment("d", replicas: 2, status: s)), "availableReplicas 1 < replicas 2")

        XCTAssertNil(HealthGate.unhealthyReason(Fixture.daemonSet("ds")))
        XCTAssertEqual(HealthGate.unhealthyReason(Fixture.daemonSet("ds", status: WorkloadStatus(observedGeneration: 1, desiredNumberScheduled: 3, numberUnavailable: 1, updatedNumberScheduled: 3))),
                       "numberUnavailable 1")
        XCTAssertEqual(HealthGate.unhealthyReason(Fixture.daemonSet("ds", status: WorkloadStatus(observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 2))),
                       "updatedNumberScheduled 2 < desiredNumberScheduled 3")
        XCTAssertEqual(HealthGate.unhealthyReason(Fixture.daemonSet("ds", status: WorkloadStatus(observedGeneration: 1, desiredNumberScheduled: 3, numberAvailable: 2, updatedNumberScheduled: 3))),
                       "numberAvailable 2 < desiredNumberScheduled 3")

        XCTAssertNil(HealthGate.unhealthyReason(Fixture.statefulSet("s", status: WorkloadStatus(observedGeneration: 1, readyReplicas: 2, currentRevision: "r1", updateRevision: "r1"))))
        XCTAssertEqual(HealthGate.unhealthyReason(Fixture.statefulSet("s", status: WorkloadStatus(observedGeneration: 1, readyReplicas: 1, currentRevision: "r1", updateRevision: "r1"))),
                       "readyReplicas 1 < replicas 2")
        XCTAssertEqual(HealthGate.unhealthyReason(Fixture.statefulSet("s", status: WorkloadStatus(observedGeneration: 1, readyReplicas: 2, currentRevision: "r1", updateRevision: "r2"))),
                       "updateRevision r2 != currentRevision r1")
    }

    func testStableShardHash() {
        // FNV-1a 32-bit reference values (offset basis 0x811c9dc5, prime 0x01000193).
        XCTAssertEqual(Shard.owner(ofNamespace: "", count: Int(UInt32.max)), Int(0x811c_9dc5 % UInt32.max))
        XCTAssertEqual(Shard.owner(ofNamespace: "a", count: Int(UInt32.max)), Int(0xe40c_292c % UInt32.max))
        XCTAssertEqual(Shard.owner(ofNamespace: "foobar", count: Int(UInt32.max)), Int(0xbf9c_f968 % UInt32.max))
        XCTAssertEqual(Shard.owner(ofNamespace: "foobar", count: 7), Int(0xbf9c_f968 % 7))
        XCTAssertEqual(Shard(index: 1, count: 2).owner(of: nil), 0)
    }
}

