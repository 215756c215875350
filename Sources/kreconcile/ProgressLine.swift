import Foundation
import Reconciler
import Synchronization

/// "listing: 7/12 kinds, 48210 objects" redrawn in place on stderr while a large cluster is
/// listed. Only on a terminal (isatty(2)): never in logs, files or CI output.
final class ProgressLine: Sendable {
    private let shown = Mutex(false)

    static func forStderr() -> ProgressLine? { isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil }

    func update(_ p: SnapshotProgress) {
        shown.withLock { $0 = true }
        write("\r\u{1B}[Klisting: \(p.kindsDone)/\(p.kindsTotal) kinds, \(p.objects) objects")
    }

    /// Clears the line so the report starts on a clean one.
    func finish() {
        if shown.withLock({ $0 }) { write("\r\u{1B}[K") }
    }

    private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}
