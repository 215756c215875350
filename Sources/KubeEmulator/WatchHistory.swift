import Foundation

/// One change as a watcher sees it (storage/cacher/watch_cache.go watchCacheEvent): the
/// object after the change (before it, for a deletion) and the one it replaced, so a
/// selector-filtered watcher can turn a change into ADDED or DELETED when the object
/// starts or stops matching.
struct WatchEvent: Sendable {
    enum Kind: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }
    let resourceVersion: Int
    let kind: Kind
    let storageKey: String
    let namespace: String
    let object: StoredObject
    let previous: StoredObject?
}

/// The bounded event history that watches resume from, like the watch cache's ring
/// (capacity fixed here; the real cache sizes itself between 100 and 100k events).
/// A watch from a resourceVersion the ring no longer covers answers 410 Expired.
struct WatchHistory: Sendable {
    let capacity: Int
    private var ring: [WatchEvent] = []
    private var start = 0
    /// Events at or below this resourceVersion are gone (dropped from the ring, or loaded
    /// in bulk without events): a watch must start at or above it.
    private(set) var floor = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { ring.count - start }

    mutating func append(_ event: WatchEvent) {
        // Seeded objects keep the resourceVersion they came with, which may be older than
        // the last event: nothing before them can be replayed in order.
        if let last = ring.last, event.resourceVersion <= last.resourceVersion {
            forget(through: last.resourceVersion)
            return
        }
        ring.append(event)
        if count > capacity {
            floor = ring[start].resourceVersion
            start += 1
            // Compact once the dropped prefix is as long as the kept part.
            if start >= capacity { ring.removeFirst(start); start = 0 }
        }
    }

    /// Nothing at or below `resourceVersion` can be replayed (objects stored without events).
    mutating func forget(through resourceVersion: Int) {
        floor = max(floor, resourceVersion)
        ring.removeAll()
        start = 0
    }

    /// Events after `resourceVersion`, oldest first; nil when some were already dropped.
    func events(after resourceVersion: Int) -> ArraySlice<WatchEvent>? {
        guard resourceVersion >= floor else { return nil }
        var lo = start, hi = ring.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ring[mid].resourceVersion <= resourceVersion { lo = mid + 1 } else { hi = mid }
        }
        return ring[lo...]
    }
}
