import Foundation
import KubeClient

/// One object as stored: the tree for logic, and its bytes (without apiVersion/kind) encoded
/// once per write so lists concatenate bytes instead of re-encoding. Objects loaded in bulk
/// (the cluster generator) keep only their bytes: a tree costs several times its JSON, and
/// 150k pods must fit in memory; their tree is parsed when asked for.
struct StoredObject: Sendable {
    private var tree: JSONValue?
    private var apiVersion: String
    private var kind: String
    var body: Data

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
    }

    /// Bytes only: `body` is a JSON object without apiVersion/kind.
    init(body: Data, apiVersion: String, kind: String) {
        self.tree = nil
        self.apiVersion = apiVersion
        self.kind = kind
        self.body = body
    }

    var object: JSONValue {
        if let tree { return tree }
        // The bytes were encoded by us from a JSON object, so parsing cannot fail.
        var obj = (try? JSONValue.parse(body)) ?? [:]
        obj["apiVersion"] = .string(apiVersion)
        obj["kind"] = .string(kind)
        return obj
    }

    var resourceVersion: String { object.meta("resourceVersion") ?? "" }
}

/// All objects of one group/resource, keyed "namespace/name" (or "name"), which sorts like
/// the real server's etcd keys.
struct ResourceBucket: Sendable {
    var objects: [String: StoredObject] = [:]
    /// Rebuilt lazily after an insert or delete; updates keep it valid.
    private var sorted: [String]? = []

    mutating func sortedKeys() -> [String] {
        if let sorted { return sorted }
        let keys = objects.keys.sorted()
        sorted = keys
        return keys
    }

    mutating func put(_ key: String, _ value: StoredObject) {
        if objects.updateValue(value, forKey: key) == nil { sorted = nil }
    }

    mutating func remove(_ key: String) -> StoredObject? {
        let old = objects.removeValue(forKey: key)
        if old != nil { sorted = nil }
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
        buckets[rt.storageKey, default: ResourceBucket()].put(key, StoredObject(object))
        if rt.isCRD { syncCustomResourceTypes(old: old?.object, new: object) }
    }

    /// Stores pre-encoded bytes (bulk loading); the caller set resourceVersion in them.
    mutating func put(_ rt: ResourceType, namespace: String, name: String, body: Data) {
        let key = Self.key(namespace: rt.namespaced ? namespace : "", name: name)
        buckets[rt.storageKey, default: ResourceBucket()].put(key, StoredObject(body: body, apiVersion: rt.groupVersion, kind: rt.kind))
    }

    @discardableResult
    mutating func remove(_ rt: ResourceType, namespace: String, name: String) -> StoredObject? {
        let old = buckets[rt.storageKey]?.remove(Self.key(namespace: namespace, name: name))
        if rt.isCRD, let old { syncCustomResourceTypes(old: old.object, new: nil) }
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
