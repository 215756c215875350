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

    typealias Subresource = (name: String, groupVersion: String?, kind: String, verbs: [String])

    /// The subresources a 1.32 server lists besides `status` (pkg/registry/*/rest storage
    /// maps, as `kubectl get --raw /api/v1` shows them). Only status, pods/eviction and the
    /// apps scale subresources are served; the others are listed so clients see the real
    /// discovery documents.
    static let subresources: [String: [Subresource]] = [
        "pods": [("attach", nil, "PodAttachOptions", ["create", "get"]), ("binding", nil, "Binding", ["create"]),
                 ("ephemeralcontainers", nil, "Pod", ["get", "patch", "update"]), ("eviction", "policy/v1", "Eviction", ["create"]),
                 ("exec", nil, "PodExecOptions", ["create", "get"]), ("log", nil, "Pod", ["get"]),
                 ("portforward", nil, "PodPortForwardOptions", ["create", "get"]),
                 ("proxy", nil, "PodProxyOptions", ["create", "delete", "get", "patch", "update"])],
        "nodes": [("proxy", nil, "NodeProxyOptions", ["create", "delete", "get", "patch", "update"])],
        "namespaces": [("finalize", nil, "Namespace", ["update"])],
        "services": [("proxy", nil, "ServiceProxyOptions", ["create", "delete", "get", "patch", "update"])],
        "serviceaccounts": [("token", "authentication.k8s.io/v1", "TokenRequest", ["create"])],
        "deployments.apps": [("scale", "autoscaling/v1", "Scale", ["get", "patch", "update"])],
        "replicasets.apps": [("scale", "autoscaling/v1", "Scale", ["get", "patch", "update"])],
        "statefulsets.apps": [("scale", "autoscaling/v1", "Scale", ["get", "patch", "update"])],
    ]

    static func resourceList(_ gv: String, _ registry: ResourceRegistry) -> Data {
        var resources: [JSONValue] = []
        for t in registry.types where t.groupVersion == gv {
            var r: JSONValue = ["name": .string(t.plural), "singularName": .string(t.singular), "namespaced": .bool(t.namespaced),
                                "kind": .string(t.kind), "verbs": verbs]
            if !t.shortNames.isEmpty { r["shortNames"] = .array(t.shortNames.map(JSONValue.string)) }
            resources.append(r)
            var subs = subresources[t.qualifiedResource] ?? []
            if t.hasStatus { subs.append(("status", nil, t.kind, ["get", "patch", "update"])) }
            for sub in subs.sorted(by: { $0.name < $1.name }) {
                var r: JSONValue = ["name": .string("\(t.plural)/\(sub.name)"), "singularName": "", "namespaced": .bool(t.namespaced),
                                    "kind": .string(sub.kind), "verbs": .array(sub.verbs.map(JSONValue.string))]
                if let gv = sub.groupVersion {
                    let parts = gv.split(separator: "/")
                    r["group"] = .string(String(parts[0]))
                    r["version"] = .string(String(parts[1]))
                }
                resources.append(r)
            }
        }
        var doc: JSONValue = ["kind": "APIResourceList", "groupVersion": .string(gv), "resources": .array(resources)]
        // The core list has no apiVersion field; group lists do.
        if gv.contains("/") { doc["apiVersion"] = "v1" }
        return doc.jsonData()
    }
}
