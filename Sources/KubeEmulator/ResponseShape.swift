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
}
