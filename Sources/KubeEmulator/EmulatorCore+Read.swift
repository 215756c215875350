import Foundation
import KubeClient

/// get and list.
extension EmulatorCore {
    func get(_ req: APIRequest, _ t: ResourceTarget, _ name: String) throws(APIError) -> APIReply {
        guard let stored = state.withLock({ $0.get(t.type, namespace: t.namespace, name: name) }) else {
            throw .notFound(t.type, name)
        }
        switch ResponseShape.from(accept: req.header("accept")) {
        case .full:
            return .json(200, JSONBytes.withTypeMeta(stored.body, apiVersion: t.type.groupVersion, kind: t.type.kind))
        case .metadata:
            return .json(200, JSONBytes.partialObject(metadata: stored.metadataBytes))
        case .table:
            return try tableReply([stored], t, listMeta: ["resourceVersion": .string(stored.resourceVersion)], req)
        }
    }

    /// What a list reads under the store's lock: the bucket's keys and objects are
    /// copy-on-write values, so taking them is O(1) and the page is cut outside the lock.
    private struct Snapshot {
        var keys: ArraySlice<String> = []
        var objects: [String: StoredObject] = [:]
        var resourceVersion = 0
        var serial = 0
    }

    func list(_ req: APIRequest, _ t: ResourceTarget) throws(APIError) -> APIReply {
        let labels = try LabelSelector(parsing: req.param("labelSelector") ?? "")
        let fields = try FieldSelector(parsing: req.param("fieldSelector") ?? "", kind: t.type.kind)
        let limit = max(0, Int(req.param("limit") ?? "") ?? 0)
        var token: ContinueToken?
        if let text = req.param("continue"), !text.isEmpty { token = try ContinueToken.decode(text) }
        let filtered = !labels.isEmpty || !fields.isEmpty

        let snap = try state.withLock { s throws(APIError) -> Snapshot in
            if let token, token.serial <= s.expiredThroughSerial {
                // Like compactedContinue: 410 plus a token that continues inconsistently.
                let fresh = ContinueToken(resourceVersion: s.resourceVersion, startKey: token.startKey, serial: s.issueTokenSerial())
                throw .expired(ContinueToken.expiredMessage, continueToken: fresh.encoded())
            }
            return Snapshot(keys: s.keys(t.type, namespace: t.namespace), objects: s.buckets[t.type.storageKey]?.objects ?? [:],
                            resourceVersion: token?.resourceVersion ?? s.resourceVersion, serial: limit > 0 ? s.issueTokenSerial() : 0)
        }

        // Selectors read labels and the selectable fields from the stored bytes: no tree.
        var items: [StoredObject] = []
        var continueToken: String?
        var remaining: Int?
        let keys = snap.keys
        var i = token.map { keys.lowerBound(of: $0.startKey) } ?? keys.startIndex
        while i < keys.endIndex {
            let key = keys[i]
            i += 1
            guard let stored = snap.objects[key] else { continue }
            if filtered, !(labels.matches(stored.labels) && fields.matches(stored)) { continue }
            items.append(stored)
            if limit > 0, items.count == limit { break }
        }
        if limit > 0, items.count == limit, i < keys.endIndex {
            continueToken = ContinueToken(resourceVersion: snap.resourceVersion, startKey: keys[i - 1] + "\u{0}", serial: snap.serial).encoded()
            // The real server counts remaining items only for unfiltered lists.
            if !filtered { remaining = keys.endIndex - i }
        }

        let shape = ResponseShape.from(accept: req.header("accept"))
        var listMeta: [String: JSONValue] = ["resourceVersion": .string(String(snap.resourceVersion))]
        if let continueToken { listMeta["continue"] = .string(continueToken) }
        // Metadata-only lists keep continue but drop remainingItemCount (FACTS, measured).
        if let remaining, shape == .full { listMeta["remainingItemCount"] = .number(Double(remaining)) }

        switch shape {
        case .table:
            return try tableReply(items, t, listMeta: .object(listMeta), req)
        case .metadata:
            return APIReply(status: 200, headers: [("Content-Type", "application/json")],
                            chunks: metadataListChunks(items, listMeta: .object(listMeta)))
        case .full:
            return APIReply(status: 200, headers: [("Content-Type", "application/json")],
                            chunks: listChunks(items, t.type, listMeta: .object(listMeta)))
        }
    }

    /// `{"kind":..,"apiVersion":..,"metadata":..,"items":[` + stored bytes + `]}`: no re-encoding.
    private func listChunks(_ items: [StoredObject], _ rt: ResourceType, listMeta: JSONValue) -> [Data] {
        var body = Data()
        body.reserveCapacity(items.reduce(0) { $0 + $1.body.count + 1 } + (rt.builtIn ? 0 : items.count * 64))
        for (n, item) in items.enumerated() {
            if n > 0 { body.append(UInt8(ascii: ",")) }
            // Typed list items carry no apiVersion/kind; unstructured (custom) ones do.
            if rt.builtIn { body.append(item.body) } else {
                body.append(JSONBytes.withTypeMeta(item.body, apiVersion: rt.groupVersion, kind: rt.kind))
            }
        }
        return [Self.listHead(kind: rt.listKind, apiVersion: rt.groupVersion, listMeta: listMeta), body, Data("]}".utf8)]
    }

    /// A PartialObjectMetadataList spliced from each item's stored metadata bytes.
    private func metadataListChunks(_ items: [StoredObject], listMeta: JSONValue) -> [Data] {
        var body = Data()
        body.reserveCapacity(items.reduce(0) { $0 + $1.metadataRange.count + 80 })
        for (n, item) in items.enumerated() {
            if n > 0 { body.append(UInt8(ascii: ",")) }
            JSONBytes.partialObject(metadata: item.metadataBytes, into: &body)
        }
        return [Self.listHead(kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", listMeta: listMeta), body, Data("]}".utf8)]
    }

    private static func listHead(kind: String, apiVersion: String, listMeta: JSONValue) -> Data {
        var head = Data("{\"kind\":\(JSONBytes.quote(kind)),\"apiVersion\":\(JSONBytes.quote(apiVersion)),\"metadata\":".utf8)
        head.append(JSONBytes.encode(listMeta))
        head.append(contentsOf: Array(",\"items\":[".utf8))
        return head
    }
}

extension ArraySlice where Element == String {
    func lowerBound(of value: String) -> Int {
        var lo = startIndex, hi = endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
