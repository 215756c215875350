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
            return .json(200, ResponseShape.partialObject(stored.object).jsonData())
        case .table:
            return try tableReply([stored.object], t, listMeta: ["resourceVersion": .string(stored.resourceVersion)], req)
        }
    }

    private struct Page {
        var items: [StoredObject] = []
        var resourceVersion = 0
        var continueToken: String?
        var remaining: Int?
    }

    func list(_ req: APIRequest, _ t: ResourceTarget) throws(APIError) -> APIReply {
        let labels = try LabelSelector(parsing: req.param("labelSelector") ?? "")
        let fields = try FieldSelector(parsing: req.param("fieldSelector") ?? "", kind: t.type.kind)
        let limit = max(0, Int(req.param("limit") ?? "") ?? 0)
        var token: ContinueToken?
        if let text = req.param("continue"), !text.isEmpty { token = try ContinueToken.decode(text) }
        let filtered = !labels.isEmpty || !fields.isEmpty

        let page = try state.withLock { s throws(APIError) -> Page in
            if let token, token.serial <= s.expiredThroughSerial {
                // Like compactedContinue: 410 plus a token that continues inconsistently.
                let fresh = ContinueToken(resourceVersion: s.resourceVersion, startKey: token.startKey, serial: s.issueTokenSerial())
                throw .expired(ContinueToken.expiredMessage, continueToken: fresh.encoded())
            }
            var page = Page(resourceVersion: token?.resourceVersion ?? s.resourceVersion)
            let keys = s.keys(t.type, namespace: t.namespace)
            guard let objects = s.buckets[t.type.storageKey]?.objects else { return page }
            var i = token.map { keys.lowerBound(of: $0.startKey) } ?? keys.startIndex
            while i < keys.endIndex {
                let key = keys[i]
                i += 1
                guard let stored = objects[key] else { continue }
                if filtered, !(labels.matches(stored.object.labels) && fields.matches(stored.object)) { continue }
                page.items.append(stored)
                if limit > 0, page.items.count == limit { break }
            }
            if limit > 0, page.items.count == limit, i < keys.endIndex {
                let next = ContinueToken(resourceVersion: page.resourceVersion, startKey: keys[i - 1] + "\u{0}", serial: s.issueTokenSerial())
                page.continueToken = next.encoded()
                // The real server counts remaining items only for unfiltered lists.
                if !filtered { page.remaining = keys.endIndex - i }
            }
            return page
        }

        let shape = ResponseShape.from(accept: req.header("accept"))
        var listMeta: [String: JSONValue] = ["resourceVersion": .string(String(page.resourceVersion))]
        if let c = page.continueToken { listMeta["continue"] = .string(c) }
        // Metadata-only lists keep continue but drop remainingItemCount (FACTS, measured).
        if let r = page.remaining, shape == .full { listMeta["remainingItemCount"] = .number(Double(r)) }

        switch shape {
        case .table:
            return try tableReply(page.items.map(\.object), t, listMeta: .object(listMeta), req)
        case .metadata:
            let doc: JSONValue = ["kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": .object(listMeta),
                                  "items": .array(page.items.map { ResponseShape.partialObject($0.object) })]
            return .json(200, doc.jsonData())
        case .full:
            return APIReply(status: 200, headers: [("Content-Type", "application/json")],
                            chunks: listChunks(page.items, t.type, listMeta: .object(listMeta)))
        }
    }

    /// `{"kind":..,"apiVersion":..,"metadata":..,"items":[` + stored bytes + `]}`: no re-encoding.
    private func listChunks(_ items: [StoredObject], _ rt: ResourceType, listMeta: JSONValue) -> [Data] {
        var head = Data("{\"kind\":\(JSONBytes.quote(rt.listKind)),\"apiVersion\":\(JSONBytes.quote(rt.groupVersion)),\"metadata\":".utf8)
        head.append(listMeta.jsonData())
        head.append(contentsOf: Array(",\"items\":[".utf8))
        var body = Data()
        body.reserveCapacity(items.reduce(0) { $0 + $1.body.count + 1 } + (rt.builtIn ? 0 : items.count * 64))
        for (n, item) in items.enumerated() {
            if n > 0 { body.append(UInt8(ascii: ",")) }
            // Typed list items carry no apiVersion/kind; unstructured (custom) ones do.
            if rt.builtIn { body.append(item.body) } else {
                body.append(JSONBytes.withTypeMeta(item.body, apiVersion: rt.groupVersion, kind: rt.kind))
            }
        }
        return [head, body, Data("]}".utf8)]
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
