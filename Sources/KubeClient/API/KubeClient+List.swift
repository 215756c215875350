import Foundation

extension KubeClient {
    /// Lists every object page by page (`limit`/`continue`), decoding each page into `T`
    /// and dropping its raw JSON before the next one, so the client never holds the whole
    /// list as JSON. A 410 Expired continue token restarts the list once.
    public func list<T: Decodable & Sendable>(_ r: ResourceDescriptor, namespace: String? = nil, options: ListOptions = ListOptions(),
                                              as type: T.Type = T.self,
                                              onPage: (@Sendable (_ itemsSoFar: Int) -> Void)? = nil) async throws -> ListResult<T> {
        try await list(r, namespace: namespace, options: options, decoder: DecodableListPage<T>(), onPage: onPage)
    }

    /// `list` with a page decoder of the caller's (a decode failure is a `KubeDecodeError`).
    ///
    /// The next page is asked for as soon as this page's continue token is read (a list's
    /// `metadata` comes before its `items`), so the server prepares page N+1 while page N
    /// is decoded: at 150,000 pods that overlaps the server's work with the client's
    /// instead of adding them up. At most one page is read ahead; the requests sent are
    /// the same as without it.
    public func list<D: ListPageDecoder>(_ r: ResourceDescriptor, namespace: String? = nil, options: ListOptions = ListOptions(),
                                         decoder: D,
                                         onPage: (@Sendable (_ itemsSoFar: Int) -> Void)? = nil) async throws -> ListResult<D.Item> {
        typealias T = D.Item
        var result = ListResult<T>(items: [], resourceVersion: nil, pages: 0, restarts: 0)
        var token: String?
        var readAhead: Task<HTTPResponse, any Error>?
        defer { readAhead?.cancel() }
        while true {
            let continued = token != nil
            let page: (metadata: ListMeta?, items: [T])
            do {
                let response: HTTPResponse
                if let pending = readAhead {
                    readAhead = nil
                    response = try await withTaskCancellationHandler { try await pending.value } onCancel: { pending.cancel() }
                } else {
                    result.requests += 1
                    response = try await send(pageRequest(r, namespace: namespace, options: options, token: token))
                }
                result.bytes += response.body.count
                if let next = ListMeta.leading(in: response.body)?.continue, !next.isEmpty {
                    let request = pageRequest(r, namespace: namespace, options: options, token: next)
                    result.requests += 1
                    readAhead = Task { try await self.send(request) }
                }
                do { page = try decoder.decodePage(response.body) } catch {
                    throw KubeDecodeError(method: "GET", path: r.path(namespace: namespace), type: "\(T.self) list", detail: Self.describe(error))
                }
            } catch let error as KubeAPIError where error.code == 410 && continued {
                guard result.restarts == 0 else { throw ListExpiredError(resource: r.qualifiedName) }
                logger.info("continue token expired; restarting the list", metadata: ["resource": "\(r.qualifiedName)"])
                result = ListResult(items: [], resourceVersion: nil, pages: 0, restarts: 1, requests: result.requests, bytes: result.bytes)
                token = nil
                continue
            }
            if result.pages == 0 {
                result.resourceVersion = page.metadata?.resourceVersion
                // The server says how many items follow: one allocation for the whole list.
                if let remaining = page.metadata?.remainingItemCount, remaining > 0 {
                    result.items.reserveCapacity(page.items.count + min(remaining, 10_000_000))
                }
            }
            result.pages += 1
            result.items.append(contentsOf: page.items)
            onPage?(result.items.count)
            token = page.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 }
            if token == nil { return result }
        }
    }

    private func pageRequest(_ r: ResourceDescriptor, namespace: String?, options: ListOptions, token: String?) -> KubeRequest {
        var request = KubeRequest(method: "GET", path: r.path(namespace: namespace),
                                  accept: options.metadataOnly ? MediaType.partialObjectMetadataList : MediaType.json)
        request.query.append(.init("limit", String(options.limit ?? self.options.pageSize)))
        if let s = options.labelSelector { request.query.append(.init("labelSelector", s)) }
        if let s = options.fieldSelector { request.query.append(.init("fieldSelector", s)) }
        if let token { request.query.append(.init("continue", token)) }
        return request
    }
}

extension ListMeta {
    /// The list's `metadata` when it is the first field after `kind` and `apiVersion`, as a
    /// real server writes it; nil otherwise (items first, or a body that does not parse:
    /// the page's decoder reports that). Reads only the bytes before `items`.
    static func leading(in body: Data) -> ListMeta? {
        do {
            return try JSONCursor.readPrefix(body) { c -> ListMeta? in
                var found: ListMeta?
                try c.forEachFieldUntil { c, key in
                    if key == "metadata" { found = try ListMeta(cursor: &c); return true }
                    if key == "items" { return true }
                    try c.skipValue()
                    return false
                }
                return found
            }
        } catch {
            return nil
        }
    }
}
