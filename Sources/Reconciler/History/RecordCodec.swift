import Foundation
import KubeClient

/// A `RunRecord` as one ConfigMap: plain JSON in `data` while small, gzip in `binaryData`
/// (base64 on the wire) when larger; a record that still does not fit the ConfigMap size
/// limit is cut down step by step, with a marker saying what was dropped. Writing a record
/// never fails a run.
public struct RecordCodec: Sendable {
    /// The API server rejects a ConfigMap whose data and binaryData values add up to more than
    /// 1 MiB (core.MaxSecretSize; pkg/apis/core/validation/validation.go, ValidateConfigMap).
    public static let configMapLimit = 1024 * 1024
    /// Below this the record stays readable JSON (`kubectl get cm -o yaml` shows it).
    public static let plainLimit = 64 * 1024

    public static let managedBy = "app.kubernetes.io/managed-by"
    public static let runIDLabel = "kreconcile.io/run-id"
    public static let instanceLabel = "kreconcile.io/instance"
    public static let operationLabel = "kreconcile.io/operation"
    public static let summaryAnnotation = "kreconcile.io/summary"
    public static let plainKey = "record.json"
    public static let gzipKey = "record.json.gz"

    /// Payload bytes allowed (keys included, as a margin); tests may lower it.
    public var limit: Int

    public init(limit: Int = RecordCodec.configMapLimit) { self.limit = limit }

    public static func name(instance: String, runID: String) -> String { "\(instance)-run-\(runID)" }

    /// The ConfigMap to create; `record.truncated` is set on the stored copy when it had to be cut.
    public func configMap(_ record: RunRecord, namespace: String, instance: String) throws -> (configMap: JSONValue, stored: RunRecord) {
        var stored = record
        var (payload, jsonSize) = try encode(stored)
        func mark(_ marker: String) { stored.truncated = [stored.truncated, marker].compactMap { $0 }.joined(separator: "; ") }
        if payload.size > limit {
            // First the findings not acted on: the summary keeps their counts.
            let before = stored.report.entries.count
            stored.report.entries.removeAll { $0.result != .applied && $0.result != .failed }
            if before > stored.report.entries.count {
                mark("\(before - stored.report.entries.count) entries not applied dropped (the summary counts them)")
                (payload, jsonSize) = try encode(stored)
            }
        }
        var dropped = 0
        for _ in 0..<8 where payload.size > limit {
            // Then the largest backups, estimated at the compression ratio the whole record got.
            let kept = stored.backups.indices.filter { stored.backups[$0].notKept == nil }
            guard !kept.isEmpty else { break }
            let ratio = Double(payload.size) / Double(max(1, jsonSize))
            var over = Double(payload.size - limit) + Double(limit) * 0.02
            for i in kept.sorted(by: { stored.backups[$0].bodySize > stored.backups[$1].bodySize }) where over > 0 {
                over -= Double(stored.backups[i].bodySize) * ratio
                stored.backups[i].object = nil
                stored.backups[i].revert = nil
                stored.backups[i].notKept = "dropped: the run record was over the ConfigMap size limit (\(limit) bytes); the run's --backup-dir files, if any, have it"
                dropped += 1
            }
            (payload, jsonSize) = try encode(stored)
        }
        if dropped > 0 { mark("\(dropped) of \(stored.backups.count) backups dropped, largest first") }
        if payload.size > limit {
            stored.report.entries = []
            stored.backups = []
            mark("only the summary kept")
            (payload, jsonSize) = try encode(stored)
        }
        if let t = stored.truncated { stored.truncated = "TRUNCATED: record over the ConfigMap size limit (\(limit) bytes): " + t }
        if stored.truncated != nil { (payload, jsonSize) = try encode(stored) }
        var summary = RunSummary(stored)
        summary.record = nil
        let labels: [String: JSONValue] = [
            Self.managedBy: "kreconcile", Self.runIDLabel: .string(record.runID), Self.instanceLabel: .string(instance),
            Self.operationLabel: .string(record.operation.rawValue),
        ]
        let metadata: JSONValue = [
            "name": .string(Self.name(instance: instance, runID: record.runID)), "namespace": .string(namespace),
            "labels": .object(labels), "annotations": [Self.summaryAnnotation: .string(try summary.compactJSON())],
        ]
        var cm: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata]
        switch payload {
        case .plain(let text): cm["data"] = [Self.plainKey: .string(text)]
        case .gzip(let data): cm["binaryData"] = [Self.gzipKey: .string(data.base64EncodedString())]
        }
        return (cm, stored)
    }

    enum Payload {
        case plain(String)
        case gzip(Data)
        var size: Int {
            switch self {
            case .plain(let s): return RecordCodec.plainKey.utf8.count + s.utf8.count
            case .gzip(let d): return RecordCodec.gzipKey.utf8.count + d.count
            }
        }
    }

    /// The payload and the size of the JSON it holds.
    func encode(_ record: RunRecord) throws -> (Payload, Int) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(record)
        if json.count <= Self.plainLimit { return (.plain(String(decoding: json, as: UTF8.self)), json.count) }
        return (.gzip(try Gzip.compress(json)), json.count)
    }

    /// Reads a record back from its ConfigMap (as GET returns it).
    public static func record(from configMap: JSONValue) throws -> RunRecord {
        let name = configMap["metadata"]?["name"]?.stringValue ?? "?"
        let json: Data
        if let text = configMap["data"]?[plainKey]?.stringValue {
            json = Data(text.utf8)
        } else if let encoded = configMap["binaryData"]?[gzipKey]?.stringValue, let gz = Data(base64Encoded: encoded) {
            json = try Gzip.decompress(gz)
        } else {
            throw HistoryError(description: "ConfigMap \(name) holds no run record (\(plainKey) or \(gzipKey))")
        }
        do { return try JSONDecoder().decode(RunRecord.self, from: json) } catch {
            throw HistoryError(description: "ConfigMap \(name): the run record does not decode: \(error)")
        }
    }

    /// The summary in a listed ConfigMap's annotations; nil when it is not one of ours.
    public static func summary(fromMetadata metadata: JSONValue?) -> RunSummary? {
        guard let text = metadata?["annotations"]?[summaryAnnotation]?.stringValue,
              var summary = try? JSONDecoder().decode(RunSummary.self, from: Data(text.utf8)) else { return nil }
        if let ns = metadata?["namespace"]?.stringValue, let name = metadata?["name"]?.stringValue { summary.record = "\(ns)/\(name)" }
        return summary
    }
}

extension Backup {
    /// Bytes of what a backup keeps (to drop the largest first).
    var bodySize: Int { (object ?? .array(revert ?? [])).jsonData().count }
}

public struct HistoryError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

extension RunSummary {
    func compactJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
