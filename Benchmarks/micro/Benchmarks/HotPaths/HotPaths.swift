import Benchmark
import Foundation
import KubeClient
import Reconciler

// kreconcile's hot paths at Kubernetes' scale limit (DESIGN.md "Cost at scale"):
// - decoding one list page (500 pods; 500 Deployments) into compact records, as
//   SnapshotLoader does for every page;
// - each check, and the five together, over a 150,000-pod snapshot;
// - the planner over their findings.
// Inputs: Inputs.swift (built in each benchmark's setup, never timed).

/// The same pod page through JSONDecoder and `PodRecord.init(from:)` (the loader's path before PodPageDecoder).
struct PodPage: Decodable { var items: [PodRecord] }

let benchmarks: @Sendable () -> Void = {
    // Per iteration: wall and CPU time, malloc calls, and the process's peak resident memory
    // (which includes the inputs built in setup).
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
                                           warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 100)
    let snapshotRuns = Benchmark.Configuration(maxDuration: .seconds(15), maxIterations: 20)

    Benchmark("decode 500-pod page: PodPageDecoder", closure: { benchmark in
        let decoder = PodPageDecoder(kept: PodKeptKeys(optOutKey: Settings.defaultOptOutKey), interner: Interner(), retention: nil)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try decoder.decodePage(podPage).items) }
    }, setup: { _ = podPage })

    Benchmark("decode 500-pod page: PodPageDecoder, mutation retention", closure: { benchmark in
        let decoder = PodPageDecoder(kept: PodKeptKeys(optOutKey: Settings.defaultOptOutKey), interner: Interner(), retention: mutationRetention)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try decoder.decodePage(podPage).items) }
    }, setup: { _ = (podPage, mutationRetention) })

    Benchmark("decode 500-pod page: JSONDecoder", closure: { benchmark in
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try Interner.$shared.withValue(Interner()) { try JSONDecoder().decode(PodPage.self, from: podPage).items })
        }
    }, setup: { _ = podPage })

    Benchmark("decode 500-Deployment page: WorkloadPageDecoder", closure: { benchmark in
        let decoder = WorkloadPageDecoder(retention: nil)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try decoder.decodePage(deploymentPage).items) }
    }, setup: { _ = deploymentPage })

    for check in Checks.all {
        Benchmark("check \(check.name), 150k pods", configuration: snapshotRuns, closure: { benchmark in
            for _ in benchmark.scaledIterations { blackHole(check.evaluate(bigSnapshot, .defaults)) }
        }, setup: { _ = bigSnapshot })
    }

    Benchmark("Checks.evaluate (all five), 150k pods", configuration: snapshotRuns, closure: { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Checks.evaluate(Checks.all, snapshot: bigSnapshot, settings: .defaults)) }
    }, setup: { _ = bigSnapshot })

    Benchmark("Planner.plan, findings of 150k pods", configuration: snapshotRuns, closure: { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Planner.plan(bigReports, snapshot: bigSnapshot, settings: .defaults, shard: nil)) }
    }, setup: { FileHandle.standardError.write(Data((describeBigSnapshot() + "\n").utf8)) })
}
