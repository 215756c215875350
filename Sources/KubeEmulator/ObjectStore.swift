import Foundation
import KubeClient

/// One object as stored: the tree for logic, and its bytes (without apiVersion/kind) encoded
/// once per write so lists concatenate bytes instead of re-encoding.
struct StoredObject: Sendable {
    var object: JSONValue
    var body: Data

    init(_ object: JSONValue) {
        self.object = object
        var stripped = object
        if case .object(var dict) = stripped {
            dict["apiVersion"] = nil
            dict["kind"] = nil
            stripped = .object(dict)
        }
        self.body = JSONBytes.encode(stripped)
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
