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

/// What pods keep for the Gatekeeper mutation check (its `specRetention` over the example's
/// objects: the spec under the Assign's location, the selector labels, the mutations
/// annotation), in every namespace, as for a mutator that can reach every pod.
let mutationRetention: SpecRetention = {
    guard var r = Checks.all.lazy.compactMap({ $0.specRetention(example, .defaults) }).first else {
        fatalError("examples/cluster.yaml: no check keeps pod specs (expected the Gatekeeper mutation check)")
    }
    r.namespaces = nil
    return r
}()

/// examples/cluster.yaml with its pods cloned to 150,000 (new names and uids; same owners,
/// namespaces, nodes and problems), as the snapshot a run would build.
let bigSnapshot: Snapshot = {
    let pods = 150_000
    var records: [PodRecord] = []
    records.reserveCapacity(pods)
    for i in 0..<pods {
        var p = example.pods[i % example.pods.count]
        p.meta.name += "-\(i)"
        p.meta.uid += "-\(i)"
        records.append(p)
    }
    var objects: [ObjectRecord] = []
    let workloadUIDs = Set(example.workloads.map(\.meta.uid))
    for kind in example.listed.sorted() where kind.kind != GroupKind.anyKind && kind != .pod {
        objects += example.objects(kind).filter { !workloadUIDs.contains($0.meta.uid) }
    }
    for kind in example.listed where kind.kind == GroupKind.anyKind { objects += example.objects(inGroup: kind.group) }
    var snapshot = Snapshot(pods: records, workloads: example.workloads, objects: objects, listed: example.listed)
    snapshot.takenAt = Date(timeIntervalSince1970: 1_790_000_000)
    return snapshot
}()

/// The five checks' reports over `bigSnapshot`: the planner's input.
let bigReports = Checks.evaluate(Checks.all, snapshot: bigSnapshot, settings: .defaults)
