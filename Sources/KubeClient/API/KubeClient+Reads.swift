import Foundation

/// `metav1.ListMeta`.
public struct ListMeta: Sendable, Decodable {
    public var resourceVersion: String?
    public var `continue`: String?
    public var remainingItemCount: Int?

    public init(resourceVersion: String? = nil, continue token: String? = nil, remainingItemCount: Int? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = token
        self.remainingItemCount = remainingItemCount
    }

    /// Reads a `metadata` object of a list with a cursor (unknown fields skipped).
    public init(cursor c: inout JSONCursor) throws {
        self.init()
        try c.forEachField { c, key in
            if key == "resourceVersion" { resourceVersion = try c.stringOrNull() }
            else if key == "continue" { self.continue = try c.stringOrNull() }
            else if key == "remainingItemCount" { remainingItemCount = try c.consumeNull() ? nil : try c.int() }
            else { try c.skipValue() }
        }
    }
}

/// Decodes one list page's bytes into its list metadata and items, for models that read
/// pages faster than JSONDecoder (`JSONCursor`).
public protocol ListPageDecoder<Item>: Sendable {
    associatedtype Item: Sendable
    func decodePage(_ body: Data) throws -> (metadata: ListMeta?, items: [Item])
}

extension JSONCursor {
    /// A list page read with a cursor: its `metadata`, and each of its `items` through
    /// `item` (what a `ListPageDecoder` on a cursor does; other fields are skipped).
    public static func readListPage<T>(_ body: Data, item: (inout JSONCursor) throws -> T) throws -> (metadata: ListMeta?, items: [T]) {
        try read(body) { c in
            var metadata: ListMeta?
            var items: [T] = []
            try c.forEachField { c, key in
                if key == "metadata" {
                    metadata = try ListMeta(cursor: &c)
                } else if key == "items" {
                    try c.forEachElement { c in items.append(try item(&c)) }
                } else {
                    try c.skipValue()
                }
            }
            return (metadata, items)
        }
    }
}

/// Any Decodable model, through JSONDecoder. Public for the fuzz harness (Fuzz/), which
/// decodes pages exactly as `list(_:as:)` does.
public struct DecodableListPage<T: Decodable & Sendable>: ListPageDecoder {
    public init() {}

    public func decodePage(_ body: Data) throws -> (metadata: ListMeta?, items: [T]) {
        let page = try JSONDecoder().decode(ListPage<T>.self, from: body)
        return (page.metadata, page.items ?? [])
    }
}

/// One page of a list, decoded straight into the caller's compact model.
struct ListPage<T: Decodable>: Decodable {
    var metadata: ListMeta?
    var items: [T]?
}

public struct ListOptions: Sendable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Page size; nil = the client's default (500).
    public var limit: Int?
    /// Ask for PartialObjectMetadataList: items have only apiVersion, kind and metadata.
    public var metadataOnly: Bool

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, metadataOnly: Bool = false) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.metadataOnly = metadataOnly
    }
}

public struct ListResult<T: Sendable>: Sendable {
    public var items: [T]
    /// The list's resourceVersion (of its first page: one consistent snapshot).
    public var resourceVersion: String?
    public var pages: Int
    /// How many times the list started over after its continue token expired (0 or 1).
    public var restarts: Int
    /// Page requests sent (a restarted list counts the pages before the restart too) and
    /// the response bytes they read: the run's timings show where listing time goes.
    public var requests = 0
    public var bytes = 0
}

/// Raised when a paginated list cannot complete even after starting over.
public struct ListExpiredError: Error, Sendable, CustomStringConvertible {
    public var resource: String
    public var description: String {
        "listing \(resource): the continue token expired twice (410 Expired); the cluster changed faster than the list could be read. Retry, or lower the page size."
    }
}

extension KubeClient {
    public func get<T: Decodable>(_ r: ResourceDescriptor, namespace: String?, name: String, as type: T.Type = T.self,
                                  metadataOnly: Bool = false) async throws -> T {
        let request = KubeRequest.get(r, namespace: namespace, name: name, metadataOnly: metadataOnly)
        return try decode(T.self, try await send(request), request)
    }
}
