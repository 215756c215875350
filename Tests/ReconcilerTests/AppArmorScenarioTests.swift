import Foundation
import KubeClient
import KubeEmulator
@testable import Reconciler
import XCTest

/// DESIGN.md problem 3 end to end: a generated cluster whose pods were all created before
/// KubeArmor (no AppArmor profile), the emulator's controllers and its simulated KubeArmor
/// webhook. kreconcile runs again and again, controllers stepped between runs, until every
/// pod that can be protected is; bare and Job pods are only reported.
final class AppArmorScenarioTests: XCTestCase {
    static let check = "apparmor-unprotected-pods"
    static let webhookName = "kubearmor-controller-mutating-webhook-configuration"
    static let mwc = ResourceDescriptor(group: "admissionregistration.k8s.io", version: "v1", plural: "mutatingwebhookconfigurations",
                                        kind: "MutatingWebhookConfiguration", namespaced: false)

    /// Budgets that let the health gate pace the runs: at most k = 4 restarts per run.
    static var settings: Settings {
        var s = Settings.defaults
        s.budgets = Budgets(maxChanges: 8, maxPerNamespace: 4, maxPerNode: 6, maxUnhealthyWorkloads: 4)
        s.checks.enabled = [check]
        return s
    }

    struct Scenario {
        let cluster: TestCluster
        let client: KubeClient
        /// Names of the pods kreconcile must never delete: bare pods and the Job's pod.
        let reportOnly: Set<String>
        let webhook: JSONValue
    }

    /// 40 Deployments (≈ 8 pods each), 2 StatefulSets, a DaemonSet, PDBs, ~340 pods on 8
    /// nodes, plus a ReplicaSet without Deployment (2 pods), two bare pods and a Job pod;
    /// KubeArmor installed but its webhook configuration removed ("before KubeArmor").
    func start() async throws -> Scenario {
        let emulator = KubeEmulator(options: EmulatorOptions(controllers: .manual))
        try await emulator.start()
        let cluster = TestCluster(emulator: emulator)
        emulator.generate(ClusterSpec(nodes: 8, namespaces: 5, deployments: 40, pods: 340, daemonsets: 1, statefulsets: 2, pdbs: 6, seed: 18, problemRate: 1))
        let client = cluster.client()
        let webhook = try XCTUnwrap(emulator.object("mutatingwebhookconfigurations", namespace: nil, name: Self.webhookName))
        _ = try await client.delete(Self.mwc, namespace: nil, name: Self.webhookName)

        let node = "worker-000"  // enforces AppArmor (every fourth node does not)
        let ns = "shop-extra"
        try emulator.seed(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        func pod(_ name: String, owner: JSONValue? = nil, labels: JSONValue = [:]) -> JSONValue {
            var meta: JSONValue = ["name": .string(name), "namespace": .string(ns), "labels": labels]
            if let owner { meta["ownerReferences"] = [owner] }
            return ["apiVersion": "v1", "kind": "Pod", "metadata": meta,
                    "spec": ["nodeName": .string(node), "containers": [["name": "main", "image": "busybox:1.36"]]],
                    "status": ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]]]
        }
        try emulator.seed(pod("bare-1"))
        try emulator.seed(pod("bare-2"))
        try emulator.seed(["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "report", "namespace": .string(ns), "uid": "uid-job-report"],
                           "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "main", "image": "busybox:1.36"]]]]]])
        try emulator.seed(pod("report-x1", owner: ["apiVersion": "batch/v1", "kind": "Job", "name": "report", "uid": "uid-job-report", "controller": true]))
        // A ReplicaSet nobody's Deployment: its pods are evicted and it recreates them.
        try emulator.seed(["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "legacy", "namespace": .string(ns)],
                           "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "legacy"]],
                                    "template": ["metadata": ["labels": ["app": "legacy"]],
                                                 "spec": ["containers": [["name": "main", "image": "busybox:1.36"]]]]]])
        emulator.settle()
        return Scenario(cluster: cluster, client: client, reportOnly: ["bare-1", "bare-2", "report-x1"], webhook: webhook)
    }

    /// One kreconcile run in process: snapshot, check, plan, apply.
    func run(_ s: Scenario) async throws -> (plan: Plan, snapshot: Snapshot, results: [ActionResult]) {
        let snapshot = try await SnapshotLoader(client: s.client, settings: Self.settings, checks: Checks.all, progress: nil).load()
        let reports = Checks.evaluate(Checks.all, snapshot: snapshot, settings: Self.settings)
        let plan = Planner.plan(reports, snapshot: snapshot, settings: Self.settings, shard: nil)
        let results = await Applier(client: s.client, mode: .real).apply(plan)
        return (plan, snapshot, results)
    }

    /// Every budget of one run's batch, recomputed from the plan independently of the packer.
    func assertWithinBudgets(_ plan: Plan, unhealthyAtStart: Int, run: Int, file: StaticString = #filePath, line: UInt = #line) {
        let b = Self.settings.budgets
        let batch = plan.batch.compactMap(\.action)
        XCTAssertLessThanOrEqual(batch.count, b.maxChanges, "run \(run): maxChanges", file: file, line: line)
        for (ns, n) in Dictionary(grouping: batch, by: { $0.target.namespace ?? "" }).mapValues(\.count) {
            XCTAssertLessThanOrEqual(n, b.maxPerNamespace, "run \(run): maxPerNamespace in \(ns)", file: file, line: line)
        }
        var perNode: [String: Int] = [:], actionsPerNode: [String: Int] = [:]
        for a in batch where a.actionClass.isDisruptive {
            for n in a.disruptedNodes { perNode[n, default: 0] += 1 }
            for n in Set(a.disruptedNodes) { actionsPerNode[n, default: 0] += 1 }
        }
        for (node, pods) in perNode where actionsPerNode[node]! > 1 {  // one workload alone may exceed it (documented)
            XCTAssertLessThanOrEqual(pods, b.maxPerNode, "run \(run): maxPerNode on \(node)", file: file, line: line)
        }
        XCTAssertLessThanOrEqual(unhealthyAtStart + batch.filter(\.actionClass.isDisruptive).count, max(b.maxUnhealthyWorkloads, unhealthyAtStart),
                                 "run \(run): health gate", file: file, line: line)
    }

    /// Pods on AppArmor-enforcing nodes, in KubeArmor's reach, without a profile on some
    /// container: read straight from the emulator, not through the check.
    func unprotected(_ e: KubeEmulator) -> [String] {
        let enforcing = Set(e.objects("nodes", namespace: nil).filter { $0["metadata"]?["labels"]?["kubearmor.io/enforcer"] == "apparmor" }.map { $0.objName })
        return e.objects("pods", namespace: nil).filter { p in
            guard let node = p["spec"]?["nodeName"]?.stringValue, enforcing.contains(node), p.objNamespace != "kube-system",
                  p["metadata"]?["deletionTimestamp"] == nil, p["metadata"]?["labels"]?["kubearmor-app"] == nil else { return false }
            let annotations = p["metadata"]?["annotations"]?.objectValue ?? [:]
            return (p["spec"]?["containers"]?.arrayValue ?? []).contains { c in
                annotations[AppArmorProfiles.annotationPrefix + (c["name"]?.stringValue ?? "")] == nil
            }
        }.map { "\($0.objNamespace)/\($0.objName)" }.sorted()
    }

    /// Steps the controllers until they settle, checking every PDB after each step; returns
    /// the most pods of the application namespaces unavailable at once.
    func settle(_ e: KubeEmulator, pdbViolations: inout [String]) -> Int {
        var maxUnavailable = 0
        let expected = expectedPods(e)  // replicas do not change in the scenario
        for _ in 0..<40 {
            let wrote = e.step()
            let pods = e.objects("pods", namespace: nil).filter { !["kube-system", "kubearmor", "gatekeeper-system"].contains($0.objNamespace) }
            func available(_ p: JSONValue) -> Bool {
                guard p["metadata"]?["deletionTimestamp"] == nil else { return false }
                let conditions = p["status"]?["conditions"]?.arrayValue ?? []
                return conditions.contains { c in c["type"]?.stringValue == "Ready" && c["status"]?.stringValue == "True" }
            }
            maxUnavailable = max(maxUnavailable, expected - pods.filter(available).count)
            for pdb in e.objects("poddisruptionbudgets", namespace: nil) {
                let selector = pdb["spec"]?["selector"]
                let selected = pods.filter { pod -> Bool in
                    guard pod.objNamespace == pdb.objNamespace else { return false }
                    let labels: [String: String] = (pod["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues { $0.stringValue }
                    return LabelSelectorMatch.matches(selector, labels) == true
                }
                let healthy = selected.filter(available).count
                let total = pdb["status"]?["expectedPods"]?.intValue ?? 0
                if let min = pdb["spec"]?["minAvailable"]?.intValue, healthy < min {
                    pdbViolations.append("\(pdb.objNamespace)/\(pdb.objName): \(healthy) healthy < minAvailable \(min)")
                }
                if let pct = pdb["spec"]?["maxUnavailable"]?.stringValue, pct.hasSuffix("%"), let p = Int(pct.dropLast()) {
                    let allowed = (total * p + 99) / 100
                    if total - healthy > allowed { pdbViolations.append("\(pdb.objNamespace)/\(pdb.objName): \(total - healthy) unavailable > \(allowed)") }
                }
            }
            if wrote == 0 { break }
        }
        return maxUnavailable
    }

    /// Pods the application workloads want: Deployment and StatefulSet replicas, DaemonSet
    /// desired pods, the legacy ReplicaSet's, the bare and Job pods.
    func expectedPods(_ e: KubeEmulator) -> Int {
        let skip: Set<String> = ["kube-system", "kubearmor", "gatekeeper-system"]
        var n = 0
        for kind in ["deployments", "statefulsets"] {
            n += e.objects(kind, namespace: nil).filter { !skip.contains($0.objNamespace) }.reduce(0) { $0 + ($1["spec"]?["replicas"]?.intValue ?? 1) }
        }
        n += e.objects("daemonsets", namespace: nil).filter { !skip.contains($0.objNamespace) }.reduce(0) { $0 + ($1["status"]?["desiredNumberScheduled"]?.intValue ?? 0) }
        return n + 2 + 3
    }

    func testWebhookDownPlansNoDisruption() async throws {
        let s = try await start()
        defer { Task { await s.cluster.stop() } }
        let before = unprotected(s.cluster.emulator)
        XCTAssertGreaterThan(before.count, 250)
        for _ in 0..<2 {
            s.cluster.emulator.clearRequests()
            let (plan, _, _) = try await run(s)
            XCTAssertEqual(plan.batch, [])
            let findings = plan.entries.map(\.finding).filter { $0.check == Self.check }
            XCTAssertGreaterThan(findings.count, 40)
            XCTAssertTrue(findings.allSatisfy { $0.action == nil })
            // Bare and Job pods are reported for what they are; everything else says why it waits.
            let others = findings.filter { !s.reportOnly.contains($0.object.name) }
            XCTAssertEqual(others.filter { !$0.reason.contains("KubeArmor webhook not ready") }.map(\.reason), [])
            XCTAssertEqual(s.cluster.writes.count, 0, "\(s.cluster.writes.map(\.path))")
            var none: [String] = []
            _ = settle(s.cluster.emulator, pdbViolations: &none)
        }
        XCTAssertEqual(unprotected(s.cluster.emulator), before)
    }

    func testConvergesInBoundedRunsWithinEveryBudget() async throws {
        let s = try await start()
        defer { Task { await s.cluster.stop() } }
        let e = s.cluster.emulator
        // KubeArmor becomes ready: the webhook configuration exists, the webhook mutates.
        var webhook = s.webhook
        webhook["metadata"] = ["name": .string(Self.webhookName)]
        try e.seed(webhook)
        e.addAdmissionHook(.kubearmor())
        let atStart = unprotected(e)
        let bareAndJob = Set(s.reportOnly.map { "shop-extra/\($0)" })

        var runs = 0, actionable0 = 0, maxUnavailable = 0, restarts = 0, evictions = 0
        var violations: [String] = []
        var k = 0
        while true {
            let (plan, snapshot, results) = try await run(s)
            runs += 1
            let actionable = plan.entries.filter { $0.finding.check == Self.check && $0.finding.action != nil }
            if runs == 1 {
                actionable0 = actionable.count
                k = min(Self.settings.budgets.maxChanges, Self.settings.budgets.maxUnhealthyWorkloads)
            }
            assertWithinBudgets(plan, unhealthyAtStart: HealthGate.unhealthyWorkloads(snapshot, settings: Self.settings).count, run: runs)
            for r in results where r.outcome == .applied {
                if r.entry.finding.action!.request.path.hasSuffix("/eviction") { evictions += 1 } else { restarts += 1 }
            }
            XCTAssertFalse(results.contains { $0.outcome == .failed }, "\(results.filter { $0.outcome == .failed }.map(\.detail))")
            if actionable.isEmpty { break }
            maxUnavailable = max(maxUnavailable, settle(e, pdbViolations: &violations))
            // Bound: with the controllers settled between runs nothing is unhealthy at a
            // run's start and no budget is at 0, so each run applies min(k, remaining)
            // actions, k = min(maxChanges, maxUnhealthyWorkloads) (maxPerNamespace and
            // maxPerNode do not bind below k here, or one workload alone passes): the
            // A actionable findings of the first run need at most ⌈A / k⌉ runs, plus one
            // run that finds nothing left.
            if runs > (actionable0 + k - 1) / k + 1 { break }
        }
        let bound = (actionable0 + k - 1) / k + 1
        XCTAssertLessThanOrEqual(runs, bound, "runs to converge (A = \(actionable0), k = \(k))")
        XCTAssertEqual(violations, [], "a PodDisruptionBudget was exceeded")
        XCTAssertEqual(Set(unprotected(e)), bareAndJob, "everything else is protected")
        for name in s.reportOnly { XCTAssertNotNil(e.object("pods", namespace: "shop-extra", name: name), "\(name) was deleted") }
        XCTAssertFalse(e.requests().contains { $0.method == "DELETE" && $0.resource == "pods" }, "no pod deleted directly")
        let figures = "AppArmor scenario: \(atStart.count) unprotected pods, \(actionable0) actions, \(runs) runs (bound \(bound)), \(restarts) restarts, \(evictions) evictions, at most \(maxUnavailable) pods unavailable at once"
        print(figures)
    }
}

extension JSONValue {
    var objName: String { self["metadata"]?["name"]?.stringValue ?? "" }
    var objNamespace: String { self["metadata"]?["namespace"]?.stringValue ?? "" }
}
