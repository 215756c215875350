import Foundation
import KubeClient
import Logging

/// The run records of one kreconcile instance (its Lease name) in the Lease's namespace:
/// written by the run that holds the Lease, listed by `history`, read by `undo`.
public struct RunHistory: Sendable {
    public var client: KubeClient
    public var namespace: String
    /// The Lease name: records of several installs in one namespace stay apart.
    public var instance: String
    public var settings: HistorySettings
    public var codec: RecordCodec
    public var logger: Logger

    public init(client: KubeClient, namespace: String, instance: String, settings: HistorySettings = HistorySettings(),
                codec: RecordCodec = RecordCodec(), logger: Logger = Logger(label: "kreconcile.history")) {
        self.client = client
        self.namespace = namespace
        self.instance = instance
        self.settings = settings
        self.codec = codec
        self.logger = logger
    }

    var selector: String { "\(RecordCodec.managedBy)=kreconcile,\(RecordCodec.instanceLabel)=\(instance),\(RecordCodec.runIDLabel)" }

    /// What writing the record did, for the report's `metadata.record`.
    public struct Outcome: Sendable {
        /// "namespace/name", or why it was not written.
        public var record: String
        public var written: Bool
        public var truncated: String?
        /// Old records deleted, and those left for a later run (deadline, a failed delete).
        public var pruned: Int
        public var pruneLeft: Int
    }

    /// Creates the record, then deletes records past `maxRuns` / `maxAgeDays`, each with a uid
    /// precondition, at most `maxDeletes` of them (the run's budget; at least one, so the
    /// history cannot grow while the budget is 0). `mayWrite` is asked before each request (the Lease still ours, the
    /// deadline not near: `mayPrune`); a failure is reported in the outcome, never thrown: the
    /// run's own work is done by now. The record itself is written past the deadline too:
    /// it holds what undo needs.
    public func record(_ record: RunRecord, now: Date, maxDeletes: Int = 20, mayWrite: @Sendable () async -> String? = { nil },
                       mayPrune: @Sendable () async -> String? = { nil }) async -> Outcome {
        let name = RecordCodec.name(instance: instance, runID: record.runID)
        if let why = await mayWrite() { return Outcome(record: "not written: \(why)", written: false, pruned: 0, pruneLeft: 0) }
        var outcome: Outcome
        do {
            let (configMap, stored) = try codec.configMap(record, namespace: namespace, instance: instance)
            _ = try await client.create(.configMaps, namespace: namespace, body: configMap)
            outcome = Outcome(record: "\(namespace)/\(name)", written: true, truncated: stored.truncated, pruned: 0, pruneLeft: 0)
            if let t = stored.truncated { logger.warning("run record truncated", metadata: ["record": "\(name)", "why": "\(t)"]) }
        } catch {
            logger.warning("could not write the run record", metadata: ["record": "\(namespace)/\(name)", "error": "\(error)"])
            outcome = Outcome(record: "not written: \(namespace)/\(name): \(error)", written: false, pruned: 0, pruneLeft: 0)
        }
        await prune(now: now, keep: record.runID, maxDeletes: max(1, maxDeletes), mayWrite: {
            if let why = await mayWrite() { return why }
            return await mayPrune()
        }, into: &outcome)
        return outcome
    }

    /// The records to delete: beyond the newest `maxRuns`, or older than `maxAgeDays`.
    static func expired(_ records: [(summary: RunSummary, uid: String, name: String)], settings: HistorySettings, now: Date)
        -> [(summary: RunSummary, uid: String, name: String)] {
        let oldest = now.addingTimeInterval(-Double(settings.maxAgeDays) * 86_400)
        let newestFirst = records.sorted { ($0.summary.startTime, $0.summary.runID) > ($1.summary.startTime, $1.summary.runID) }
        return newestFirst.enumerated().filter { i, r in
            i >= settings.maxRuns || (MicroTime.parse(r.summary.startTime).map { $0 < oldest } ?? false)
        }.map(\.1)
    }

    private func prune(now: Date, keep: String, maxDeletes: Int, mayWrite: @Sendable () async -> String?, into outcome: inout Outcome) async {
        let listed: [(summary: RunSummary, uid: String, name: String)]
        do { listed = try await list().map { ($0.summary, $0.uid, $0.name) } } catch {
            logger.warning("could not list run records to prune", metadata: ["error": "\(error)"])
            return
        }
        let expired = Self.expired(listed, settings: settings, now: now).filter { $0.summary.runID != keep }
        for (i, r) in expired.enumerated() {
            if let why = i >= maxDeletes ? "at most \(maxDeletes) deletes per run" : await mayWrite() {
                outcome.pruneLeft = expired.count - i
                logger.info("old run records left for a later run", metadata: ["count": "\(expired.count - i)", "why": "\(why)"])
                return
            }
            do {
                _ = try await client.delete(.configMaps, namespace: namespace, name: r.name, options: DeleteOptions(preconditionUID: r.uid))
                outcome.pruned += 1
            } catch let error as KubeAPIError where error.code == 404 || error.code == 409 {
                continue  // another run pruned it, or it was replaced: not ours to delete
            } catch {
                outcome.pruneLeft += 1
                logger.warning("could not delete an old run record", metadata: ["record": "\(r.name)", "error": "\(error)"])
            }
        }
    }

    /// Every record's summary, newest first (a metadata-only list: the records stay on the server).
    public func list() async throws -> [(summary: RunSummary, uid: String, name: String)] {
        let result = try await client.list(.configMaps, namespace: namespace, options: ListOptions(labelSelector: selector, metadataOnly: true),
                                           as: JSONValue.self)
        return result.items.compactMap { item -> (summary: RunSummary, uid: String, name: String)? in
            guard let s = RecordCodec.summary(fromMetadata: item["metadata"]),
                  let uid = item["metadata"]?["uid"]?.stringValue, let name = item["metadata"]?["name"]?.stringValue else { return nil }
            return (s, uid, name)
        }.sorted { ($0.summary.startTime, $0.summary.runID) > ($1.summary.startTime, $1.summary.runID) }
    }

    /// One record by run id.
    public func read(runID: String) async throws -> RunRecord {
        let name = RecordCodec.name(instance: instance, runID: runID)
        do {
            return try RecordCodec.record(from: try await client.get(.configMaps, namespace: namespace, name: name, as: JSONValue.self))
        } catch let error as KubeAPIError where error.code == 404 {
            throw HistoryError(description: "no run record \(runID) (ConfigMap \(namespace)/\(name) not found); `kreconcile history` lists the kept ones")
        }
    }
}
