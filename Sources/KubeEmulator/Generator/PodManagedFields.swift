import KubeClient

/// The managedFields of a generated pod, as a real cluster shows them: kube-controller-manager's
/// Update (the metadata and spec its controller sent) and, once running, the kubelet's
/// status Update. The controller's field set and the conditions are the same for every pod
/// of one owner (same label keys, owner reference and spec), so their fieldsV1 bytes are
/// encoded once and spliced in (`JSONWriter.raw`); only the pod IPs are per pod.
struct PodManagedFields {
    private(set) var raw: [String: [UInt8]] = [:]
    private let podType: ResourceType

    init(podType: ResourceType) { self.podType = podType }

    private static let conditionsKey = "\u{0}conditions"

    /// The entries for one pod; `spec` is the spec its controller sent (before admission).
    mutating func entries(metadata: JSONValue, spec: JSONValue, ownerUID: String, created: String,
                          status: JSONValue?, statusTime: String) -> JSONValue {
        // Pods of one owner share label keys, the owner reference and the spec: their
        // kube-controller-manager field set is encoded once per owner.
        let key = "\u{0}kcm:" + ownerUID
        if raw[key] == nil {
            var sentSpec = spec
            Defaulting.pod(&sentSpec)
            var sentMeta: [String: JSONValue] = [:]
            for k in ["generateName", "labels", "ownerReferences"] { sentMeta[k] = metadata[k] }
            let set = FieldSet(of: ["metadata": .object(sentMeta), "spec": sentSpec], podType, status: false)
            raw[key] = Array(JSONWriter.encode(set.fieldsV1))
        }
        var out: [JSONValue] = [entry("kube-controller-manager", created, .string(key), subresource: nil)]
        if let status, status["phase"] == "Running" {
            if raw[Self.conditionsKey] == nil {
                let conditions = FieldSet(of: ["status": ["conditions": status["conditions"] ?? []]], podType, status: true)
                raw[Self.conditionsKey] = Array(JSONWriter.encode(conditions.fieldsV1["f:status"]?["f:conditions"] ?? [:]))
            }
            func ips(_ list: JSONValue?) -> JSONValue {
                var out: [String: JSONValue] = [".": [:]]
                for ip in list?.arrayValue ?? [] { out[FieldSet.keyElement(ip, ["ip"])] = [".": [:], "f:ip": [:]] }
                return .object(out)
            }
            out.append(entry("kubelet", statusTime, ["f:status": [
                "f:conditions": .string(Self.conditionsKey), "f:containerStatuses": [:], "f:hostIP": [:], "f:hostIPs": ips(status["hostIPs"]),
                "f:phase": [:], "f:podIP": [:], "f:podIPs": ips(status["podIPs"]), "f:startTime": [:]]], subresource: "status"))
        }
        return .array(out)
    }

    private func entry(_ manager: String, _ time: String, _ fields: JSONValue, subresource: String?) -> JSONValue {
        var e: JSONValue = ["manager": .string(manager), "operation": "Update", "apiVersion": "v1", "time": .string(time),
                            "fieldsType": "FieldsV1", "fieldsV1": fields]
        if let subresource { e["subresource"] = .string(subresource) }
        return e
    }
}
