import Foundation
import KubeClient

/// The `scale` subresource of Deployments, ReplicaSets and StatefulSets as autoscaling/v1
/// Scale: ScaleREST in pkg/registry/apps/{deployment,replicaset,statefulset}/storage/storage.go
/// (Kubernetes 1.32). GET builds the Scale from the object; PUT and PATCH change a Scale
/// built from the stored object, validate it (ValidateScale) and move `spec.replicas` and
/// the resourceVersion precondition back into the object, which is stored as an update.
/// Server-side apply on scale is not served (415).
extension EmulatorCore {
    static func servesScale(_ rt: ResourceType) -> Bool {
        rt.builtIn && rt.group == "apps" && ["deployments", "replicasets", "statefulsets"].contains(rt.plural)
    }

    func scale(_ req: APIRequest, _ t: ResourceTarget, _ name: String) throws(APIError) -> APIReply {
        let change: (JSONValue) throws(APIError) -> JSONValue
        switch req.method {
        case "GET":
            guard let stored = state.withLock({ $0.get(t.type, namespace: t.namespace, name: name) }) else { throw .notFound(t.type, name) }
            return .json(200, Self.scale(of: stored.object).jsonData())
        case "PUT":
            let body = try objectBody(req, kind: "Scale")
            change = { _ throws(APIError) in body }
        case "PATCH":
            let types = [Self.jsonPatch, Self.mergePatch, Self.strategicPatch]
            let contentType = (req.header("content-type") ?? "").split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard types.contains(contentType) else { throw .unsupportedMediaType(types) }
            let doc = try parsePatch(req.body, contentType)
            change = { old throws(APIError) in
                switch contentType {
                case Self.jsonPatch: return try JSONPatch.apply(doc, to: old)
                case Self.mergePatch: return MergePatch.apply(doc, to: old)
                default: return try StrategicMergePatch.apply(doc, to: old)
                }
            }
        default:
            throw .methodNotAllowed()
        }
        let dry = try dryRun(req, optionsKind: req.method == "PUT" ? "UpdateOptions" : "PatchOptions")
        let result = try commitUpdate(t, name, dryRun: dry, isPatch: req.method == "PATCH", manager: ManagedFields.manager(req)) {
            current throws(APIError) in
            let scale = try change(Self.scale(of: current))
            let replicas = scale["spec"]?["replicas"]?.intValue ?? 0
            if replicas < 0 {
                // ValidateScale: ValidateNonnegativeField on spec.replicas; autoscaling.Kind("Scale").
                throw .invalid(group: "autoscaling", kind: "Scale", name: name,
                               [.invalid("spec.replicas", value: String(replicas), "must be greater than or equal to 0")])
            }
            if let uid = scale.meta("uid"), !uid.isEmpty, uid != current.meta("uid") {
                var scaleType = t.type
                scaleType.plural += "/scale"
                throw .conflict(scaleType, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.meta("uid") ?? "")")
            }
            var updated = current
            updated["spec"]?["replicas"] = .number(Double(replicas))
            // An empty resourceVersion makes the update unconditional, as in the object's own PUT.
            updated.setMeta("resourceVersion", .string(scale.meta("resourceVersion") ?? ""))
            return updated
        }
        return .json(200, Self.scale(of: result).jsonData())
    }

    /// scaleFromDeployment (and its ReplicaSet/StatefulSet twins). autoscaling/v1 omits a
    /// zero spec.replicas (omitempty) and always writes status.replicas.
    static func scale(of object: JSONValue) -> JSONValue {
        var meta: JSONValue = [:]
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] { meta[key] = object["metadata"]?[key] }
        var spec: JSONValue = [:]
        if let replicas = object["spec"]?["replicas"]?.intValue, replicas != 0 { spec["replicas"] = .number(Double(replicas)) }
        var status: JSONValue = ["replicas": .number(Double(object["status"]?["replicas"]?.intValue ?? 0))]
        let selector = PrintHelpers.selector(object["spec"]?["selector"])
        if selector != "<none>" { status["selector"] = .string(selector) }
        return ["kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta, "spec": spec, "status": status]
    }
}
