import Foundation
import KubeClient

/// delete, deletecollection and pod eviction.
extension EmulatorCore {
    struct DeleteOptions {
        var dryRun = false
        var uid: String?
        var resourceVersion: String?
        var propagationPolicy: String?
        var gracePeriodSeconds: Int?
    }

    /// DeleteOptions from the body and/or query (both are accepted upstream).
    func deleteOptions(_ req: APIRequest, body: JSONValue?) throws(APIError) -> DeleteOptions {
        var o = DeleteOptions()
        var dryValues = req.query["dryRun"] ?? []
        dryValues += (body?["dryRun"]?.arrayValue ?? []).compactMap(\.stringValue)
        var q = req
        q.query["dryRun"] = dryValues.isEmpty ? nil : dryValues
        o.dryRun = try dryRun(q, optionsKind: "DeleteOptions")
        o.uid = body?["preconditions"]?["uid"]?.stringValue
        o.resourceVersion = body?["preconditions"]?["resourceVersion"]?.stringValue
        o.propagationPolicy = req.param("propagationPolicy") ?? body?["propagationPolicy"]?.stringValue
        o.gracePeriodSeconds = req.param("gracePeriodSeconds").flatMap { Int($0) } ?? body?["gracePeriodSeconds"]?.intValue
        if let p = o.propagationPolicy, !["Foreground", "Background", "Orphan"].contains(p) {
            throw .invalid(group: "meta.k8s.io", kind: "DeleteOptions", name: "",
                           [.notSupported("propagationPolicy", value: JSONBytes.quote(p), supported: ["Foreground", "Background", "Orphan"])])
        }
        return o
    }

    /// storage checkPreconditions; the storage error surfaces as a Conflict.
    func checkPreconditions(_ o: DeleteOptions, _ current: JSONValue, _ rt: ResourceType) throws(APIError) {
        if let uid = o.uid, uid != (current.meta("uid") ?? "") {
            throw .conflict(rt, current.name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.meta("uid") ?? "")")
        }
        if let rv = o.resourceVersion, rv != (current.meta("resourceVersion") ?? "") {
            throw .conflict(rt, current.name, "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.meta("resourceVersion") ?? "")")
        }
    }

    private func optionalBody(_ req: APIRequest) throws(APIError) -> JSONValue? {
        guard !req.body.isEmpty else { return nil }
        // Typed clients send DeleteOptions as protobuf.
        return try objectBody(req, kind: "DeleteOptions")
    }

    enum DeleteOutcome { case deleted(JSONValue), pending(JSONValue) }

    /// Deletes one object under the lock: preconditions, finalizers (the object stays with a
    /// deletionTimestamp until they are gone), namespace contents.
    func remove(_ s: inout StoreState, _ rt: ResourceType, namespace: String, name: String, _ o: DeleteOptions) throws(APIError) -> DeleteOutcome {
        guard var current = s.get(rt, namespace: namespace, name: name)?.object else { throw .notFound(rt, name) }
        try checkPreconditions(o, current, rt)
        let finalizers = current["metadata"]?["finalizers"]?.arrayValue ?? []
        if !finalizers.isEmpty {
            if current.meta("deletionTimestamp") == nil {
                current.setMeta("deletionTimestamp", .string(ServerStamp.now()))
                current.setMeta("deletionGracePeriodSeconds", 0)
                if !o.dryRun {
                    current.setMeta("resourceVersion", .string(s.nextResourceVersion()))
                    s.put(rt, current)
                }
            }
            return .pending(current)
        }
        if !o.dryRun {
            if rt.plural == "namespaces", rt.group.isEmpty {
                // The namespace controller's work, done at once: remove everything inside.
                for t in s.registry.types where t.namespaced {
                    for key in Array(s.keys(t, namespace: name)) { _ = s.buckets[t.storageKey]?.remove(key) }
                }
            }
            s.remove(rt, namespace: namespace, name: name)
            _ = s.nextResourceVersion()
        }
        return .deleted(current)
    }

    func delete(_ req: APIRequest, _ t: ResourceTarget, _ name: String) throws(APIError) -> APIReply {
        let o = try deleteOptions(req, body: optionalBody(req))
        let outcome = try state.withLock { s throws(APIError) in try remove(&s, t.type, namespace: t.namespace, name: name, o) }
        let rt = t.type
        func objectReply(_ obj: JSONValue) -> APIReply {
            .json(200, JSONBytes.withTypeMeta(StoredObject(obj).body, apiVersion: rt.groupVersion, kind: rt.kind))
        }
        switch outcome {
        case .pending(let obj):
            return objectReply(obj)
        case .deleted(var obj):
            // Pods answer with the object; a namespace with itself in phase Terminating;
            // other kinds with a Success Status (FACTS, measured).
            if rt.group.isEmpty, rt.plural == "pods" { return objectReply(obj) }
            if rt.group.isEmpty, rt.plural == "namespaces" {
                obj.setMeta("deletionTimestamp", .string(ServerStamp.now()))
                obj["status"] = ["phase": "Terminating"]
                return objectReply(obj)
            }
            let status: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                                     "details": APIError.details(name: name, group: rt.group, kind: rt.plural, uid: obj.meta("uid") ?? "")]
            return .json(200, status.jsonData())
        }
    }

    /// DELETE on a collection: deletes what the selectors match and answers the list of them.
    func deleteCollection(_ req: APIRequest, _ t: ResourceTarget) throws(APIError) -> APIReply {
        let o = try deleteOptions(req, body: optionalBody(req))
        let labels = try LabelSelector(parsing: req.param("labelSelector") ?? "")
        let fields = try FieldSelector(parsing: req.param("fieldSelector") ?? "", kind: t.type.kind)
        let (items, rv) = try state.withLock { s throws(APIError) -> ([JSONValue], Int) in
            var out: [JSONValue] = []
            let objects = s.buckets[t.type.storageKey]?.objects ?? [:]
            for key in Array(s.keys(t.type, namespace: t.namespace)) {
                guard let obj = objects[key]?.object, labels.matches(obj.labels), fields.matches(obj) else { continue }
                switch try remove(&s, t.type, namespace: obj.namespace, name: obj.name, o) {
                case .deleted(let d), .pending(let d): out.append(d)
                }
            }
            return (out, s.resourceVersion)
        }
        let doc: JSONValue = ["kind": .string(t.type.listKind), "apiVersion": .string(t.type.groupVersion),
                              "metadata": ["resourceVersion": .string(String(rv))], "items": .array(items)]
        return .json(200, doc.jsonData())
    }

    /// POST pods/NAME/eviction (registry/core/pod/storage/eviction.go): deletes the pod
    /// and answers 201 with a Success Status.
    func evict(_ req: APIRequest, _ t: ResourceTarget, _ name: String) throws(APIError) -> APIReply {
        // kubectl drain sends the Eviction as protobuf (policy/v1 generated.proto).
        let body = try objectBody(req, kind: "Eviction")
        let apiVersion = body["apiVersion"]?.stringValue ?? ""
        guard body["kind"]?.stringValue == "Eviction", ["policy/v1", "policy/v1beta1"].contains(apiVersion) else {
            throw .badRequest("the object provided is unrecognized (must be of type Eviction)")
        }
        if !body.name.isEmpty, body.name != name {
            throw .badRequest("name in URL does not match name in Eviction object")
        }
        let o = try deleteOptions(req, body: body["deleteOptions"])
        try state.withLock { s throws(APIError) in
            guard let pod = s.get(t.type, namespace: t.namespace, name: name)?.object else { throw .notFound(t.type, name) }
            try checkPreconditions(o, pod, t.type)
            try checkDisruptionBudgets(s, pod: pod)
            _ = try remove(&s, t.type, namespace: t.namespace, name: name, o)
        }
        let status: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success"]
        return .json(201, status.jsonData())
    }

    /// Hook for PodDisruptionBudgets: throw 429 TooManyRequests (cause DisruptionBudget, no
    /// Retry-After) when a budget blocks the eviction, 500 when several select the pod.
    /// No budgets are enforced yet.
    func checkDisruptionBudgets(_ s: StoreState, pod: JSONValue) throws(APIError) {}
}
