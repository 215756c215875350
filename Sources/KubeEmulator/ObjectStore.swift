import Foundation
import KubeClient
import Synchronization

/// One object as stored: the tree for logic, and its bytes (without apiVersion/kind) encoded
/// once per write so lists concatenate bytes instead of re-encoding. Objects loaded in bulk
/// (the cluster generator) keep only their bytes: a tree costs several times its JSON, and
/// 150k pods must fit in memory; their tree is parsed when asked for.
struct StoredObject: Sendable {
    private var tree: JSONValue?
    private var apiVersion: String
    private var kind: String
    let body: Data
    /// Where the value of `"metadata"` sits in `body` (offsets from its start), found once at
    /// store time: metadata-only and Table responses splice these bytes, and selectors read
    /// labels from them, without parsing the object.
    let metadataRange: Range<Int>
    /// Table cells printed at store time (bulk-loaded built-in kinds); nil means print
    /// from the tree when a Table is asked for.
    let row: PrintedRow?

    /// How many stored objects were parsed into trees from their bytes (process-wide), so
    /// tests can tell that a path serves bytes without parsing.
    static let treeParses = Atomic<Int>(0)
    /// Likewise for the trees parsed (without managedFields) to print Table cells.
    static let printableParses = Atomic<Int>(0)

    init(_ object: JSONValue) {
        self.tree = object
        self.apiVersion = object["apiVersion"]?.stringValue ?? ""
        self.kind = object["kind"]?.stringValue ?? ""
        var stripped = object
        if case .object(var dict) = stripped {
            dict["apiVersion"] = nil
            dict["kind"] = nil
            stripped = .object(dict)
        }
        self.body = JSONBytes.encode(stripped)
        self.metadataRange = Self.findMetadata(body)
        self.row = nil
    }

    /// Bytes only: `body` is a JSON object without apiVersion/kind.
    init(body: Data, apiVersion: String, kind: String, row: PrintedRow? = nil) {
        self.tree = nil
        self.apiVersion = apiVersion
        self.kind = kind
        self.body = body
        self.metadataRange = Self.findMetadata(body)
        self.row = row
    }

    private static func findMetadata(_ body: Data) -> Range<Int> {
        body.withUnsafeBytes { JSONScanner.member("metadata", in: $0, object: 0..<$0.count) } ?? 0..<0
    }

    var object: JSONValue {
        if let tree { return tree }
        Self.treeParses.add(1, ordering: .relaxed)
        // The bytes were encoded by us from a JSON object, so parsing cannot fail.
        var obj = JSONTreeParser.parse(body) ?? [:]
        obj["apiVersion"] = .string(apiVersion)
        obj["kind"] = .string(kind)
        return obj
    }

    /// The object as Table printers read it: the tree when kept, else parsed from the bytes
    /// without `metadata.managedFields` (counted in `printableParses`).
    var printable: JSONValue {
        if let tree { return tree }
        Self.printableParses.add(1, ordering: .relaxed)
        var obj = JSONTreeParser.parse(body, omitManagedFields: true) ?? [:]
        obj["apiVersion"] = .string(apiVersion)
        obj["kind"] = .string(kind)
        return obj
    }

    /// Parses the bytes once and keeps the tree beside them (the bytes stay as they are).
    mutating func keepTree() { tree = object }

    /// `{…}` of metadata as stored ("{}" when the object has none).
    var metadataBytes: Data {
        metadataRange.isEmpty ? Data("{}".utf8) : body[body.startIndex + metadataRange.lowerBound..<body.startIndex + metadataRange.upperBound]
    }

    var labels: [String: String] {
        guard !metadataRange.isEmpty else { return [:] }
        return body.withUnsafeBytes { b in
            JSONScanner.member("labels", in: b, object: metadataRange).map { JSONScanner.stringMap(b, $0) } ?? [:]
        }
    }

    /// The same object without its tree (the bytes are shared): what the watch history
    /// keeps, so old versions cost their JSON only.
    var bytesOnly: StoredObject {
        var copy = self
        copy.tree = nil
        return copy
    }

    /// The text of a scalar field (a field selector's path), nil when absent or not a scalar.
    func scalar(at path: [String]) -> String? {
        body.withUnsafeBytes { b in
            JSONScanner.path(path, in: b, from: 0..<b.count).flatMap { JSONScanner.scalarText(b, $0) }
        }
    }

    var resourceVersion: String {
        if let tree { return tree.meta("resourceVersion") ?? "" }
        return body.withUnsafeBytes { b in
            JSONScanner.member("resourceVersion", in: b, object: metadataRange).flatMap { JSONScanner.string(b, $0) }
        } ?? ""
    }
}

/// All objects of one group/resource, keyed "namespace/name" (or "name"), which sorts like
/// the real server's etcd keys.
struct ResourceBucket: Sendable {
    var objects: [String: StoredObject] = [:]
    /// Keys in list order. A single insert or delete updates it in place (binary search,
    /// one move); only bulk loading drops it, and the next list sorts once.
    private var sorted: [String]? = []

    /// Full sorts of a bucket's keys (process-wide), so tests can tell writes keep the order.
    static let fullSorts = Atomic<Int>(0)

    mutating func sortedKeys() -> [String] {
        if let sorted { return sorted }
        Self.fullSorts.add(1, ordering: .relaxed)
        let keys = objects.keys.sorted()
        sorted = keys
        return keys
    }

    /// `bulk`: many unordered inserts follow (the generator); sort once when listed.
    mutating func put(_ key: String, _ value: StoredObject, bulk: Bool = false) {
        guard objects.updateValue(value, forKey: key) == nil else { return }
        if bulk {
            sorted = nil
        } else if let at = sorted?.lowerBound(of: key) {
            sorted?.insert(key, at: at)
        }
    }

    mutating func remove(_ key: String) -> StoredObject? {
        guard let old = objects.removeValue(forKey: key) else { return nil }
        if let at = sorted?.lowerBound(of: key), at < sorted?.count ?? 0, sorted?[at] == key {
            sorted?.remove(at: at)
        }
        return old
    }
}

/// The cluster state: registry, objects and the single resourceVersion counter.
struct StoreState: Sendable {
    var registry: ResourceRegistry
    var buckets: [String: ResourceBucket] = [:]
    var resourceVersion: Int = 1
    /// Continue tokens carry a serial; those at or below this one answer 410.
    var tokenSerial: Int = 0
    var expiredThroughSerial: Int = 0
    /// What watches replay (EmulatorCore+Watch.swift).
    var history = WatchHistory(capacity: EmulatorOptions.defaultWatchHistoryCapacity)

    static func key(namespace: String, name: String) -> String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    func get(_ rt: ResourceType, namespace: String, name: String) -> StoredObject? {
        buckets[rt.storageKey]?.objects[Self.key(namespace: namespace, name: name)]
    }

    func namespaceExists(_ name: String) -> Bool {
        buckets["namespaces"]?.objects[name] != nil
    }

    /// Takes the next resourceVersion; every persisted write calls this once.
    mutating func nextResourceVersion() -> String {
        resourceVersion += 1
        return String(resourceVersion)
    }

    mutating func put(_ rt: ResourceType, _ object: JSONValue) {
        let key = Self.key(namespace: rt.namespaced ? object.namespace : "", name: object.name)
        let old = buckets[rt.storageKey, default: ResourceBucket()].objects[key]
        let stored = StoredObject(object)
        buckets[rt.storageKey, default: ResourceBucket()].put(key, stored)
        history.append(WatchEvent(resourceVersion: Int(stored.resourceVersion) ?? resourceVersion, kind: old == nil ? .added : .modified,
                                  storageKey: rt.storageKey, namespace: rt.namespaced ? object.namespace : "", object: stored.bytesOnly,
                                  previous: old?.bytesOnly))
        if rt.isCRD { syncCustomResourceTypes(old: old?.object, new: object) }
    }

    /// Stores a bytes-only object (bulk loading); the caller set resourceVersion in it.
    /// No watch events: a watch must start after the load (a list first, as clients do).
    mutating func put(_ rt: ResourceType, namespace: String, name: String, stored: StoredObject) {
        let key = Self.key(namespace: rt.namespaced ? namespace : "", name: name)
        history.forget(through: resourceVersion)
        buckets[rt.storageKey, default: ResourceBucket()].put(key, stored, bulk: true)
    }

    /// Removes an object; the deletion takes the next resourceVersion (its DELETED event's).
    @discardableResult
    mutating func remove(_ rt: ResourceType, namespace: String, name: String) -> StoredObject? {
        guard let old = buckets[rt.storageKey]?.remove(Self.key(namespace: namespace, name: name)) else { return nil }
        let rv = Int(nextResourceVersion()) ?? resourceVersion
        history.append(WatchEvent(resourceVersion: rv, kind: .deleted, storageKey: rt.storageKey, namespace: rt.namespaced ? namespace : "",
                                  object: old.bytesOnly, previous: nil))
        if rt.isCRD { syncCustomResourceTypes(old: old.object, new: nil) }
        return old
    }

    mutating func issueTokenSerial() -> Int {
        tokenSerial += 1
        return tokenSerial
    }

    /// Keys of one resource in list order, limited to a namespace when given.
    mutating func keys(_ rt: ResourceType, namespace: String) -> ArraySlice<String> {
        let all = buckets[rt.storageKey, default: ResourceBucket()].sortedKeys()
        guard rt.namespaced, !namespace.isEmpty else { return all[...] }
        // "ns/" .. "ns0" brackets exactly the keys with prefix "ns/" ('0' follows '/').
        let lo = all.lowerBound(of: namespace + "/")
        let hi = all.lowerBound(of: namespace + "0")
        return all[lo..<hi]
    }
}

extension Array where Element == String {
    /// First index whose element is >= value (the array is sorted).
    func lowerBound(of value: String) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
