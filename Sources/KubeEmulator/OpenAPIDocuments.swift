import Foundation
import KubeClient

/// A minimal /openapi/v3: the root index and one document per group-version with a PATCH
/// operation per kind that lists the `fieldValidation` query parameter. That is what
/// kubectl's QueryParamVerifierV3 (staging/src/k8s.io/cli-runtime/pkg/resource/
/// query_param_verifier_v3.go) looks for before sending `fieldValidation=Strict`; without
/// it kubectl falls back to client-side validation and fails ("failed to download openapi").
/// No schemas are served, so `kubectl apply` builds its strategic merge patch from its
/// compiled-in types (and a JSON merge patch for custom resources), as with an old server.
enum OpenAPIDocuments {
    static func root(_ registry: ResourceRegistry) -> Data {
        var paths: [String: JSONValue] = [:]
        for gv in Set(registry.types.map(\.groupVersion)) {
            let key = gv.contains("/") ? "apis/\(gv)" : "api/\(gv)"
            paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash(gv, registry))")]
        }
        return JSONValue.object(["paths": .object(paths)]).jsonData()
    }

    /// nil when the group-version is not served (the real server answers 404).
    static func groupVersion(_ gv: String, _ registry: ResourceRegistry) -> Data? {
        let types = registry.types.filter { $0.groupVersion == gv }
        guard !types.isEmpty else { return nil }
        var paths: [String: JSONValue] = [:]
        let params: JSONValue = [
            ["name": "dryRun", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ["name": "fieldManager", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ["name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
        ]
        for t in types {
            let prefix = t.group.isEmpty ? "/api/\(t.version)" : "/apis/\(t.group)/\(t.version)"
            let path = t.namespaced ? "\(prefix)/namespaces/{namespace}/\(t.plural)/{name}" : "\(prefix)/\(t.plural)/{name}"
            let gvk: JSONValue = ["group": .string(t.group), "version": .string(t.version), "kind": .string(t.kind)]
            paths[path] = ["patch": ["x-kubernetes-group-version-kind": gvk, "parameters": params,
                                     "responses": ["200": ["description": "OK"]]]]
        }
        let doc: JSONValue = ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"],
                              "paths": .object(paths), "components": [:]]
        return doc.jsonData()
    }

    /// Changes when the group-version's kinds change, so clients refetch (the real hash is an etag).
    private static func hash(_ gv: String, _ registry: ResourceRegistry) -> String {
        let text = registry.types.filter { $0.groupVersion == gv }.map { "\($0.kind)/\($0.plural)" }.sorted().joined(separator: ",")
        var h: UInt64 = 1469598103934665603
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        return String(format: "%016llX", h)
    }
}
