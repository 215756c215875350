import Foundation
import KubeEmulator

/// Where one property seed's wall time went, written as one tab-separated line per seed to
/// the file named by KRECONCILE_SEED_PROFILE (for finding what makes seeds slow; off by default).
struct SeedProfile {
    static let path = ProcessInfo.processInfo.environment["KRECONCILE_SEED_PROFILE"]
    static let header = "seed\ttotal_ms\tsetup_ms\truns\tfaulty_runs\trun_ms\tsettle_ms\tsettle_steps\trequests\tserver_ms\tslow_requests\t"
        + "waits\twait_ms\tlatency_rules\tretry_after_rules\tconnection_rules\tmode\tpods"

    var seed: UInt64
    var started = ContinuousClock.now
    var setup: Duration = .zero
    var runs = 0
    var faultyRuns = 0
    var run: Duration = .zero
    var settle: Duration = .zero
    var settleSteps = 0
    var requests = 0
    var serverSeconds = 0.0
    var slowRequests = 0
    var latencyRules = 0, retryAfterRules = 0, connectionRules = 0
    var mode = ""
    var pods = 0

    init(seed: UInt64, faults: [FaultRule]) {
        self.seed = seed
        for f in faults {
            switch f.action {
            case .latency: latencyRules += 1
            case .status(_, _, _, let retry?) where retry > 0: retryAfterRules += 1
            case .resetConnection, .truncateBody: connectionRules += 1
            default: break
            }
        }
    }

    mutating func record(run duration: Duration, requests log: [RequestRecord], timeout: Double) {
        runs += 1
        run += duration
        requests += log.count
        serverSeconds += log.reduce(0) { $0 + $1.durationSeconds }
        slowRequests += log.filter { $0.durationSeconds > timeout }.count
    }

    func write(waits: (count: Int, seconds: Double)) {
        guard let path = Self.path else { return }
        func ms(_ d: Duration) -> Int { Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000) }
        let fields: [Any] = [seed, ms(ContinuousClock.now - started), ms(setup), runs, faultyRuns, ms(run), ms(settle), settleSteps, requests,
                             Int(serverSeconds * 1000), slowRequests, waits.count, Int(waits.seconds * 1000),
                             latencyRules, retryAfterRules, connectionRules, mode, pods]
        Self.append(fields.map { "\($0)" }.joined(separator: "\t"), to: path)
    }

    private static let lock = NSLock()
    private static func append(_ line: String, to path: String) {
        lock.lock()
        defer { lock.unlock() }
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: Data((header + "\n").utf8)) }
        guard let h = FileHandle(forWritingAtPath: path) else { return }
        h.seekToEndOfFile()
        h.write(Data((line + "\n").utf8))
        h.closeFile()
    }
}
