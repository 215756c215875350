import Foundation
import KubeClient

/// Discovery documents: /version, /api, /apis, /apis/G, /api/v1 and /apis/G/V.
enum Discovery {
    static let verbs: JSONValue = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    static func version(_ v: (major: Int, minor: Int)) -> Data {
        let info: JSONValue = [
            "major": .string(String(v.major)), "minor": .string(String(v.minor)),
            "gitVersion": .string("v\(v.major).\(v.minor).0"), "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean", "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.4",
            "compiler": "gc", "platform": "linux/amd64",
        ]
        return info.jsonData()
    }

    static func apiVersions(host: String, port: Int) -> Data {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let doc: JSONValue = ["kind": "APIVersions", "versions": ["v1"],
                              "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(address)]]]
        return doc.jsonData()
    }

    /// Kubernetes version priority: GA > beta > alpha, higher numbers first.
    static func preferred(_ versions: [String]) -> String {
        func rank(_ v: String) -> (Int, Int, Int) {
            let body = v.dropFirst()
            let major = Int(body.prefix { $0.isNumber }) ?? 0
            let rest = body.drop { $0.isNumber }
            let stage = rest.hasPrefix("beta") ? 1 : rest.hasPrefix("alpha") ? 0 : 2
            let minor = Int(rest.drop { !$0.isNumber }) ?? 0
            return (stage, major, minor)
        }
        return versions.max { rank($0) < rank($1) } ?? versions.first ?? "v1"
    }

    private static func groupDoc(_ name: String, _ versions: [String]) -> JSONValue {
        let pref = preferred(versions)
        return [
            "name": .string(name),
            "versions": .array(versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }),
            "preferredVersion": ["groupVersion": .string("\(name)/\(pref)"), "version": .string(pref)],
        ]
    }

    static func groupList(_ registry: ResourceRegistry) -> Data {
        let doc: JSONValue = ["kind": "APIGroupList", "apiVersion": "v1",
                              "groups": .array(registry.groups().map { groupDoc($0.name, $0.versions) })]
        return doc.jsonData()
    }

    static func group(_ name: String, _ registry: ResourceRegistry) -> Data {
        var doc = groupDoc(name, registry.groups().first { $0.name == name }?.versions ?? [])
        doc["kind"] = "APIGroup"
        doc["apiVersion"] = "v1"
        return doc.jsonData()
    }

    static func resourceList(_ gv: String, _ registry: ResourceRegistry) -> Data {
        var resources: [JSONValue] = []
        for t in registry.types where t.groupVersion == gv {
            var r: JSONValue = ["name": .string(t.plural), "singularName": .string(t.singular), "namespaced": .bool(t.namespaced),
                                "kind": .string(t.kind), "verbs": verbs]
            if !t.shortNames.isEmpty { r["shortNames"] = .array(t.shortNames.map(JSONValue.string)) }
            resources.append(r)
            if t.hasStatus {
                resources.append(["name": .string("\(t.plural)/status"), "singularName": "", "namespaced": .bool(t.namespaced),
                                  "kind": .string(t.kind), "verbs": ["get", "patch", "update"]])
            }
            if t.plural == "pods", t.group.isEmpty {
                resources.append(["name": "pods/eviction", "singularName": "", "namespaced": true, "group": "policy",
                                  "version": "v1", "kind": "Eviction", "verbs": ["create"]])
            }
        }
        var doc: JSONValue = ["kind": "APIResourceList", "groupVersion": .string(gv), "resources": .array(resources)]
        // The core list has no apiVersion field; group lists do.
        if gv.contains("/") { doc["apiVersion"] = "v1" }
        return doc.jsonData()
    }
}
