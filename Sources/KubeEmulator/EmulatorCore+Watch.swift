import Foundation
import KubeClient
import Synchronization

/// `GET …?watch=true` on a list endpoint, as the 1.32 apiserver serves it with the watch
/// cache (endpoints/handlers/get.go ListResource → serveWatch; storage/cacher): a 200 whose
/// chunked body is one `{"type":…,"object":…}` JSON line per event.
///
/// - `resourceVersion` unset or "0": synthetic ADDED events for the current objects first,
///   then changes; `sendInitialEvents=true` (watch-list) does the same and ends the initial
///   state with a BOOKMARK annotated `k8s.io/initial-events-end`.
/// - a specific `resourceVersion`: the changes after it, replayed from the bounded history;
///   one older than the history covers gets a single ERROR event holding a 410 Expired
///   Status "too old resource version: R (OLDEST)" (watch_cache.go getAllEventsSinceLocked,
///   delivered through the cacher's error watcher), and the stream ends.
/// - selectors filter like the cacher's watcher: an object that starts matching arrives as
///   ADDED, one that stops matching as DELETED.
/// - `allowWatchBookmarks`: BOOKMARK events every `bookmarkInterval` and no later than 2 s
///   before the deadline (cacher.go nextBookmarkTime).
/// - `timeoutSeconds` ends the stream (default: the apiserver's 30 min minimum request timeout).
extension EmulatorCore {
    /// The real server's bookmark frequency (cacher.go: bookmarkFrequency = time.Minute).
    static let bookmarkInterval: Duration = .seconds(60)

    func watch(_ req: APIRequest, _ t: ResourceTarget) throws(APIError) -> APIReply {
        let labels = try LabelSelector(parsing: req.param("labelSelector") ?? "")
        let fields = try FieldSelector(parsing: req.param("fieldSelector") ?? "", kind: t.type.kind)
        let bookmarks = req.param("allowWatchBookmarks").map(Self.isTrue) ?? false
        let sendInitial = req.param("sendInitialEvents").map(Self.isTrue)
        let match = req.param("resourceVersionMatch") ?? ""
        // apimachinery/pkg/apis/meta/internalversion/validation ValidateListOptions, watch branch.
        if sendInitial != nil {
            if match != "NotOlderThan" {
                throw .invalid(group: "meta.k8s.io", kind: "ListOptions", name: "",
                               [.required("resourceVersionMatch", "resourceVersionMatch is required when sendInitialEvents is provided")])
            }
            if sendInitial == true, !bookmarks {
                throw .invalid(group: "meta.k8s.io", kind: "ListOptions", name: "",
                               [.invalid("allowWatchBookmarks", value: "false", "allowWatchBookmarks must be true when sendInitialEvents is true")])
            }
        } else if !match.isEmpty {
            throw .invalid(group: "meta.k8s.io", kind: "ListOptions", name: "",
                           [.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")])
        }
        let rvText = req.param("resourceVersion") ?? ""
        var requested: Int?
        if !rvText.isEmpty {
            guard let rv = Int(rvText), rv >= 0 else { throw .badRequest("invalid resource version: \(JSONBytes.quote(rvText))") }
            requested = rv
        }
        var timeout = Duration.seconds(1800)
        if let text = req.param("timeoutSeconds") {
            guard let seconds = Int(text), seconds >= 0 else { throw .badRequest("invalid timeoutSeconds: \(JSONBytes.quote(text))") }
            if seconds > 0 { timeout = .seconds(seconds) }
        }
        let shape = ResponseShape.from(accept: req.header("accept"))
        let include = shape == .table ? try TableConvertor.includeObject(req.param("includeObject")) : .metadata
        let initialState = sendInitial ?? (requested == nil || requested == 0)

        let stream = try state.withLock { s throws(APIError) -> WatchStream in
            let current = s.resourceVersion
            if let requested, requested > current, !initialState {
                // cacher.go waitUntilFreshAndBlock gives up with a 504 "Too large resource version".
                throw APIError(code: 504, reason: "Timeout", message: "Too large resource version: \(requested), current: \(current)",
                               details: APIError.details(causes: [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]],
                                                         retryAfter: 1))
            }
            let crd: JSONValue? = t.type.builtIn ? nil : s.registry.lookup(resource: "customresourcedefinitions.apiextensions.k8s.io").flatMap {
                s.get($0, namespace: "", name: t.type.qualifiedResource)?.object
            }
            let stream = WatchStream(type: t.type, namespace: t.type.namespaced ? t.namespace : "", labels: labels, fields: fields,
                                     shape: shape, include: include, crd: crd, bookmarks: bookmarks,
                                     deadline: ContinuousClock.now + timeout, cursor: initialState ? current : requested ?? current)
            if initialState {
                let objects = s.buckets[t.type.storageKey]?.objects ?? [:]
                for key in s.keys(t.type, namespace: stream.namespace) {
                    guard let o = objects[key], stream.matches(o) else { continue }
                    stream.pending.append(stream.frame("ADDED", o, resourceVersion: nil))
                }
                if sendInitial == true { stream.pending.append(stream.bookmark(current, initialEventsEnd: true)) }
            } else if s.history.events(after: requested ?? current) == nil {
                let e = APIError.expired("too old resource version: \(requested ?? current) (\(s.history.floor))")
                stream.pending.append(WatchStream.line("ERROR", JSONBytes.encode(e.statusBody)))
                stream.finished = true
            }
            return stream
        }
        var reply = APIReply(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-cache, private")], chunks: [])
        reply.watch = stream
        return reply
    }

    /// Frames due now, or nil when the watch is over (expired, deadline, shutdown).
    func poll(_ stream: WatchStream, now: ContinuousClock.Instant = .now) -> [Data]? {
        var frames = stream.pending
        stream.pending.removeAll()
        if stream.finished { return frames.isEmpty ? nil : frames }
        if shuttingDown.load(ordering: .relaxed) || now >= stream.deadline { return frames.isEmpty ? nil : frames }
        let (events, current) = state.withLock { s in (s.history.events(after: stream.cursor).map(Array.init), s.resourceVersion) }
        guard let events else {
            // The watcher fell behind the history: the cacher closes it; clients re-list.
            let e = APIError.expired("too old resource version: \(stream.cursor) (\(state.withLock { $0.history.floor }))")
            frames.append(WatchStream.line("ERROR", JSONBytes.encode(e.statusBody)))
            stream.finished = true
            return frames
        }
        for event in events {
            stream.cursor = event.resourceVersion
            if let frame = stream.frame(for: event) { frames.append(frame) }
        }
        if stream.bookmarks, now >= stream.nextBookmark {
            frames.append(stream.bookmark(max(stream.cursor, current), initialEventsEnd: false))
            stream.cursor = max(stream.cursor, current)
            stream.scheduleBookmark(after: now)
        }
        return frames
    }
}

/// One open watch: its filter, output shape and position in the history. Used by one
/// response writer at a time, so its mutable fields need no lock.
final class WatchStream: @unchecked Sendable {
    let type: ResourceType
    let namespace: String
    let labels: LabelSelector
    let fields: FieldSelector
    let shape: ResponseShape
    let include: TableConvertor.IncludeObject
    let crd: JSONValue?
    let bookmarks: Bool
    let deadline: ContinuousClock.Instant
    /// The resourceVersion of the last event delivered (or the start).
    var cursor: Int
    var pending: [Data] = []
    var finished = false
    var nextBookmark: ContinuousClock.Instant
    /// Table watches print column headers with the first event only (response.go doEncode).
    private var tableHeadersSent = false

    init(type: ResourceType, namespace: String, labels: LabelSelector, fields: FieldSelector, shape: ResponseShape,
         include: TableConvertor.IncludeObject, crd: JSONValue?, bookmarks: Bool, deadline: ContinuousClock.Instant, cursor: Int) {
        self.type = type
        self.namespace = namespace
        self.labels = labels
        self.fields = fields
        self.shape = shape
        self.include = include
        self.crd = crd
        self.bookmarks = bookmarks
        self.deadline = deadline
        self.cursor = cursor
        self.nextBookmark = deadline
        scheduleBookmark(after: .now)
    }

    func matches(_ o: StoredObject) -> Bool {
        (labels.isEmpty || labels.matches(o.labels)) && (fields.isEmpty || fields.matches(o))
    }

    /// cacher.go nextBookmarkTime: every bookmarkInterval, and 2 s before the deadline.
    func scheduleBookmark(after now: ContinuousClock.Instant) {
        var next = now + EmulatorCore.bookmarkInterval
        let preTimeout = deadline - .seconds(2)
        if preTimeout < next { next = preTimeout > now ? preTimeout : deadline }
        nextBookmark = next
    }

    /// The event this watcher sees for a stored change, if any (cacher.go convertToWatchEvent).
    func frame(for e: WatchEvent) -> Data? {
        guard e.storageKey == type.storageKey, namespace.isEmpty || e.namespace == namespace else { return nil }
        switch e.kind {
        case .added:
            return matches(e.object) ? frame("ADDED", e.object, resourceVersion: nil) : nil
        case .modified:
            let now = matches(e.object), before = e.previous.map(matches) ?? false
            if now { return frame(before ? "MODIFIED" : "ADDED", e.object, resourceVersion: nil) }
            // Stopped matching: the previous object, at the change's resourceVersion.
            return before ? e.previous.map { frame("DELETED", $0, resourceVersion: e.resourceVersion) } : nil
        case .deleted:
            return matches(e.object) ? frame("DELETED", e.object, resourceVersion: e.resourceVersion) : nil
        }
    }

    /// A deleted object is shown at the deletion's resourceVersion (etcd3 watcher parseEvent).
    func frame(_ type: String, _ stored: StoredObject, resourceVersion: Int?) -> Data {
        var o = stored
        if let resourceVersion {
            var tree = stored.object
            tree.setMeta("resourceVersion", .string(String(resourceVersion)))
            o = StoredObject(tree)
        }
        return Self.line(type, objectBytes(o))
    }

    private func objectBytes(_ o: StoredObject) -> Data {
        switch shape {
        case .full:
            return JSONBytes.withTypeMeta(o.body, apiVersion: type.groupVersion, kind: type.kind)
        case .metadata:
            return JSONBytes.partialObject(metadata: o.metadataBytes)
        case .table:
            defer { tableHeadersSent = true }
            return TableConvertor.table([o], type, listMeta: ["resourceVersion": .string(o.resourceVersion)], include: include, crd: crd,
                                        headers: !tableHeadersSent)
        }
    }

    func bookmark(_ resourceVersion: Int, initialEventsEnd: Bool) -> Data {
        var meta: JSONValue = ["resourceVersion": .string(String(resourceVersion))]
        if initialEventsEnd { meta["annotations"] = ["k8s.io/initial-events-end": "true"] }
        let object: JSONValue
        switch shape {
        case .full: object = ["kind": .string(type.kind), "apiVersion": .string(type.groupVersion), "metadata": meta]
        case .metadata: object = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta]
        case .table: object = ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "columnDefinitions": nil, "rows": []]
        }
        return Self.line("BOOKMARK", JSONBytes.encode(object))
    }

    /// `{"type":…,"object":…}` and the newline the JSON stream serializer ends each event with.
    static func line(_ type: String, _ object: Data) -> Data {
        var out = Data("{\"type\":\"\(type)\",\"object\":".utf8)
        out.append(object)
        out.append(contentsOf: Array("}\n".utf8))
        return out
    }
}
