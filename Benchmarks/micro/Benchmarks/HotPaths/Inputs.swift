import Foundation
import KubeClient
import Reconciler

// The benchmarks' inputs, built once per benchmark process (globals are initialised lazily,
// on first use, which the benchmarks' `setup` hooks trigger, so no iteration pays for them):
// - list pages made from `generated-pod.json` and `generated-deployment.json`, one object
//   each as kube-emulator --generate serves it (managedFields included on the pod);
// - a 150,000-pod snapshot made from examples/cluster.yaml.

let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let repo = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `count` copies of one list item, each with its own metadata.name and uid, as a list page
/// the way the API server sends it (`continue` set: more pages follow).
func listPage(of fixture: String, kind: String, apiVersion: String, count: Int) throws -> Data {
    let template = try Data(contentsOf: here.appendingPathComponent(fixture))
    guard let object = try JSONSerialization.jsonObject(with: template) as? [String: Any],
          let metadata = object["metadata"] as? [String: Any],
          let name = metadata["name"] as? String, let uid = metadata["uid"] as? String else {
        throw BenchmarkInputError("\(fixture): no metadata.name/uid")
    }
    var items: [Any] = []
    for i in 0..<count {
        let suffix = String(format: "%05x", i)
        var copy = object, meta = metadata
        meta["name"] = "\(name)-\(suffix)"
        meta["uid"] = String(uid.dropLast(5)) + suffix
        copy["metadata"] = meta
        items.append(copy)
    }
    let page: [String: Any] = ["kind": kind, "apiVersion": apiVersion,
                               "metadata": ["resourceVersion": "1", "continue": "x"], "items": items]
    return try JSONSerialization.data(withJSONObject: page, options: [.withoutEscapingSlashes])
}

struct BenchmarkInputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func mustBuild<T>(_ what: String, _ build: () throws -> T) -> T {
    do { return try build() } catch { fatalError("building the benchmark input \(what): \(error)") }
}

/// One page of 500 generated pods (about 4.5 MB).
let podPage = mustBuild("pod page") { try listPage(of: "generated-pod.json", kind: "PodList", apiVersion: "v1", count: 500) }

/// One page of 500 generated Deployments.
let deploymentPage = mustBuild("Deployment page") {
    try listPage(of: "generated-deployment.json", kind: "DeploymentList", apiVersion: "apps/v1", count: 500)
}

/// examples/cluster.yaml as a snapshot (6 pods, KubeArmor, Gatekeeper with an Assign mutator).
let example = mustBuild("examples/cluster.yaml") {
    try Snapshot(documents: Snapshot.parseFiles([repo.appendingPathComponent("examples/cluster.yaml").path]), checks: Checks.all)
}

/// What pods keep for the Gatekeeper mutation check: its `specRetention` over the example's
/// objects (the spec under the Assign's location, the selector labels, the mutations
/// annotation, in the namespaces the Assign can reach), as the loader asks for it.
let exampleRetention: SpecRetention = {
    guard let r = Checks.all.lazy.compactMap({ $0.specRetention(example, .defaults) }).first else {
        fatalError("examples/cluster.yaml: no check keeps pod specs (expected the Gatekeeper mutation check)")
    }
    return r
}()

/// The same in every namespace, as for a mutator that can reach every pod (the page's
/// generated pods are in a namespace the example's Assign does not match).
let mutationRetention: SpecRetention = {
    var r = exampleRetention
    r.namespaces = nil
    return r
}()

/// examples/cluster.yaml scaled to about 150,000 pods, as the snapshot a run would build:
/// its nodes copied to ~500 (the KubeArmor DaemonSet pod with the node it runs on), its `shop`
/// namespace to 50, and its `shop` app (Deployments, ReplicaSets, pods with the example's
/// problems) to ~4,700 copies with 8 pods per ReplicaSet, spread over those namespaces and
/// nodes: ~14,000 Deployments, close to the generator's 150k-pod cluster (pods/8), and one
/// finding per broken Deployment copy for the planner.
let bigSnapshot: Snapshot = {
    let app = "shop", namespaceCount = 50, replicas = 8, nodeCopies = 167, targetPods = 150_000
    let nodeKind = GroupKind("", "Node")
    func namespace(_ k: Int) -> String { k == 0 ? app : "\(app)-\(k)" }
    func node(_ name: String?, _ c: Int) -> String? { c == 0 ? name : name.map { "\($0)-\(c)" } }
    /// `m` with `suffix` on its name and uid (and on its owners' when they are copied too).
    func copy(_ m: MetaRecord, _ suffix: String, namespace: String?, owners: Bool) -> MetaRecord {
        var m = m
        m.name += suffix
        m.uid += suffix
        m.namespace = namespace
        if owners { m.ownerReferences = m.ownerReferences.map { var r = $0; r.name += suffix; r.uid += suffix; return r } }
        return m
    }

    var pods: [PodRecord] = []
    for pod in example.pods where pod.meta.namespace != app {
        let perNode = pod.controller?.kind == "DaemonSet"
        for c in 0..<(perNode ? nodeCopies : 1) {
            var p = pod
            p.meta = copy(pod.meta, c == 0 ? "" : "-\(c)", namespace: pod.meta.namespace, owners: false)
            p.nodeName = node(pod.nodeName, c)
            pods.append(p)
        }
    }
    let appPods = example.pods.filter { $0.meta.namespace == app }
    let copies = (targetPods - pods.count) / (appPods.count * replicas)
    pods.reserveCapacity(pods.count + copies * appPods.count * replicas)
    for g in 0..<copies {
        for pod in appPods {
            for r in 0..<replicas {
                var p = pod
                p.meta = copy(pod.meta, "-\(g)", namespace: namespace(g % namespaceCount), owners: true)
                p.meta.name += "-\(r)"
                p.meta.uid += "-\(r)"
                p.nodeName = node(pod.nodeName, (g * replicas + r) % nodeCopies)
                // As listed: only pods in namespaces a mutator reaches keep an admission view
                // (a snapshot file keeps every pod's).
                if !(exampleRetention.namespaces?.contains(p.meta.namespace ?? "") ?? true) { p.admission = nil }
                pods.append(p)
            }
        }
    }

    var workloads = example.workloads.filter { $0.meta.namespace != app }
    for g in 0..<copies {
        for w in example.workloads where w.meta.namespace == app {
            var w = w
            w.meta = copy(w.meta, "-\(g)", namespace: namespace(g % namespaceCount), owners: true)
            workloads.append(w)
        }
    }

    var objects: [ObjectRecord] = []
    let workloadUIDs = Set(example.workloads.map(\.meta.uid))
    for kind in example.listed.sorted() where kind.kind != GroupKind.anyKind && kind != .pod {
        for o in example.objects(kind) where !workloadUIDs.contains(o.meta.uid) {
            var out: [ObjectRecord] = []
            if kind == nodeKind {
                for c in 0..<nodeCopies { var n = o; n.meta = copy(o.meta, c == 0 ? "" : "-\(c)", namespace: nil, owners: false); out.append(n) }
            } else if kind == .namespace && o.meta.name == app {
                for k in 0..<namespaceCount { var n = o; n.meta = copy(o.meta, k == 0 ? "" : "-\(k)", namespace: nil, owners: false); out.append(n) }
            } else if o.meta.namespace == app && o.meta.ownerReferences.contains(where: { $0.controller == true }) {
                // ReplicaSets: one per app copy, owned by that copy's Deployment.
                for g in 0..<copies { var n = o; n.meta = copy(o.meta, "-\(g)", namespace: namespace(g % namespaceCount), owners: true); out.append(n) }
            } else if o.meta.namespace == app {
                // The namespace's other objects (PodDisruptionBudget, Services, ...): one per namespace.
                for k in 0..<namespaceCount { var n = o; n.meta = copy(o.meta, k == 0 ? "" : "-\(k)", namespace: namespace(k), owners: false); out.append(n) }
            } else {
                out = [o]
            }
            objects += out
        }
    }
    for kind in example.listed where kind.kind == GroupKind.anyKind { objects += example.objects(inGroup: kind.group) }
    var snapshot = Snapshot(pods: pods, workloads: workloads, objects: objects, listed: example.listed)
    snapshot.takenAt = Date(timeIntervalSince1970: 1_790_000_000)
    return snapshot
}()

/// The five checks' reports over `bigSnapshot`: the planner's input.
let bigReports = Checks.evaluate(Checks.all, snapshot: bigSnapshot, settings: .defaults)

/// What the snapshot benchmarks run on, for the record (stderr, beside the table).
func describeBigSnapshot() -> String {
    let findings = bigReports.flatMap(\.findings)
    return "150k-pod snapshot: \(bigSnapshot.pods.count) pods, \(bigSnapshot.workloads.count) workloads, "
        + "\(bigSnapshot.objectCount) records; \(findings.count) findings, \(findings.filter { $0.action != nil }.count) with an action"
}
