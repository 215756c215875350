import Foundation
import KubeClient

/// Scheme defaulting, which the API server runs whenever it decodes a body (create,
/// update, the result of a patch). Read from the 1.32 defaults functions:
/// pkg/apis/core/v1/defaults.go (SetDefaults_Pod, _PodSpec, _Container, _Probe, _Volume,
/// _Secret, _Service ...), pkg/apis/apps/v1/defaults.go (SetDefaults_Deployment,
/// _DaemonSet, _StatefulSet, _ReplicaSet), pkg/apis/batch/v1/defaults.go (SetDefaults_Job,
/// _CronJob), plus the `+default=` markers of staging/src/k8s.io/api/core/v1/types.go
/// (container port protocol TCP). Empty non-pointer structs (`resources: {}`,
/// `securityContext: {}`) appear because Go serializes them, and are added here too.
enum Defaulting {
    static func apply(_ obj: inout JSONValue, _ rt: ResourceType) {
        guard rt.builtIn, case .object = obj else { return }
        switch (rt.group, rt.plural) {
        case ("", "pods"):
            guard var spec = obj["spec"], case .object = spec else { return }
            pod(&spec)
            podSpec(&spec)
            obj["spec"] = spec
        case ("", "secrets"):
            secret(&obj)
        case ("", "services"):
            service(&obj)
        case ("apps", "deployments"):
            spec(&obj) { s in
                setIfAbsent(&s, "replicas", 1)
                var strategy = s["strategy"] ?? [:]
                setIfAbsent(&strategy, "type", "RollingUpdate")
                if strategy["type"] == "RollingUpdate" {
                    var ru = strategy["rollingUpdate"] ?? [:]
                    setIfAbsent(&ru, "maxUnavailable", "25%")
                    setIfAbsent(&ru, "maxSurge", "25%")
                    strategy["rollingUpdate"] = ru
                }
                s["strategy"] = strategy
                setIfAbsent(&s, "revisionHistoryLimit", 10)
                setIfAbsent(&s, "progressDeadlineSeconds", 600)
                template(&s)
            }
        case ("apps", "replicasets"):
            spec(&obj) { s in
                setIfAbsent(&s, "replicas", 1)
                template(&s)
            }
        case ("apps", "daemonsets"):
            spec(&obj) { s in
                var strategy = s["updateStrategy"] ?? [:]
                setIfAbsent(&strategy, "type", "RollingUpdate")
                if strategy["type"] == "RollingUpdate" {
                    var ru = strategy["rollingUpdate"] ?? [:]
                    setIfAbsent(&ru, "maxUnavailable", 1)
                    setIfAbsent(&ru, "maxSurge", 0)
                    strategy["rollingUpdate"] = ru
                }
                s["updateStrategy"] = strategy
                setIfAbsent(&s, "revisionHistoryLimit", 10)
                template(&s)
            }
        case ("apps", "statefulsets"):
            spec(&obj) { s in
                setIfAbsent(&s, "podManagementPolicy", "OrderedReady")
                var strategy = s["updateStrategy"] ?? [:]
                if strategy["type"] == nil {
                    strategy["type"] = "RollingUpdate"
                    setIfAbsent(&strategy, "rollingUpdate", [:])
                }
                if strategy["type"] == "RollingUpdate", var ru = strategy["rollingUpdate"] {
                    setIfAbsent(&ru, "partition", 0)
                    strategy["rollingUpdate"] = ru
                }
                s["updateStrategy"] = strategy
                // StatefulSetAutoDeletePVC is beta and on in 1.32.
                var retention = s["persistentVolumeClaimRetentionPolicy"] ?? [:]
                setIfAbsent(&retention, "whenDeleted", "Retain")
                setIfAbsent(&retention, "whenScaled", "Retain")
                s["persistentVolumeClaimRetentionPolicy"] = retention
                setIfAbsent(&s, "replicas", 1)
                setIfAbsent(&s, "revisionHistoryLimit", 10)
                template(&s)
            }
        case ("batch", "jobs"):
            if obj["spec"]?["template"]?["metadata"]?["labels"] != nil, obj.labels.isEmpty {
                obj.setMeta("labels", obj["spec"]?["template"]?["metadata"]?["labels"])
            }
            spec(&obj) { s in
                if s["completions"] == nil, s["parallelism"] == nil { s["completions"] = 1 }
                setIfAbsent(&s, "parallelism", 1)
                setIfAbsent(&s, "backoffLimit", 6)
                setIfAbsent(&s, "completionMode", "NonIndexed")
                setIfAbsent(&s, "suspend", false)
                // JobPodReplacementPolicy (beta, on in 1.32): Failed with a podFailurePolicy.
                setIfAbsent(&s, "podReplacementPolicy", s["podFailurePolicy"] == nil ? "TerminatingOrFailed" : "Failed")
                template(&s)
            }
        case ("batch", "cronjobs"):
            spec(&obj) { s in
                setIfAbsent(&s, "concurrencyPolicy", "Allow")
                setIfAbsent(&s, "suspend", false)
                setIfAbsent(&s, "successfulJobsHistoryLimit", 3)
                setIfAbsent(&s, "failedJobsHistoryLimit", 1)
                if var jobSpec = s["jobTemplate"]?["spec"] {
                    template(&jobSpec)
                    s["jobTemplate"]?["spec"] = jobSpec
                }
            }
        default:
            break
        }
    }

    private static func spec(_ obj: inout JSONValue, _ body: (inout JSONValue) -> Void) {
        guard var s = obj["spec"], case .object = s else { return }
        body(&s)
        obj["spec"] = s
    }

    private static func template(_ spec: inout JSONValue) {
        guard var t = spec["template"], case .object = t, var podSpec = t["spec"], case .object = podSpec else { return }
        Self.podSpec(&podSpec)
        t["spec"] = podSpec
        spec["template"] = t
    }

    static func setIfAbsent(_ obj: inout JSONValue, _ key: String, _ value: JSONValue) {
        if obj[key] == nil || obj[key] == .null { obj[key] = value }
    }

    /// SetDefaults_Pod: requests default to limits, enableServiceLinks true, host-network
    /// ports. Only on pods, not on templates.
    static func pod(_ spec: inout JSONValue) {
        for key in ["containers", "initContainers"] {
            guard var list = spec[key]?.arrayValue else { continue }
            for i in list.indices {
                guard let limits = list[i]["resources"]?["limits"]?.objectValue else { continue }
                var requests = list[i]["resources"]?["requests"]?.objectValue ?? [:]
                for (k, v) in limits where requests[k] == nil { requests[k] = v }
                list[i]["resources"]?["requests"] = .object(requests)
            }
            if spec["hostNetwork"]?.boolValue == true {
                for i in list.indices {
                    guard var ports = list[i]["ports"]?.arrayValue else { continue }
                    for j in ports.indices where (ports[j]["hostPort"]?.intValue ?? 0) == 0 { ports[j]["hostPort"] = ports[j]["containerPort"] }
                    list[i]["ports"] = .array(ports)
                }
            }
            spec[key] = .array(list)
        }
        setIfAbsent(&spec, "enableServiceLinks", true)
    }

    /// SetDefaults_PodSpec and what it contains (containers, probes, volumes).
    static func podSpec(_ spec: inout JSONValue) {
        setIfAbsent(&spec, "dnsPolicy", "ClusterFirst")
        setIfAbsent(&spec, "restartPolicy", "Always")
        setIfAbsent(&spec, "securityContext", [:])
        setIfAbsent(&spec, "terminationGracePeriodSeconds", 30)
        setIfAbsent(&spec, "schedulerName", "default-scheduler")
        for key in ["containers", "initContainers", "ephemeralContainers"] {
            guard let list = spec[key]?.arrayValue else { continue }
            spec[key] = .array(list.map(container))
        }
        if let volumes = spec["volumes"]?.arrayValue { spec["volumes"] = .array(volumes.map(volume)) }
    }

    /// SetDefaults_Container, probes, ports, env fieldRef.
    static func container(_ c: JSONValue) -> JSONValue {
        var c = c
        if c["imagePullPolicy"] == nil {
            c["imagePullPolicy"] = imageTag(c["image"]?.stringValue ?? "") == "latest" ? "Always" : "IfNotPresent"
        }
        setIfAbsent(&c, "terminationMessagePath", "/dev/termination-log")
        setIfAbsent(&c, "terminationMessagePolicy", "File")
        setIfAbsent(&c, "resources", [:])
        if let ports = c["ports"]?.arrayValue {
            c["ports"] = .array(ports.map { p in var p = p; setIfAbsent(&p, "protocol", "TCP"); return p })
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            guard var p = c[probe], case .object = p else { continue }
            for (k, v) in [("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)] {
                if (p[k]?.intValue ?? 0) == 0 { p[k] = .number(Double(v)) }
            }
            if var get = p["httpGet"], case .object = get {
                if (get["path"]?.stringValue ?? "").isEmpty { get["path"] = "/" }
                setIfAbsent(&get, "scheme", "HTTP")
                p["httpGet"] = get
            }
            c[probe] = p
        }
        if let env = c["env"]?.arrayValue {
            c["env"] = .array(env.map { e in
                var e = e
                if var ref = e["valueFrom"]?["fieldRef"], case .object = ref {
                    setIfAbsent(&ref, "apiVersion", "v1")
                    e["valueFrom"]?["fieldRef"] = ref
                }
                return e
            })
        }
        return c
    }

    /// parsers.ParseImageName: the tag, "latest" when neither tag nor digest is given.
    static func imageTag(_ image: String) -> String {
        if image.contains("@") {
            let name = image.split(separator: "@").first.map(String.init) ?? ""
            return name.split(separator: "/").last.flatMap { $0.split(separator: ":", maxSplits: 1).dropFirst().first }.map(String.init) ?? ""
        }
        let last = image.split(separator: "/").last ?? ""
        if let colon = last.firstIndex(of: ":") { return String(last[last.index(after: colon)...]) }
        return "latest"
    }

    /// SetDefaults_Volume and the volume sources' default modes (0644 = 420).
    static func volume(_ v: JSONValue) -> JSONValue {
        var v = v
        let sources = ["secret", "configMap", "downwardAPI", "projected", "emptyDir", "hostPath", "persistentVolumeClaim", "csi",
                       "ephemeral", "nfs", "image", "iscsi", "rbd", "cephfs", "fc", "azureFile", "azureDisk", "gitRepo", "awsElasticBlockStore",
                       "gcePersistentDisk", "glusterfs", "portworxVolume", "scaleIO", "storageos", "vsphereVolume", "quobyte",
                       "flexVolume", "flocker", "photonPersistentDisk"]
        if !sources.contains(where: { v[$0] != nil }) { v["emptyDir"] = [:] }
        for key in ["secret", "configMap", "downwardAPI", "projected"] {
            guard var s = v[key], case .object = s else { continue }
            setIfAbsent(&s, "defaultMode", 420)
            if key == "projected", let list = s["sources"]?.arrayValue {
                s["sources"] = .array(list.map { src in
                    var src = src
                    if var token = src["serviceAccountToken"], case .object = token {
                        setIfAbsent(&token, "expirationSeconds", 3600)
                        src["serviceAccountToken"] = token
                    }
                    return src
                })
            }
            v[key] = s
        }
        if var h = v["hostPath"], case .object = h {
            setIfAbsent(&h, "type", "")
            v["hostPath"] = h
        }
        return v
    }

    /// SetDefaults_Secret plus the secret strategy: `stringData` is merged into `data`
    /// (base64) and never stored (pkg/apis/core/v1/conversion.go
    /// Convert_v1_Secret_To_core_Secret).
    static func secret(_ obj: inout JSONValue) {
        setIfAbsent(&obj, "type", "Opaque")
        guard let stringData = obj["stringData"]?.objectValue else { return }
        var data = obj["data"]?.objectValue ?? [:]
        for (k, v) in stringData {
            data[k] = .string(Data((v.stringValue ?? "").utf8).base64EncodedString())
        }
        obj["data"] = .object(data)
        obj["stringData"] = nil
    }

    /// SetDefaults_Service (without IP allocation).
    static func service(_ obj: inout JSONValue) {
        spec(&obj) { s in
            setIfAbsent(&s, "sessionAffinity", "None")
            setIfAbsent(&s, "type", "ClusterIP")
            if let ports = s["ports"]?.arrayValue {
                s["ports"] = .array(ports.map { p in
                    var p = p
                    setIfAbsent(&p, "protocol", "TCP")
                    if p["targetPort"] == nil || p["targetPort"] == 0 || p["targetPort"] == "" { p["targetPort"] = p["port"] }
                    return p
                })
            }
            let type = s["type"]?.stringValue ?? ""
            if ["ClusterIP", "NodePort", "LoadBalancer"].contains(type) { setIfAbsent(&s, "internalTrafficPolicy", "Cluster") }
            if type == "NodePort" || type == "LoadBalancer" { setIfAbsent(&s, "externalTrafficPolicy", "Cluster") }
            if type == "LoadBalancer" { setIfAbsent(&s, "allocateLoadBalancerNodePorts", true) }
        }
    }
}
