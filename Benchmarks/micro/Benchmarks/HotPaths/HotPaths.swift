import Benchmark
import Foundation
import KubeClient
import Reconciler

// kreconcile's hot paths at Kubernetes' scale limit (DESIGN.md "Cost at scale"):
// - decoding one list page (500 generated pods, managedFields included, 4-5 MB) into
//   compact PodRecords, as SnapshotLoader does for every page;
// - the five checks over a 150,000-pod snapshot;
// - the planner over their findings.
// Inputs come from `generated-pod.json` (one pod as kube-emulator --generate serves it)
// and examples/cluster.yaml (the KubeArmor and Gatekeeper objects the checks read).

let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let repo = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `count` copies of the fixture pod, each with its own name and uid, as one PodList page.
func podPage(count: Int) throws -> Data {
    let template = try String(contentsOf: here.appendingPathComponent("generated-pod.json"), encoding: .utf8)
    guard let name = try JSONValue.parse(Data(template.utf8))["metadata"]?["name"]?.stringValue,
          let uid = try JSONValue.parse(Data(template.utf8))["metadata"]?["uid"]?.stringValue else {
        fatalError("generated-pod.json has no metadata.name/uid")
    }
    var items: [String] = []
    for i in 0..<count {
        let suffix = String(format: "%05x", i)
        items.append(template.replacingOccurrences(of: name, with: "\(name)-\(suffix)")
            .replacingOccurrences(of: uid, with: String(uid.dropLast(5)) + suffix))
    }
    return Data(("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"1\",\"continue\":\"x\"},\"items\":["
        + items.joined(separator: ",") + "]}").utf8)
}

struct Page: Decodable { var items: [PodRecord] }

/// Decodes a page the way SnapshotLoader does (`PodPageDecoder`, a JSONCursor).
func decodePods(_ data: Data) throws -> [PodRecord] {
    try PodPageDecoder(kept: PodKeptKeys(optOutKey: Settings.defaultOptOutKey), interner: Interner(), retention: nil).decodePage(data).items
}

/// The same through JSONDecoder and `PodRecord.init(from:)` (what the loader used before).
func decodePodsWithJSONDecoder(_ data: Data) throws -> [PodRecord] {
    try Interner.$shared.withValue(Interner()) { try JSONDecoder().decode(Page.self, from: data).items }
}

/// examples/cluster.yaml with its pods cloned to `pods` pods in total (new names and uids,
/// same owners, namespaces and problems), as the snapshot a run would build.
func bigSnapshot(pods: Int) throws -> Snapshot {
    let documents = try Snapshot.parseFiles([repo.appendingPathComponent("examples/cluster.yaml").path])
    let example = try Snapshot(documents: documents, checks: Checks.all)
    var records: [PodRecord] = []
    records.reserveCapacity(pods)
    for i in 0..<pods {
        var p = example.pods[i % example.pods.count]
        p.meta.name += "-\(i)"
        p.meta.uid += "-\(i)"
        records.append(p)
    }
    var objects: [ObjectRecord] = []
    for kind in example.listed.sorted() where kind.kind != GroupKind.anyKind && kind != .pod {
        objects += example.objects(kind).filter { o in !example.workloads.contains { $0.meta.uid == o.meta.uid } }
    }
    for kind in example.listed where kind.kind == GroupKind.anyKind { objects += example.objects(inGroup: kind.group) }
    var snapshot = Snapshot(pods: records, workloads: example.workloads, objects: objects, listed: example.listed)
    snapshot.takenAt = Date(timeIntervalSince1970: 1_790_000_000)
    return snapshot
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
                                           maxDuration: .seconds(10), maxIterations: 20)

    Benchmark("decode one page of 500 pods into PodRecords (PodPageDecoder)") { benchmark in
        let page = try podPage(count: 500)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try decodePods(page))
        }
    }

    Benchmark("decode one page of 500 pods into PodRecords (JSONDecoder)") { benchmark in
        let page = try podPage(count: 500)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try decodePodsWithJSONDecoder(page))
        }
    }

    Benchmark("five checks over 150,000 pods", configuration: .init(maxIterations: 5)) { benchmark in
        let snapshot = try bigSnapshot(pods: 150_000)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(Checks.evaluate(Checks.all, snapshot: snapshot, settings: .defaults))
        }
    }

    Benchmark("planner over the findings of 150,000 pods", configuration: .init(maxIterations: 5)) { benchmark in
        let snapshot = try bigSnapshot(pods: 150_000)
        let reports = Checks.evaluate(Checks.all, snapshot: snapshot, settings: .defaults)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(Planner.plan(reports, snapshot: snapshot, settings: .defaults, shard: nil))
        }
    }
}
