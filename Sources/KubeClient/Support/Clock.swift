import Foundation

/// Time as the client sees it. Tests substitute a virtual clock so that retry and
/// rate-limit delays are asserted without waiting.
public protocol KubeClock: Sendable {
    /// Monotonic seconds.
    func now() -> Double
    func sleep(seconds: Double) async throws
}

public struct SystemClock: KubeClock {
    public init() {}
    public func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
    }
}
