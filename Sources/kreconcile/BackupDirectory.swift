import Foundation

/// `--backup-dir`: checked (and created) before anything is sent, so a run never finds out
/// mid-batch that it cannot keep its backups.
enum BackupDirectory {
    static func prepare(_ path: String) throws(RunFlagParsing.Invalid) -> String {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .init(description: "--backup-dir: \(path) exists and is not a directory") }
        } else {
            do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw .init(description: "--backup-dir: cannot create \(path): \((error as NSError).localizedDescription)")
            }
        }
        guard fm.isWritableFile(atPath: path) else { throw .init(description: "--backup-dir: \(path) is not writable") }
        return path
    }
}
