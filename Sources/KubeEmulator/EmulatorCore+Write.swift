import Foundation
import KubeClient

/// create, update (PUT) and patch.
extension EmulatorCore {
    func create(_ req: APIRequest, _ t: ResourceTarget) throws(APIError) -> APIReply {
        let dry = try dryRun(req, optionsKind: "CreateOptions")
        var obj = try ObjectValidation.typeMeta(objectBody(req, kind: t.type.kind), t.type)
        try ObjectValidation.namespace(&obj, t)
        if obj.name.isEmpty, let prefix = obj.meta("generateName"), !prefix.isEmpty {
            obj.setMeta("name", .string(prefix + ServerStamp.generatedSuffix()))
        }
        // Mutating admission runs before the strategy and validation (handlers/create.go).
        try admit(&obj, type: t.type, operation: .create)
        try ObjectValidation.name(obj, t.type)
        if t.type.isCRD { try CustomResourceDefinitions.validate(obj) }
        prepareForCreate(&obj, t.type)
        let result = try state.withLock { s throws(APIError) -> JSONValue in
            try insert(&s, obj, t.type, dryRun: dry)
        }
        return .json(201, JSONBytes.withTypeMeta(StoredObject(result).body, apiVersion: t.type.groupVersion, kind: t.type.kind))
    }

    /// Server-set fields of a new object (rest.BeforeCreate and the kinds' strategies).
    func prepareForCreate(_ obj: inout JSONValue, _ rt: ResourceType) {
        var meta = obj.metadata
        for key in ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields"] { meta[key] = nil }
        meta["uid"] = .string(ServerStamp.uid())
        meta["creationTimestamp"] = .string(ServerStamp.now())
        meta["generation"] = ObjectValidation.generationRelevant(obj, rt) != nil ? 1 : nil
        if rt.plural == "namespaces", rt.group.isEmpty {
            var labels = meta["labels"]?.objectValue ?? [:]
            labels["kubernetes.io/metadata.name"] = .string(obj.name)
            meta["labels"] = .object(labels)
            if obj["spec"]?["finalizers"] == nil { obj["spec"] = ["finalizers": ["kubernetes"]] }
            obj["status"] = ["phase": "Active"]
        }
        if rt.isCRD { obj = CustomResourceDefinitions.withStatus(obj) }
        obj.metadata = meta
        if rt.isCorePods {
            if obj["status"]?["phase"] == nil { obj["status"] = ["phase": "Pending"] }
            if options.serverVersion.major == 1, options.serverVersion.minor >= 30 {
                PodAppArmorSync.apply(&obj, serverMinor: options.serverVersion.minor)
            }
        }
    }

    /// Stores a prepared object: 404 without its namespace, 409 when it exists.
    func insert(_ s: inout StoreState, _ obj: JSONValue, _ rt: ResourceType, dryRun: Bool) throws(APIError) -> JSONValue {
        var obj = obj
        if rt.namespaced, !s.namespaceExists(obj.namespace) {
            // NamespaceLifecycle admission: NewNotFound(namespaces, ns).
            throw .notFound(group: "", plural: "namespaces", obj.namespace)
        }
        if s.get(rt, namespace: obj.namespace, name: obj.name) != nil { throw .alreadyExists(rt, obj.name) }
        if !dryRun {
            obj.setMeta("resourceVersion", .string(s.nextResourceVersion()))
            s.put(rt, obj)
        }
        return obj
    }

    func update(_ req: APIRequest, _ t: ResourceTarget, _ name: String) throws(APIError) -> APIReply {
        let dry = try dryRun(req, optionsKind: "UpdateOptions")
        var obj = try ObjectValidation.typeMeta(objectBody(req, kind: t.type.kind), t.type)
        try ObjectValidation.nameMatchesURL(obj, name)
        try ObjectValidation.namespace(&obj, t)
        let result = try commitUpdate(t, name, dryRun: dry, isPatch: false) { _ throws(APIError) in obj }
        return .json(200, JSONBytes.withTypeMeta(StoredObject(result).body, apiVersion: t.type.groupVersion, kind: t.type.kind))
    }

    static let jsonPatch = "application/json-patch+json"
    static let mergePatch = "application/merge-patch+json"
    static let strategicPatch = "application/strategic-merge-patch+json"
    static let applyPatch = "application/apply-patch+yaml"

    func patch(_ req: APIRequest, _ t: ResourceTarget, _ name: String) throws(APIError) -> APIReply {
        // handlers/patch.go checks the media type first; custom resources have no strategic merge.
        let accepted = t.type.builtIn ? [Self.jsonPatch, Self.mergePatch, Self.strategicPatch, Self.applyPatch]
                                      : [Self.jsonPatch, Self.mergePatch, Self.applyPatch]
        let contentType = (req.header("content-type") ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard accepted.contains(contentType) else { throw .unsupportedMediaType(accepted) }
        let dry = try dryRun(req, optionsKind: "PatchOptions")
        if contentType == Self.applyPatch, (req.param("fieldManager") ?? "").isEmpty {
            throw .invalid(group: "meta.k8s.io", kind: "PatchOptions", name: "",
                           [.required("fieldManager", "is required for apply patch")])
        }
        let patchDoc = try parsePatch(req.body, contentType)
        let result: JSONValue
        if contentType == Self.applyPatch {
            result = try applyServerSide(patchDoc, t, name, dryRun: dry)
        } else {
            result = try commitUpdate(t, name, dryRun: dry, isPatch: true) { current throws(APIError) in
                switch contentType {
                case Self.jsonPatch: return try JSONPatch.apply(patchDoc, to: current)
                case Self.mergePatch: return MergePatch.apply(patchDoc, to: current)
                default: return try StrategicMergePatch.apply(patchDoc, to: current)
                }
            }
        }
        return .json(200, JSONBytes.withTypeMeta(StoredObject(result).body, apiVersion: t.type.groupVersion, kind: t.type.kind))
    }

    private func parsePatch(_ body: Data, _ contentType: String) throws(APIError) -> JSONValue {
        if contentType == Self.applyPatch {
            guard let text = String(data: body, encoding: .utf8), let docs = try? SeedDocuments.parse(text),
                  docs.count == 1, let value = docs.first, case .object = value
            else { throw .badRequest("error decoding YAML: invalid YAML document") }
            return value
        }
        guard let value = try? JSONValue.parse(body) else {
            throw .badRequest(contentType == Self.mergePatch ? "Invalid JSON Patch" : "error decoding patch: invalid JSON")
        }
        return value
    }

    /// Server-side apply, simplified: a merge of the applied configuration that creates the
    /// object when missing. Field ownership is not tracked.
    private func applyServerSide(_ doc: JSONValue, _ t: ResourceTarget, _ name: String, dryRun: Bool) throws(APIError) -> JSONValue {
        var obj = try ObjectValidation.typeMeta(doc, t.type)
        try ObjectValidation.nameMatchesURL(obj, name)
        try ObjectValidation.namespace(&obj, t)
        let exists = state.withLock { $0.get(t.type, namespace: t.namespace, name: name) != nil }
        if !exists {
            try ObjectValidation.name(obj, t.type)
            prepareForCreate(&obj, t.type)
            return try state.withLock { s throws(APIError) -> JSONValue in try insert(&s, obj, t.type, dryRun: dryRun) }
        }
        return try commitUpdate(t, name, dryRun: dryRun, isPatch: true) { current throws(APIError) in
            MergePatch.apply(obj, to: current)
        }
    }

    /// The update path shared by PUT and PATCH (registry/generic/registry/store.go Update):
    /// preconditions, status subresource rules, generation, no-op detection, finalizers.
    func commitUpdate(_ t: ResourceTarget, _ name: String, dryRun: Bool, isPatch: Bool,
                      build: (JSONValue) throws(APIError) -> JSONValue) throws(APIError) -> JSONValue {
        let rt = t.type
        return try state.withLock { s throws(APIError) -> JSONValue in
            guard let current = s.get(rt, namespace: t.namespace, name: name)?.object else { throw .notFound(rt, name) }
            var updated = try build(current)
            guard case .object = updated else { throw .badRequest("the patched object is not a JSON object") }
            if t.subresource == nil { try admit(&updated, type: rt, operation: .update) }
            if isPatch {
                try ObjectValidation.nameMatchesURL(updated, name)
                if rt.namespaced, updated.namespace != t.namespace {
                    throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
                }
            }
            let currentUID = current.meta("uid") ?? ""
            if let uid = updated.meta("uid"), !uid.isEmpty, uid != currentUID {
                if isPatch {
                    // Patches carry no preconditions; ValidateObjectMetaUpdate rejects the change.
                    throw .invalid(rt, name: name, [.invalid("metadata.uid", value: JSONBytes.quote(uid), "field is immutable")])
                }
                // A PUT body's uid is a storage precondition; its failure becomes a Conflict.
                throw .conflict(rt, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(currentUID)")
            }
            let currentRV = current.meta("resourceVersion") ?? ""
            let newRV = updated.meta("resourceVersion") ?? ""
            if newRV.isEmpty {
                if !rt.builtIn, !isPatch {
                    // store.go: qualifiedKind is {group, resource} here, hence "widgets.example.com".
                    throw .invalid(group: rt.group, kind: rt.plural, name: name,
                                   [.invalid("metadata.resourceVersion", value: "0x0", "must be specified for an update")])
                }
            } else if newRV != currentRV {
                throw .conflict(rt, name, APIError.optimisticLock)
            }

            if t.subresource == "status" {
                var merged = current
                merged["status"] = updated["status"]
                updated = merged
            } else if rt.hasStatus {
                updated["status"] = current["status"]
            }
            if t.subresource == nil { try ImmutableFields.check(old: current, new: updated, rt) }
            // Fields the client cannot change (rest.BeforeUpdate).
            var meta = updated.metadata
            for key in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"] {
                meta[key] = current.metadata[key]
            }
            meta["resourceVersion"] = .string(currentRV)
            updated.metadata = meta
            updated["apiVersion"] = .string(rt.groupVersion)
            updated["kind"] = .string(rt.kind)
            if let gen = current["metadata"]?["generation"]?.intValue,
               ObjectValidation.generationRelevant(updated, rt) != ObjectValidation.generationRelevant(current, rt) {
                updated.setMeta("generation", .number(Double(gen + 1)))
            }
            // GuaranteedUpdate skips the write when nothing changed: same resourceVersion.
            if updated == current { return current }
            if dryRun { return updated }

            if StoreState.shouldDeleteDuringUpdate(old: current, new: updated) {
                s.remove(rt, namespace: t.namespace, name: name)
                _ = s.nextResourceVersion()
                return updated
            }
            updated.setMeta("resourceVersion", .string(s.nextResourceVersion()))
            s.put(rt, updated)
            return updated
        }
    }
}
