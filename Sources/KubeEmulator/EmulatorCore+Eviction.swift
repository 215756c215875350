import Foundation
import KubeClient

/// POST pods/NAME/eviction, following pkg/registry/core/pod/storage/eviction.go.
/// The whole check-decrement-delete runs under one lock, so the conflict retries
/// upstream needs cannot happen here.
extension EmulatorCore {
    func evict(_ req: APIRequest, _ t: ResourceTarget, _ name: String) throws(APIError) -> APIReply {
        // kubectl drain sends the Eviction as protobuf (policy/v1 generated.proto).
        let body = try objectBody(req, kind: "Eviction")
        let apiVersion = body["apiVersion"]?.stringValue ?? ""
        // AcceptsGroupVersion: policy/v1 and policy/v1beta1 only.
        guard body["kind"]?.stringValue == "Eviction", ["policy/v1", "policy/v1beta1"].contains(apiVersion) else {
            throw .badRequest("the object provided is unrecognized (must be of type Eviction)")
        }
        if !body.name.isEmpty, body.name != name {
            throw .badRequest("name in URL does not match name in Eviction object")
        }
        // propagateDryRun: the query's CreateOptions.dryRun and deleteOptions.dryRun must agree.
        let queryDry = req.query["dryRun"] ?? []
        let bodyDry = (body["deleteOptions"]?["dryRun"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !queryDry.isEmpty, !bodyDry.isEmpty, queryDry != bodyDry {
            throw .internal("Non-matching dry-run options in request and content: [\(queryDry.joined(separator: " "))] and [\(bodyDry.joined(separator: " "))]")
        }
        let o = try deleteOptions(req, body: body["deleteOptions"])
        let rt = t.type
        let rejection = try state.withLock { s throws(APIError) -> JSONValue? in
            guard let pod = s.get(rt, namespace: t.namespace, name: name)?.object else { throw .notFound(rt, name) }
            try checkPreconditions(o, pod, rt)
            // canIgnorePDB: a terminal or pending pod, or one already being deleted, goes
            // without looking at budgets.
            if !Self.canIgnoreDisruptionBudgets(pod) {
                if let status = try checkDisruptionBudgets(&s, pod: pod, dryRun: o.dryRun) { return status }
            }
            _ = try remove(&s, rt, namespace: t.namespace, name: name, o)
            return nil
        }
        if let rejection { return .json(500, rejection.jsonData()) }
        // create.go fills a Status result's code with 201.
        let status: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201]
        return .json(201, status.jsonData())
    }

    static func canIgnoreDisruptionBudgets(_ pod: JSONValue) -> Bool {
        let phase = pod["status"]?["phase"]?.stringValue ?? ""
        return ["Succeeded", "Failed", "Pending"].contains(phase) || pod.meta("deletionTimestamp") != nil
    }

    /// PodDisruptionBudgets in the pod's namespace whose non-empty selector matches it
    /// (getPodDisruptionBudgets; an invalid selector matches nothing).
    static func budgets(_ s: inout StoreState, for pod: JSONValue) -> [JSONValue] {
        guard let pdbType = s.registry.lookup(groupVersion: "policy/v1", plural: "poddisruptionbudgets") else { return [] }
        let objects = s.buckets[pdbType.storageKey]?.objects ?? [:]
        return s.keys(pdbType, namespace: pod.namespace).compactMap { key in
            guard let pdb = objects[key]?.object, let selector = LabelSelector(object: pdb["spec"]?["selector"]),
                  !selector.isEmpty, selector.matches(pod.labels) else { return nil }
            return pdb
        }
    }

    /// Checks the budget and takes one disruption from it (checkAndDecrement), persisting
    /// the PDB status unless dry run. Returns the 500 Status body for several budgets;
    /// throws 429/403 when the budget blocks the eviction.
    func checkDisruptionBudgets(_ s: inout StoreState, pod: JSONValue, dryRun: Bool) throws(APIError) -> JSONValue? {
        let pdbs = Self.budgets(&s, for: pod)
        if pdbs.count > 1 {
            // Returned as a Status object, not an error: no reason, code 500.
            return ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                    "message": "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", "code": 500]
        }
        guard var pdb = pdbs.first else { return nil }
        let name = pdb.name
        let status = pdb["status"] ?? [:]
        let desired = status["desiredHealthy"]?.intValue ?? 0
        let current = status["currentHealthy"]?.intValue ?? 0
        if !Self.isReady(pod) {
            // An unready pod does not count as healthy: evicting it costs no disruption.
            if pdb["spec"]?["unhealthyPodEvictionPolicy"]?.stringValue == "AlwaysAllow" { return nil }
            if current >= desired, desired > 0 { return nil }
        }
        if (status["observedGeneration"]?.intValue ?? 0) < (pdb["metadata"]?["generation"]?.intValue ?? 0) {
            throw .disruptionBudget("The disruption budget \(name) is still being processed by the server.", retryAfter: 10)
        }
        let allowed = status["disruptionsAllowed"]?.intValue ?? 0
        if allowed < 0 {
            throw .forbidden(group: "policy", resource: "poddisruptionbudget", name: name, "pdb disruptions allowed is negative")
        }
        if (status["disruptedPods"]?.objectValue?.count ?? 0) > 2000 {
            throw .forbidden(group: "policy", resource: "poddisruptionbudget", name: name,
                             "DisruptedPods map too big - too many evictions not confirmed by PDB controller")
        }
        if allowed == 0 {
            throw .disruptionBudget("The disruption budget \(name) needs \(desired) healthy pods and has \(current) currently", retryAfter: nil)
        }
        if dryRun { return nil }
        var newStatus = status
        newStatus["disruptionsAllowed"] = .number(Double(allowed - 1))
        var disrupted = status["disruptedPods"]?.objectValue ?? [:]
        disrupted[pod.name] = .string(ServerStamp.now())
        newStatus["disruptedPods"] = .object(disrupted)
        if allowed - 1 == 0 { newStatus["conditions"] = Self.disruptionAllowedCondition(status["conditions"], observedGeneration: status["observedGeneration"]) }
        pdb["status"] = newStatus
        guard let pdbType = s.registry.lookup(groupVersion: "policy/v1", plural: "poddisruptionbudgets") else { return nil }
        pdb.setMeta("resourceVersion", .string(s.nextResourceVersion()))
        s.put(pdbType, pdb)
        return nil
    }

    /// pdbhelper.UpdateDisruptionAllowedCondition once no disruption is left.
    private static func disruptionAllowedCondition(_ conditions: JSONValue?, observedGeneration: JSONValue?) -> JSONValue {
        var list = (conditions?.arrayValue ?? []).filter { $0["type"]?.stringValue != "DisruptionAllowed" }
        let previous = conditions?.arrayValue?.first { $0["type"]?.stringValue == "DisruptionAllowed" }
        let changed = previous?["status"]?.stringValue != "False"
        var condition: JSONValue = ["type": "DisruptionAllowed", "status": "False", "reason": "InsufficientPods", "message": ""]
        condition["lastTransitionTime"] = changed ? .string(ServerStamp.now()) : (previous?["lastTransitionTime"] ?? .string(ServerStamp.now()))
        if let observedGeneration { condition["observedGeneration"] = observedGeneration }
        list.append(condition)
        return .array(list)
    }

    /// podutil.IsPodReady: condition Ready is True.
    static func isReady(_ pod: JSONValue) -> Bool {
        (pod["status"]?["conditions"]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
    }
}

extension APIError {
    /// errors.NewTooManyRequests plus a DisruptionBudget cause (eviction.go). Retry-After is
    /// sent only when retryAfterSeconds > 0, as the apiserver's error writer does.
    static func disruptionBudget(_ cause: String, retryAfter: Int?) -> APIError {
        APIError(code: 429, reason: "TooManyRequests", message: "Cannot evict pod as it would violate the pod's disruption budget.",
                 details: details(causes: [["reason": "DisruptionBudget", "message": .string(cause)]], retryAfter: retryAfter),
                 retryAfterSeconds: retryAfter)
    }

    /// errors.NewForbidden: `<resource.group> "name" is forbidden: <why>`.
    static func forbidden(group: String, resource: String, name: String, _ why: String) -> APIError {
        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
        return APIError(code: 403, reason: "Forbidden", message: "\(qualified) \"\(name)\" is forbidden: \(why)",
                        details: details(name: name, group: group, kind: resource))
    }
}
