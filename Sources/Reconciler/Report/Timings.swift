import Foundation
import Synchronization

/// Where a run's time went (report field `timings`; `--timings` prints it on stderr):
/// one figure per phase of lock → list → checks → plan → apply → report, and per listed
/// kind its requests, objects, bytes and seconds. Seconds are wall-clock; kinds are listed
/// a few at a time, so their seconds overlap and add up to more than `listSeconds`.
public struct Timings: Sendable, Codable, Equatable {
    public var lockSeconds: Double = 0
    public var listSeconds: Double = 0
    public var list: [KindTiming] = []
    public var checksSeconds: Double = 0
    public var planSeconds: Double = 0
    public var applySeconds: Double = 0
    /// Assembling the report and its estimate (rendering it follows).
    public var reportSeconds: Double = 0
    public var totalSeconds: Double = 0

    public init() {}

    public struct KindTiming: Sendable, Codable, Equatable {
        /// "pods", "deployments.apps".
        public var resource: String
        public var requests: Int
        public var objects: Int
        public var bytes: Int
        public var seconds: Double

        public init(resource: String, requests: Int, objects: Int, bytes: Int, seconds: Double) {
            self.resource = resource
            self.requests = requests
            self.objects = objects
            self.bytes = bytes
            self.seconds = seconds
        }
    }

    /// Seconds `body` takes, by the monotonic clock.
    static func measure<T>(_ seconds: inout Double, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer { seconds += Self.seconds(since: start) }
        return try body()
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Collects the per-kind figures of the concurrent lists.
public final class ListTimings: Sendable {
    private let kinds = Mutex<[Timings.KindTiming]>([])

    public init() {}

    func record(_ timing: Timings.KindTiming) { kinds.withLock { $0.append(timing) } }

    /// Sorted by resource so reports compare across runs.
    public var all: [Timings.KindTiming] { kinds.withLock { $0 }.sorted { $0.resource < $1.resource } }
}
