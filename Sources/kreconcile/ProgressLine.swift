import Foundation
import Reconciler
import Synchronization

/// "listing: 7/12 kinds, 48210 objects" redrawn in place on stderr while a large cluster is
/// listed. Only on a terminal (isatty(2)): never in logs, files or CI output. Redrawn at
/// most ten times a second, however fast pages arrive.
final class ProgressLine: Sendable {
    private let state = Mutex<(shown: Bool, last: Date)>((false, .distantPast))

    static func forStderr() -> ProgressLine? { isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil }

    func update(_ p: SnapshotProgress) {
        let draw = state.withLock { s -> Bool in
            let now = Date()
            guard p.kindsDone == p.kindsTotal || now.timeIntervalSince(s.last) >= 0.1 else { return false }
            s.last = now
            s.shown = true
            return true
        }
        if draw { write("\r\u{1B}[Klisting: \(p.kindsDone)/\(p.kindsTotal) kinds, \(p.objects) objects") }
    }

    /// Clears the line so the report starts on a clean one.
    func finish() {
        if state.withLock({ $0.shown }) { write("\r\u{1B}[K") }
    }

    private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}
