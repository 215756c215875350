import Foundation
import FuzzSupport
import KubeClient
import Reconciler

// A snapshot file (`run --snapshot FILE`): JSON or multi-document YAML as kubectl prints
// it, read by `Snapshot.parseFiles` and turned into records for every check. Invariants:
// no crash; an error is a SnapshotFileError in one line; what parses builds a snapshot or
// says which document is wrong.

fuzzMain { data in
    let path = ScratchFile.write(data, name: "snapshot.yaml")
    let documents: [JSONValue]
    do {
        documents = try Snapshot.parseFiles([path])
    } catch let error as SnapshotFileError {
        requireOneLine(error.message, "snapshot file error")
        return
    } catch {
        require(false, "parseFiles threw \(type(of: error)), not a SnapshotFileError: \(error)")
        return
    }
    do {
        _ = try Snapshot(documents: documents, checks: Checks.all)
    } catch let error as SnapshotFileError {
        requireOneLine(error.message, "snapshot document error")
        require(error.message.hasPrefix("document "), "snapshot document error without its document: \(error.message)")
    } catch {
        require(false, "Snapshot(documents:) threw \(type(of: error)), not a SnapshotFileError")
    }
}
