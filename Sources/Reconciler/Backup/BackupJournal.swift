import Foundation
import KubeClient
import Logging
import Yams

/// Hooks the Applier calls around each real write (Apply/Applier.swift).
public protocol WriteJournal: Sendable {
    /// Right before a write is sent; an answer skips the write with that detail.
    func willWrite(_ entry: PlanEntry) async -> String?
    /// After the server accepted the write, with its answer.
    func didWrite(_ entry: PlanEntry, response: HTTPResponse) async
}

/// Records the prior state of what each write changes, before it is sent: the whole object
/// for a delete, the reverting JSON patch for a JSON patch. The Snapshot holds compact
/// records, so the object is read once right before its write (GET, one per reversible
/// write of the batch: bounded by the plan); a read that finds another object (uid) or
/// none skips the write, which would have failed its precondition anyway. Restarts
/// (strategic-merge patches) and evictions cannot be taken back: nothing is read for them.
/// With a backup directory the prior object is also written there, one kubectl-style YAML
/// file per object, before the write is sent.
public actor BackupJournal: WriteJournal {
    public let client: KubeClient
    public let runID: String
    public let directory: URL?
    let logger: Logger
    private var prior: [Int: JSONValue] = [:]
    public private(set) var backups: [Backup] = []
    /// GETs sent for backups (each one before a write of the batch).
    public private(set) var reads = 0
    /// Files written to `directory`.
    public private(set) var files: [String] = []

    public init(client: KubeClient, runID: String, directory: String? = nil, logger: Logger = Logger(label: "kreconcile.backup")) {
        self.client = client
        self.runID = runID
        self.directory = directory.map { URL(fileURLWithPath: $0, isDirectory: true) }
        self.logger = logger
    }

    /// What an action's write is, for backing it up; nil when it cannot be taken back.
    static func operation(of request: KubeRequest) -> Backup.Operation? {
        switch request.method {
        case "DELETE": return .delete
        case "PATCH" where request.contentType == MediaType.jsonPatch: return .patch
        default: return nil  // a restart (strategic merge), an eviction (POST), a create
        }
    }

    public func willWrite(_ entry: PlanEntry) async -> String? {
        guard let action = entry.finding.action, Self.operation(of: action.request) != nil else { return nil }
        reads += 1
        let object: JSONValue
        do {
            object = try JSONValue.parse(try await client.send(KubeRequest(method: "GET", path: action.request.path)).body)
        } catch let error as KubeAPIError where error.code == 404 {
            return "object changed since the snapshot: it is gone (404 reading it for the backup)"
        } catch {
            return "not sent: its prior state could not be read for the backup: \(error)"
        }
        let uid = object["metadata"]?["uid"]?.stringValue ?? ""
        guard action.target.uid.isEmpty || uid == action.target.uid else {
            return "object changed since the snapshot: it was replaced (uid \(uid), the plan saw \(action.target.uid))"
        }
        if let directory {
            do { try writeFile(object, entry: entry, action: action, in: directory) } catch {
                return "not sent: the backup file could not be written: \(error)"
            }
        }
        prior[order(entry)] = object
        return nil
    }

    public func didWrite(_ entry: PlanEntry, response: HTTPResponse) async {
        guard let action = entry.finding.action, let operation = Self.operation(of: action.request),
              let before = prior.removeValue(forKey: order(entry)) else { return }
        var backup = Backup(order: order(entry), operation: operation, target: action.target, check: entry.finding.check,
                            summary: action.summary, path: action.request.path)
        switch operation {
        case .delete:
            if action.target.kind == "Secret" {
                backup.notKept = "a Secret's data is never copied into a run record"
            } else {
                backup.object = before
            }
        case .patch:
            let after = try? JSONValue.parse(response.body)  // the patched object; a malformed answer leaves no revert
            let forward = action.request.body.flatMap { try? JSONValue.parse($0) }?.arrayValue ?? []
            if let after {
                backup.revert = RevertPatch.ops(forward: forward, before: before, after: after).map(\.json)
                backup.resourceVersionAfter = after["metadata"]?["resourceVersion"]?.stringValue
            } else {
                backup.notKept = "the server's answer to the patch was not the object; no revert patch"
            }
        }
        backups.append(backup)
    }

    private func order(_ entry: PlanEntry) -> Int {
        if case .planned(let n) = entry.decision { return n }
        return -1
    }

    /// `<run-id>-<order>-<kind>-<namespace>-<name>.yaml`: sorted by name is sorted by time.
    private func writeFile(_ object: JSONValue, entry: PlanEntry, action: Action, in directory: URL) throws {
        let t = action.target
        let name = "\(runID)-\(String(format: "%03d", order(entry)))-\(t.kind.lowercased())-\(t.namespace ?? "cluster")-\(t.name).yaml"
        var body = object
        var note = ""
        if t.kind == "Secret" {
            body["data"] = nil
            body["stringData"] = nil
            note = "# data left out: kreconcile never copies a Secret's data\n"
        }
        let header = """
            # kreconcile run \(runID), write \(order(entry)): \(action.summary)
            # \(t) as it was right before \(action.request.method) \(action.request.path)
            \(note)
            """
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        let yaml = header + (try encoder.encode(body))
        try Data(yaml.utf8).write(to: directory.appendingPathComponent(name), options: .atomic)
        files.append(name)
    }
}
