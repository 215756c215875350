import Foundation
import KubeClient

/// delete and deletecollection (apiserver registry/generic/registry/store.go Delete,
/// registry/rest/delete.go BeforeDelete).
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
        if o.propagationPolicy == nil, let orphan = body?["orphanDependents"]?.boolValue {
            o.propagationPolicy = orphan ? "Orphan" : "Background"
        }
        if let p = o.propagationPolicy, !["Foreground", "Background", "Orphan"].contains(p) {
            throw .invalid(group: "meta.k8s.io", kind: "DeleteOptions", name: "",
                           [.notSupported("propagationPolicy", value: JSONBytes.quote(p), supported: ["Foreground", "Background", "Orphan"])])
        }
        if let g = o.gracePeriodSeconds, g < 0 { o.gracePeriodSeconds = 1 }  // BeforeDelete: negative means 1
        return o
    }

    /// registry/rest/delete.go BeforeDelete checks the preconditions first and answers
    /// NewConflict(GroupResource{Group, Resource: Kind}, ...): the message and
    /// details.kind name the Kind ("ConfigMap", "Deployment.apps"), not the resource.
    func checkPreconditions(_ o: DeleteOptions, _ current: JSONValue, _ rt: ResourceType) throws(APIError) {
        func conflict(_ why: String) -> APIError {
            APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(rt.qualifiedKind) \(JSONBytes.quote(current.name)): \(why)",
                     details: APIError.details(name: current.name, group: rt.group, kind: rt.kind))
        }
        if let uid = o.uid, uid != (current.meta("uid") ?? "") {
            throw conflict("the UID in the precondition (\(uid)) does not match the UID in record (\(current.meta("uid") ?? "")). The object might have been deleted and then recreated")
        }
        if let rv = o.resourceVersion, rv != (current.meta("resourceVersion") ?? "") {
            throw conflict("the ResourceVersion in the precondition (\(rv)) does not match the ResourceVersion in record (\(current.meta("resourceVersion") ?? "")). The object might have been modified")
        }
    }

    func optionalBody(_ req: APIRequest) throws(APIError) -> JSONValue? {
        guard !req.body.isEmpty else { return nil }
        // Typed clients send DeleteOptions as protobuf.
        return try objectBody(req, kind: "DeleteOptions")
    }

    /// `deleted`: gone from storage; `pending`: kept with a deletionTimestamp (grace period,
    /// finalizers, or an Orphan/Foreground propagation finalizer).
    enum DeleteOutcome { case deleted(JSONValue), pending(JSONValue) }

    /// Deletes one object under the lock, like store.go Delete:
    /// 1. preconditions; 2. graceful deletion of pods (pod strategy CheckGracefulDelete);
    /// 3. Orphan/Foreground add the `orphan`/`foregroundDeletion` finalizer (the garbage
    /// collector removes it); 4. with finalizers left the object stays with a
    /// deletionTimestamp, otherwise it is removed now (Background: dependents are left for
    /// the garbage collector).
    func remove(_ s: inout StoreState, _ rt: ResourceType, namespace: String, name: String, _ o: DeleteOptions) throws(APIError) -> DeleteOutcome {
        guard var current = s.get(rt, namespace: namespace, name: name)?.object else { throw .notFound(rt, name) }
        try checkPreconditions(o, current, rt)
        let original = current
        let alreadyDeleting = current.meta("deletionTimestamp") != nil

        // Graceful deletion: only a pod that a kubelet is running waits (pod/strategy.go).
        var grace = 0
        if rt.isCorePods {
            grace = Self.podGracePeriod(current, requested: o.gracePeriodSeconds)
            if alreadyDeleting {
                // BeforeDelete: a second delete may only shorten the grace period.
                let existing = current["metadata"]?["deletionGracePeriodSeconds"]?.intValue ?? 0
                grace = min(grace, existing)
            }
        }

        var finalizers = (current["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !alreadyDeleting {
            // deletionFinalizersForGarbageCollection: the policy becomes a finalizer.
            switch o.propagationPolicy {
            case "Orphan":
                finalizers.removeAll { $0 == Finalizers.foreground }
                if !finalizers.contains(Finalizers.orphan) { finalizers.append(Finalizers.orphan) }
            case "Foreground":
                finalizers.removeAll { $0 == Finalizers.orphan }
                if !finalizers.contains(Finalizers.foreground) { finalizers.append(Finalizers.foreground) }
            default: break
            }
        }

        if !alreadyDeleting, rt.isCRD {
            CustomResourceDefinitions.markTerminating(&current)
            finalizers.append(CustomResourceDefinitions.cleanupFinalizer)
        }
        var keep = grace > 0 || !finalizers.isEmpty
        if rt.plural == "namespaces", rt.group.isEmpty, NamespaceLifecycle.markTerminating(&current) { keep = true }
        if keep {
            if current.meta("deletionTimestamp") == nil || grace < (current["metadata"]?["deletionGracePeriodSeconds"]?.intValue ?? 0) {
                current.setMeta("deletionTimestamp", .string(ServerStamp.at(Date().addingTimeInterval(Double(grace)))))
                current.setMeta("deletionGracePeriodSeconds", .number(Double(grace)))
            }
            current.setMeta("finalizers", finalizers.isEmpty ? nil : .array(finalizers.map(JSONValue.string)))
            if !o.dryRun, current != original {
                current.setMeta("resourceVersion", .string(s.nextResourceVersion()))
                s.put(rt, current)
            }
            return .pending(current)
        }
        if !o.dryRun {
            if rt.plural == "namespaces", rt.group.isEmpty {
                // The namespace controller's work, done at once: remove everything inside.
                for t in s.registry.types where t.namespaced {
                    // One by one, so watchers see each DELETED event.
                    for key in Array(s.keys(t, namespace: name)) { s.remove(t, namespace: name, name: String(key.dropFirst(name.count + 1))) }
                }
            }
            s.remove(rt, namespace: namespace, name: name)
        }
        return .deleted(current)
    }

    /// pod/strategy.go CheckGracefulDelete: the requested period, else the pod's
    /// terminationGracePeriodSeconds (default 30); 0 for a pod no kubelet runs
    /// (unscheduled) or one that already finished.
    static func podGracePeriod(_ pod: JSONValue, requested: Int?) -> Int {
        let phase = pod["status"]?["phase"]?.stringValue ?? ""
        if phase == "Succeeded" || phase == "Failed" { return 0 }
        if (pod["spec"]?["nodeName"]?.stringValue ?? "").isEmpty { return 0 }
        return max(0, requested ?? pod["spec"]?["terminationGracePeriodSeconds"]?.intValue ?? 30)
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
            if rt.isCorePods { return objectReply(obj) }
            if rt.isCRD {
                // The real CRD waits for its finalizer to remove the custom resources; here
                // that happened already, the answer still shows the deletion in progress.
                obj.setMeta("deletionTimestamp", .string(ServerStamp.now()))
                return objectReply(obj)
            }
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
}

/// The finalizers the API server itself adds for delete propagation
/// (apimachinery meta/v1 types.go FinalizerOrphanDependents / FinalizerDeleteDependents).
enum Finalizers {
    static let orphan = "orphan"
    static let foreground = "foregroundDeletion"
}

extension ResourceType {
    var isCorePods: Bool { group.isEmpty && plural == "pods" }
}

extension ServerStamp {
    /// RFC 3339 with seconds, like metav1.Time.
    static func at(_ date: Date) -> String { date.formatted(.iso8601) }
}
