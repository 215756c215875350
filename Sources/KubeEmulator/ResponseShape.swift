import Foundation
import KubeClient

/// What the Accept header asks for: the object, metadata only, or a server-side Table.
enum ResponseShape: Sendable {
    case full, metadata, table

    /// The first media type we can serve wins, like the server's negotiation.
    static func from(accept: String?) -> ResponseShape {
        guard let accept else { return .full }
        for entry in accept.split(separator: ",") {
            let parts = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let type = parts.first, type == "application/json" || type == "*/*" || type == "application/*" else { continue }
            var params: [String: String] = [:]
            for p in parts.dropFirst() {
                let kv = p.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { params[String(kv[0])] = String(kv[1]) }
            }
            switch params["as"] {
            case nil: return .full
            case "Table"? where params["g"] == "meta.k8s.io": return .table
            case "PartialObjectMetadata"?, "PartialObjectMetadataList"?: if params["g"] == "meta.k8s.io" { return .metadata }
            default: continue
            }
        }
        return .full
    }

    static func partialObject(_ object: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": .object(object.metadata)]
    }

    /// The default table convertor's columns (Name, Age), enough for `kubectl get`.
    static func table(_ objects: [JSONValue], listMeta: JSONValue) -> Data {
        let columns: JSONValue = [
            ["name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace.", "priority": 0],
            ["name": "Age", "type": "string", "format": "", "description": "CreationTimestamp is a timestamp representing the server time when this object was created.", "priority": 0],
        ]
        let rows: [JSONValue] = objects.map { o in
            ["cells": [.string(o.name), .string(age(o.meta("creationTimestamp")))], "object": partialObject(o)]
        }
        let doc: JSONValue = ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": listMeta,
                              "columnDefinitions": columns, "rows": .array(rows)]
        return doc.jsonData()
    }

    /// A short human duration like kubectl's AGE column.
    static func age(_ timestamp: String?) -> String {
        guard let timestamp, let date = try? Date(timestamp, strategy: .iso8601) else { return "<unknown>" }
        let s = max(0, Int(Date().timeIntervalSince(date)))
        if s < 120 { return "\(s)s" }
        if s < 3 * 3600 { return "\(s / 60)m" }
        if s < 48 * 3600 { return "\(s / 3600)h" }
        if s < 730 * 86400 { return "\(s / 86400)d" }
        return "\(s / (365 * 86400))y"
    }
}
