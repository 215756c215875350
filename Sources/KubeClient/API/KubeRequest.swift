import Foundation

/// One API request, built before it is sent so that a plan can show exactly what a real
/// run would send (method, path, query, content type, body).
public struct KubeRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    public var query: [QueryItem]
    public var contentType: String?
    public var body: Data?
    public var accept: String

    public struct QueryItem: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) { self.name = name; self.value = value }
    }

    public init(method: String, path: String, query: [QueryItem] = [], contentType: String? = nil, body: Data? = nil,
                accept: String = "application/json") {
        self.method = method
        self.path = path
        self.query = query
        self.contentType = contentType
        self.body = body
        self.accept = accept
    }

    /// Reads may be retried after any transient failure; writes only when nothing was sent.
    public var isRead: Bool { method == "GET" || method == "HEAD" }

    public var isDryRun: Bool { query.contains { $0.name == "dryRun" && $0.value == "All" } }

    /// Path plus the percent-encoded query string.
    public var pathAndQuery: String {
        guard !query.isEmpty else { return path }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+;,/?")
        let encoded = query.map { item in
            "\(item.name)=\(item.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? item.value)"
        }
        return path + "?" + encoded.joined(separator: "&")
    }

    /// The same write as a server-side dry run: admission and validation run, nothing persists.
    public func dryRun() -> KubeRequest {
        var copy = self
        if !copy.isDryRun { copy.query.insert(QueryItem("dryRun", "All"), at: 0) }
        return copy
    }
}

/// Kubernetes media types used by the client.
public enum MediaType {
    public static let json = "application/json"
    public static let jsonPatch = "application/json-patch+json"
    public static let mergePatch = "application/merge-patch+json"
    public static let strategicMergePatch = "application/strategic-merge-patch+json"
    /// A metadata-only list: items carry apiVersion, kind and metadata only.
    public static let partialObjectMetadataList = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json"
    public static let partialObjectMetadata = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, application/json"
}

/// The field manager recorded on every object kreconcile writes.
public let kreconcileFieldManager = "kreconcile"
