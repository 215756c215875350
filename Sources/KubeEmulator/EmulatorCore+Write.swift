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
        // Decoding defaults the body; the field manager records it before admission, so
        // admission's additions belong to no manager (handlers/create.go).
        Defaulting.apply(&obj, t.type)
        ManagedFields.recordUpdate(old: nil, new: &obj, t.type, manager: ManagedFields.manager(req))
        let result = try createPrepared(obj, t, dryRun: dry)
        return .json(201, JSONBytes.withTypeMeta(StoredObject(result).body, apiVersion: t.type.groupVersion, kind: t.type.kind))
    }

    /// Admission, validation, the strategy's PrepareForCreate and storage of a decoded object.
    func createPrepared(_ obj: JSONValue, _ t: ResourceTarget, dryRun: Bool) throws(APIError) -> JSONValue {
        var obj = obj
        // Mutating admission runs before the strategy and validation (handlers/create.go).
        try admit(&obj, type: t.type, operation: .create)
        try ObjectValidation.name(obj, t.type)
        if t.type.isCRD { try CustomResourceDefinitions.validate(obj) }
        try SpecValidation.validate(obj, t.type)
        if t.type.isCorePods { try PodAdmission.admitCreate(&obj, suffix: ServerStamp.generatedSuffix) }
        prepareForCreate(&obj, t.type)
        return try state.withLock { s throws(APIError) -> JSONValue in
            try insert(&s, obj, t.type, dryRun: dryRun)
        }
    }

    /// Server-set fields of a new object (rest.BeforeCreate and the kinds' strategies).
    func prepareForCreate(_ obj: inout JSONValue, _ rt: ResourceType) {
        var meta = obj.metadata
        for key in ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"] { meta[key] = nil }
        meta["uid"] = .string(ServerStamp.uid())
        meta["creationTimestamp"] = .string(ServerStamp.now())
        meta["generation"] = ObjectValidation.generationRelevant(obj, rt) != nil ? 1 : nil
        // The strategies' PrepareForCreate reset status (pods, workloads, services, budgets,
        // custom resources with a status subresource); a Node keeps what its kubelet sent.
        if rt.hasStatus, !(rt.group.isEmpty && rt.plural == "nodes") { obj["status"] = nil }
        if rt.plural == "namespaces", rt.group.isEmpty {
            var labels = meta["labels"]?.objectValue ?? [:]
            labels["kubernetes.io/metadata.name"] = .string(obj.name)
            meta["labels"] = .object(labels)
            if obj["spec"]?["finalizers"] == nil { obj["spec"] = ["finalizers": ["kubernetes"]] }
            obj["status"] = ["phase": "Active"]
        }
        if rt.isCRD { obj = CustomResourceDefinitions.withStatus(obj) }
        obj.metadata = meta
        if rt.group == "batch", rt.plural == "jobs" { JobController.generateSelector(&obj) }
        if rt.isCorePods {
            obj["status"] = ["phase": "Pending", "qosClass": .string(PodAdmission.qosClass(obj["spec"] ?? [:]))]
            if options.serverVersion.major == 1, options.serverVersion.minor >= 30 {
                PodAppArmorSync.apply(&obj, serverMinor: options.serverVersion.minor)
            }
        }
    }

    /// Stores a prepared object: 404 without its namespace, 409 when it exists.
    func insert(_ s: inout StoreState, _ obj: JSONValue, _ rt: ResourceType, dryRun: Bool) throws(APIError) -> JSONValue {
        var obj = obj
        if rt.namespaced {
            try NamespaceLifecycle.admitCreate(s, namespace: obj.namespace, rt, name: obj.name)
        }
        if !rt.builtIn, CustomResourceDefinitions.isTerminating(s, group: rt.group, plural: rt.plural) {
            // apiextensions-apiserver customresource_handler.go refuses creates meanwhile.
            throw APIError(code: 405, reason: "MethodNotAllowed", message: "create not allowed while custom resource definition is terminating",
                           details: .object([:]))
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
        let result = try commitUpdate(t, name, dryRun: dry, isPatch: false, manager: ManagedFields.manager(req)) { _ throws(APIError) in obj }
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
            let force = req.param("force").map(Self.isTrue) ?? false
            let (obj, created) = try applyServerSide(patchDoc, t, name, dryRun: dry, manager: ManagedFields.manager(req), force: force)
            return .json(created ? 201 : 200, JSONBytes.withTypeMeta(StoredObject(obj).body, apiVersion: t.type.groupVersion, kind: t.type.kind))
        } else {
            result = try commitUpdate(t, name, dryRun: dry, isPatch: true, manager: ManagedFields.manager(req)) { current throws(APIError) in
                switch contentType {
                case Self.jsonPatch: return try JSONPatch.apply(patchDoc, to: current)
                case Self.mergePatch: return MergePatch.apply(patchDoc, to: current)
                default: return try StrategicMergePatch.apply(patchDoc, to: current)
                }
            }
        }
        return .json(200, JSONBytes.withTypeMeta(StoredObject(result).body, apiVersion: t.type.groupVersion, kind: t.type.kind))
    }

    /// A body that does not parse is a 400 in 1.32 (staging/src/k8s.io/apiserver/pkg/endpoints/
    /// handlers/patch.go: jsonpatch.DecodePatch and strategicPatchObject's json.Unmarshal
    /// errors become NewBadRequest(err.Error()); a bad merge patch is jsonpatch's
    /// ErrBadJSONPatch "Invalid JSON Patch"; YAML "error decoding YAML: ..."). Go's
    /// decoder text is approximated.
    func parsePatch(_ body: Data, _ contentType: String) throws(APIError) -> JSONValue {
        if contentType == Self.applyPatch {
            guard let text = String(data: body, encoding: .utf8), let docs = try? SeedDocuments.parse(text),
                  docs.count == 1, let value = docs.first, case .object = value
            else { throw .badRequest("error decoding YAML: invalid YAML document") }
            return value
        }
        guard let value = try? JSONValue.parse(body) else {
            throw .badRequest(contentType == Self.mergePatch ? "Invalid JSON Patch" : Self.goJSONError(body))
        }
        return value
    }

    /// Server-side apply (handlers/patch.go applyPatcher): creates the object when missing
    /// (201), else merges the configuration under field ownership (`ManagedFields.apply`).
    private func applyServerSide(_ doc: JSONValue, _ t: ResourceTarget, _ name: String, dryRun: Bool, manager: String,
                                 force: Bool) throws(APIError) -> (JSONValue, created: Bool) {
        var applied = try ObjectValidation.typeMeta(doc, t.type)
        try ObjectValidation.nameMatchesURL(applied, name)
        try ObjectValidation.namespace(&applied, t)
        let live = state.withLock { $0.get(t.type, namespace: t.namespace, name: name)?.object }
        guard let live else {
            var obj = try ManagedFields.apply(live: nil, applied: applied, t.type, manager: manager, force: force)
            Defaulting.apply(&obj, t.type)
            return (try createPrepared(obj, t, dryRun: dryRun), true)
        }
        var merged = try ManagedFields.apply(live: live, applied: applied, t.type, manager: manager, force: force)
        Defaulting.apply(&merged, t.type)
        // The applied configuration's resourceVersion, when given, is a precondition.
        merged.setMeta("resourceVersion", applied["metadata"]?["resourceVersion"] ?? live["metadata"]?["resourceVersion"])
        let result = try commitUpdate(t, name, dryRun: dryRun, isPatch: true, manager: nil) { _ throws(APIError) in merged }
        return (result, false)
    }

    /// encoding/json's syntax error text for a body that does not parse, roughly.
    static func goJSONError(_ body: Data) -> String {
        guard let first = body.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            return "unexpected end of JSON input"
        }
        if "{[\"-0123456789tfn".utf8.contains(first) { return "unexpected end of JSON input" }
        return "invalid character '\(Character(Unicode.Scalar(first)))' looking for beginning of value"
    }

    /// The update path shared by PUT and PATCH (registry/generic/registry/store.go Update):
    /// preconditions, status subresource rules, generation, no-op detection, finalizers.
    /// `manager` nil: the caller recorded managedFields itself (server-side apply).
    func commitUpdate(_ t: ResourceTarget, _ name: String, dryRun: Bool, isPatch: Bool, manager: String?,
                      build: (JSONValue) throws(APIError) -> JSONValue) throws(APIError) -> JSONValue {
        let rt = t.type
        return try state.withLock { s throws(APIError) -> JSONValue in
            guard var current = s.get(rt, namespace: t.namespace, name: name)?.object else { throw .notFound(rt, name) }
            // Decoding from storage defaults too: a seeded object compares as its defaulted self.
            Defaulting.apply(&current, rt)
            var updated = try build(current)
            guard case .object = updated else { throw .badRequest("the patched object is not a JSON object") }
            Defaulting.apply(&updated, rt)
            var managed = updated["metadata"]?["managedFields"]
            if let manager {
                // Status writes own only status; main-resource writes everything else.
                var view = updated
                if t.subresource != "status", rt.hasStatus { view["status"] = current["status"] }
                ManagedFields.recordUpdate(old: current, new: &view, rt, manager: manager, subresource: t.subresource ?? "")
                managed = view["metadata"]?["managedFields"]
            }
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
            updated.setMeta("managedFields", managed)
            if t.subresource == nil {
                try ImmutableFields.check(old: current, new: updated, rt)
                try SpecValidation.validate(updated, rt)
            }
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
                return updated
            }
            updated.setMeta("resourceVersion", .string(s.nextResourceVersion()))
            s.put(rt, updated)
            return updated
        }
    }
}
