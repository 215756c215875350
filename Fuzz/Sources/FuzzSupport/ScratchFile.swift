import Foundation

/// The file a harness writes each input to, for the APIs that read paths: in a directory
/// of the process's own under the temporary directory (never the repository), removed at
/// exit (libFuzzer exits through `exit` after a run, and after a crash it is reported).
public enum ScratchFile {
    public static let directory: String = {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("kreconcile-fuzz-\(getpid())")
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: ScratchFile.directory) }
        return dir
    }()

    /// Writes `data` to `name` in the directory and returns its path.
    public static func write(_ data: Data, name: String) -> String {
        let path = directory + "/" + name
        // A failed write would test the previous input again: stop instead.
        guard FileManager.default.createFile(atPath: path, contents: data) else { fatalError("cannot write \(path)") }
        return path
    }
}

