import Foundation
/// Where a URL path points: discovery documents or a resource collection/object.
enum APIRoute: Sendable {
    case version
    case health
    case apiVersions                 // /api
    case groupList                   // /apis
    case group(String)               // /apis/G
    case resourceList(String)        // /api/v1, /apis/G/V
    case resource(ResourceTarget)
    case unknownResource             // known group/version, unknown resource: JSON 404
    case notFound                    // anything else: text/plain 404
    case openAPIV3(String?)          // /openapi/v3 (nil) or /openapi/v3/apis/G/V ("G/V")
}

struct ResourceTarget: Sendable {
    var type: ResourceType
    /// "" for cluster-scoped kinds and all-namespace lists.
    var namespace: String
    var name: String?
    var subresource: String?
}

enum APIPath {
    static func route(_ path: String, registry: ResourceRegistry) -> APIRoute {
        let segs = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        switch segs.first {
        case "version" where segs.count == 1: return .version
        case "healthz", "livez", "readyz": return .health
        case "api":
            if segs.count == 1 { return .apiVersions }
            guard segs[1] == "v1" else { return .notFound }
            if segs.count == 2 { return .resourceList("v1") }
            return resource("v1", Array(segs[2...]), registry)
        case "apis":
            if segs.count == 1 { return .groupList }
            let group = segs[1]
            if segs.count == 2 {
                return registry.groups().contains { $0.name == group } ? .group(group) : .notFound
            }
            let gv = "\(group)/\(segs[2])"
            guard registry.hasGroupVersion(gv) else { return .notFound }
            if segs.count == 3 { return .resourceList(gv) }
            return resource(gv, Array(segs[3...]), registry)
        case "openapi" where segs.count >= 2 && segs[1] == "v3":
            if segs.count == 2 { return .openAPIV3(nil) }
            if segs.count == 4, segs[2] == "api" { return .openAPIV3(segs[3]) }
            if segs.count == 5, segs[2] == "apis" { return .openAPIV3("\(segs[3])/\(segs[4])") }
            return .notFound
        default:
            return .notFound
        }
    }

    /// rest = what follows the group/version: `PLURAL[/NAME[/SUB]]` or
    /// `namespaces/NS/PLURAL[/NAME[/SUB]]`.
    private static func resource(_ gv: String, _ rest: [String], _ registry: ResourceRegistry) -> APIRoute {
        if rest.count >= 3, rest[0] == "namespaces", let rt = registry.lookup(groupVersion: gv, plural: rest[2]), rt.namespaced {
            guard rest.count <= 5 else { return .unknownResource }
            return .resource(ResourceTarget(type: rt, namespace: rest[1], name: rest.count > 3 ? rest[3] : nil,
                                            subresource: rest.count > 4 ? rest[4] : nil))
        }
        guard let rt = registry.lookup(groupVersion: gv, plural: rest[0]), rest.count <= 3 else { return .unknownResource }
        return .resource(ResourceTarget(type: rt, namespace: "", name: rest.count > 1 ? rest[1] : nil,
                                        subresource: rest.count > 2 ? rest[2] : nil))
    }
}
