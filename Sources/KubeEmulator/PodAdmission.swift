import Foundation
import KubeClient

/// What the default admission plugins and the pod strategy add to a new pod in 1.32:
/// - ServiceAccount (plugin/pkg/admission/serviceaccount/admission.go): serviceAccountName
///   "default" and the `kube-api-access-<5>` projected token volume mounted in every
///   container, unless automountServiceAccountToken is false. The deprecated
///   `serviceAccount` field mirrors it (core/v1 conversion).
/// - DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds): NoExecute
///   tolerations for node.kubernetes.io/not-ready and /unreachable, 300 s.
/// - Priority (plugin/pkg/admission/priority/admission.go): priority from the class, 0 with
///   none; preemptionPolicy PreemptLowerPriority.
/// - pod strategy PrepareForCreate (pkg/registry/core/pod/strategy.go): status.phase Pending
///   and status.qosClass (pkg/apis/core/helper/qos GetPodQOS).
enum PodAdmission {
    static let tokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
    static let systemPriorities = ["system-node-critical": 2_000_001_000, "system-cluster-critical": 2_000_000_000]

    static func admitCreate(_ pod: inout JSONValue, suffix: () -> String) throws(APIError) {
        guard var spec = pod["spec"], case .object = spec else { return }
        serviceAccount(&spec, suffix: suffix)
        tolerations(&spec)
        if let className = spec["priorityClassName"]?.stringValue, !className.isEmpty {
            guard let value = systemPriorities[className] else {
                throw APIError(code: 403, reason: "Forbidden",
                               message: "pods \"\(pod.name)\" is forbidden: no PriorityClass with name \(className) was found",
                               details: APIError.details(name: pod.name, kind: "pods"))
            }
            spec["priority"] = .number(Double(value))
        } else if spec["priority"] == nil {
            spec["priority"] = 0
        }
        Defaulting.setIfAbsent(&spec, "preemptionPolicy", "PreemptLowerPriority")
        pod["spec"] = spec
        var status = pod["status"]?.objectValue ?? [:]
        if status["phase"] == nil { status["phase"] = "Pending" }
        status["qosClass"] = .string(qosClass(spec))
        pod["status"] = .object(status)
    }

    static func serviceAccount(_ spec: inout JSONValue, suffix: () -> String) {
        let name = spec["serviceAccountName"]?.stringValue ?? spec["serviceAccount"]?.stringValue ?? ""
        let account = name.isEmpty ? "default" : name
        spec["serviceAccountName"] = .string(account)
        spec["serviceAccount"] = .string(account)
        guard spec["automountServiceAccountToken"]?.boolValue != false else { return }
        var volumes = spec["volumes"]?.arrayValue ?? []
        let containers = ["containers", "initContainers"].flatMap { spec[$0]?.arrayValue ?? [] }
        // A pod that mounts something at the token path already keeps its own.
        if containers.contains(where: { ($0["volumeMounts"]?.arrayValue ?? []).contains { $0["mountPath"]?.stringValue == tokenMountPath } }) { return }
        let volumeName = "kube-api-access-\(suffix())"
        volumes.append(["name": .string(volumeName), "projected": ["defaultMode": 420, "sources": [
            ["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]],
            ["configMap": ["name": "kube-root-ca.crt", "items": [["key": "ca.crt", "path": "ca.crt"]]]],
            ["downwardAPI": ["items": [["path": "namespace", "fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"]]]]],
        ]]])
        spec["volumes"] = .array(volumes)
        for key in ["containers", "initContainers"] {
            guard let list = spec[key]?.arrayValue else { continue }
            spec[key] = .array(list.map { c in
                var c = c
                var mounts = c["volumeMounts"]?.arrayValue ?? []
                mounts.append(["name": .string(volumeName), "mountPath": .string(tokenMountPath), "readOnly": true])
                c["volumeMounts"] = .array(mounts)
                return c
            })
        }
    }

    static func tolerations(_ spec: inout JSONValue) {
        var list = spec["tolerations"]?.arrayValue ?? []
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            // The plugin skips a key the pod already tolerates for NoExecute (or any effect).
            let tolerated = list.contains { t in
                let effect = t["effect"]?.stringValue ?? ""
                return (t["key"]?.stringValue == key || (t["key"] == nil && t["operator"]?.stringValue == "Exists"))
                    && (effect.isEmpty || effect == "NoExecute")
            }
            if !tolerated {
                list.append(["key": .string(key), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300])
            }
        }
        spec["tolerations"] = .array(list)
    }

    /// GetPodQOS: BestEffort without any request or limit; Guaranteed when every container
    /// has cpu and memory limits equal to its requests; Burstable otherwise.
    static func qosClass(_ spec: JSONValue) -> String {
        let containers = ["containers", "initContainers"].flatMap { spec[$0]?.arrayValue ?? [] }
        var any = false
        var guaranteed = true
        for c in containers {
            let requests = (c["resources"]?["requests"]?.objectValue ?? [:]).filter { ["cpu", "memory"].contains($0.key) }
            let limits = (c["resources"]?["limits"]?.objectValue ?? [:]).filter { ["cpu", "memory"].contains($0.key) }
            if !requests.isEmpty || !limits.isEmpty { any = true }
            if limits.count < 2 || requests != limits { guaranteed = false }
        }
        if !any { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
