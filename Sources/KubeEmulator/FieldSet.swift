import Foundation
import KubeClient

/// The fields an object sets, as structured-merge-diff names them in `fieldsV1`: `f:<field>`
/// for struct and map fields, `k:{"key":value}` for items of lists keyed by fields
/// (containers by name, ports by containerPort+protocol, ...), `v:<json>` for set items
/// (finalizers). A path is in the set when the node itself is owned: every leaf, and each
/// node that did not exist in the type's empty object (`.` in fieldsV1).
///
/// Simplified from sigs.k8s.io/structured-merge-diff typed/tofieldset.go: list keys come
/// from a table of the built-in list types instead of the OpenAPI schema; custom
/// resources' lists are atomic (as without x-kubernetes-list-type).
struct FieldSet: Hashable, Sendable {
    var paths: Set<[String]> = []

    var isEmpty: Bool { paths.isEmpty }

    /// Metadata the field manager never tracks (fieldmanager internal/stripmeta.go).
    static let strippedMetadata: Set<String> = ["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "generation",
                                                "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"]

    /// List fields keyed by item fields (the `+listMapKey` markers of k8s.io/api).
    static let listKeys: [String: [String]] = [
        "containers": ["name"], "initContainers": ["name"], "ephemeralContainers": ["name"], "env": ["name"],
        "volumes": ["name"], "imagePullSecrets": ["name"], "volumeMounts": ["mountPath"], "volumeDevices": ["devicePath"],
        "conditions": ["type"], "podIPs": ["ip"], "hostIPs": ["ip"], "hostAliases": ["ip"], "ownerReferences": ["uid"],
        "topologySpreadConstraints": ["topologyKey", "whenUnsatisfiable"], "resourceClaims": ["name"], "webhooks": ["name"],
        "schedulingGates": ["name"],
    ]
    /// Keyed lists whose items are atomic (OwnerReference is `+structType=atomic`).
    static let atomicItems: Set<String> = ["ownerReferences"]
    /// Lists that are sets of scalars.
    static let setLists: Set<String> = ["finalizers"]

    /// The key fields of one list, nil when it is atomic.
    static func keys(_ field: String, _ items: [JSONValue], builtIn: Bool) -> [String]? {
        guard builtIn else { return nil }
        let keys: [String]
        if field == "ports" {
            // Container ports are keyed by containerPort+protocol, service ports by port+protocol.
            keys = items.first?["containerPort"] != nil ? ["containerPort", "protocol"] : ["port", "protocol"]
        } else if let k = listKeys[field] {
            keys = k
        } else {
            return nil
        }
        return items.allSatisfy({ item in item.objectValue != nil && item[keys[0]] != nil }) ? keys : nil
    }

    /// `k:{...}` for one list item: its key fields as compact JSON, keys sorted.
    static func keyElement(_ item: JSONValue, _ keys: [String]) -> String {
        var k: [String: JSONValue] = [:]
        for key in keys { if let v = item[key] { k[key] = v } }
        return "k:" + String(decoding: JSONWriter.encode(.object(k)), as: UTF8.self)
    }

    /// Non-pointer struct fields that exist in the type's empty object: they are no
    /// member of their own (no `.`), only their contents are.
    static func structural(_ path: [String], builtIn: Bool) -> Bool {
        if path == ["f:metadata"] { return true }
        guard builtIn else { return false }
        if path.count == 1 { return path[0] == "f:spec" || path[0] == "f:status" }
        guard path.first == "f:spec" else { return false }
        let rest = path.dropFirst().map { $0 }
        let templates: [[String]] = [["f:template"], ["f:jobTemplate"], ["f:jobTemplate", "f:spec"], ["f:jobTemplate", "f:spec", "f:template"]]
        for t in templates {
            if rest == t || rest == t + ["f:metadata"] || rest == t + ["f:spec"] { return true }
        }
        return rest == ["f:strategy"] || rest == ["f:updateStrategy"] || rest.last == "f:containers"
    }

    /// The fields of an object, main resource (`status: false`) or status subresource.
    init(of obj: JSONValue, _ rt: ResourceType, status: Bool) {
        guard case .object(let dict) = obj else { return }
        for (key, value) in dict where key != "apiVersion" && key != "kind" {
            if rt.hasStatus, (key == "status") != status { continue }
            if !rt.hasStatus, status { continue }
            var value = value
            if key == "metadata", case .object(var m) = value {
                for k in Self.strippedMetadata { m[k] = nil }
                value = .object(m)
            }
            walk(value, ["f:" + key], field: key, builtIn: rt.builtIn)
        }
    }

    init() {}

    init(paths: Set<[String]>) { self.paths = paths }

    private mutating func walk(_ value: JSONValue, _ path: [String], field: String, builtIn: Bool) {
        switch value {
        case .object(let dict) where dict.isEmpty && Self.structural(path, builtIn: builtIn):
            break  // present in the empty object already: nothing set
        case .object(let dict) where !dict.isEmpty:
            if !Self.structural(path, builtIn: builtIn) { paths.insert(path) }
            for (k, v) in dict { walk(v, path + ["f:" + k], field: k, builtIn: builtIn) }
        case .array(let items) where !items.isEmpty:
            if Self.setLists.contains(field), items.allSatisfy({ $0.stringValue != nil }) {
                paths.insert(path)
                for item in items { paths.insert(path + ["v:" + String(decoding: JSONWriter.encode(item), as: UTF8.self)]) }
            } else if let keys = Self.keys(field, items, builtIn: builtIn) {
                if !Self.structural(path, builtIn: builtIn) { paths.insert(path) }
                for item in items {
                    let itemPath = path + [Self.keyElement(item, keys)]
                    paths.insert(itemPath)
                    guard !Self.atomicItems.contains(field), case .object(let dict) = item else { continue }
                    for (k, v) in dict { walk(v, itemPath + ["f:" + k], field: k, builtIn: builtIn) }
                }
            } else {
                paths.insert(path)
            }
        default:
            paths.insert(path)
        }
    }

    /// Paths without any descendant in the set.
    var leaves: Set<[String]> {
        var parents = Set<[String]>()
        for p in paths where p.count > 1 { parents.insert(Array(p.dropLast())) }
        return paths.subtracting(parents)
    }

    // MARK: fieldsV1

    /// The fieldsV1 tree: `{}` for a leaf, `.` marks an owned node that has children.
    var fieldsV1: JSONValue {
        final class Node { var children: [String: Node] = [:]; var member = false }
        let root = Node()
        for p in paths {
            var n = root
            for e in p {
                if let c = n.children[e] { n = c } else { let c = Node(); n.children[e] = c; n = c }
            }
            n.member = true
        }
        func render(_ n: Node) -> JSONValue {
            var out: [String: JSONValue] = [:]
            for (k, c) in n.children { out[k] = render(c) }
            if n.member, !out.isEmpty { out["."] = [:] }
            return .object(out)
        }
        return render(root)
    }

    init(fieldsV1: JSONValue) {
        Self.read(fieldsV1, [], into: &paths)
    }

    private static func read(_ v: JSONValue, _ path: [String], into paths: inout Set<[String]>) {
        guard case .object(let dict) = v else { return }
        if !path.isEmpty, dict.isEmpty || dict["."] != nil { paths.insert(path) }
        for (k, c) in dict where k != "." { read(c, path + [k], into: &paths) }
    }

    // MARK: values at paths

    /// fieldpath.Path.String(): `.data.k`, `.spec.containers[name="c"].image`, `.metadata.finalizers[="x"]`.
    static func describe(_ path: [String]) -> String {
        path.map { e -> String in
            if e.hasPrefix("f:") { return "." + e.dropFirst(2) }
            if e.hasPrefix("v:") { return "[=" + e.dropFirst(2) + "]" }
            if e.hasPrefix("k:"), case .object(let k)? = try? JSONValue.parse(Data(e.dropFirst(2).utf8)) {
                return "[" + k.keys.sorted().map { "\($0)=" + String(decoding: JSONWriter.encode(k[$0] ?? .null), as: UTF8.self) }.joined(separator: ",") + "]"
            }
            return e
        }.joined()
    }

    /// Whether a list item matches a `k:` or `v:` element.
    private static func item(_ item: JSONValue, matches e: String) -> Bool {
        if e.hasPrefix("v:") { return String(decoding: JSONWriter.encode(item), as: UTF8.self) == e.dropFirst(2) }
        guard e.hasPrefix("k:"), case .object(let k)? = try? JSONValue.parse(Data(e.dropFirst(2).utf8)) else { return false }
        return k.allSatisfy { item[$0.key] == $0.value }
    }

    static func value(_ obj: JSONValue, at path: [String]) -> JSONValue? {
        var current: JSONValue? = obj
        for e in path {
            guard let c = current else { return nil }
            if e.hasPrefix("f:") { current = c[String(e.dropFirst(2))] } else { current = c.arrayValue?.first { item($0, matches: e) } }
        }
        return current
    }

    /// Removes the node at `path` (a field, a list item); missing paths are ignored.
    static func remove(_ obj: inout JSONValue, at path: [String]) {
        guard let e = path.first else { return }
        let rest = Array(path.dropFirst())
        if e.hasPrefix("f:") {
            let key = String(e.dropFirst(2))
            guard case .object(var dict) = obj else { return }
            if rest.isEmpty { dict[key] = nil } else if var child = dict[key] {
                remove(&child, at: rest)
                dict[key] = child
            }
            obj = .object(dict)
        } else if case .array(var items) = obj, let i = items.firstIndex(where: { item($0, matches: e) }) {
            if rest.isEmpty { items.remove(at: i) } else { remove(&items[i], at: rest) }
            obj = .array(items)
        }
    }

    // MARK: merge

    /// Merges an applied configuration into the live object: maps field by field, keyed
    /// lists item by item, set lists as a union, anything else replaced.
    static func merge(_ live: JSONValue?, _ applied: JSONValue, field: String, builtIn: Bool) -> JSONValue {
        switch (live, applied) {
        case (.object(var out)?, .object(let cfg)):
            for (k, v) in cfg { out[k] = merge(out[k], v, field: k, builtIn: builtIn) }
            return .object(out)
        case (.array(var out)?, .array(let cfg)):
            if setLists.contains(field) {
                for v in cfg where !out.contains(v) { out.append(v) }
                return .array(out)
            }
            guard let keys = Self.keys(field, cfg + out, builtIn: builtIn) else { return applied }
            for v in cfg {
                let e = keyElement(v, keys)
                if let i = out.firstIndex(where: { keyElement($0, keys) == e }) {
                    out[i] = atomicItems.contains(field) ? v : merge(out[i], v, field: "", builtIn: builtIn)
                } else {
                    out.append(v)
                }
            }
            return .array(out)
        default:
            return applied
        }
    }
}
