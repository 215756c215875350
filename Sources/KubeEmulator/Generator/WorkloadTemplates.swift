import KubeClient

/// Realistic object bodies for generated clusters: pod templates with several containers,
/// env, resources, probes, mounts and volumes, so a pod weighs 3-6 KB of JSON like real ones.
enum WorkloadTemplates {
    static let apps = ["checkout", "payments", "cart", "search", "catalog", "auth", "frontend", "api", "worker", "billing",
                       "inventory", "shipping", "notifications", "reports", "gateway", "ledger", "profile", "media"]
    static let namespaceWords = ["shop", "billing", "platform", "data", "web", "ops", "analytics", "identity", "ml", "edge"]
    static let sidecars: [(name: String, image: String)] = [
        ("envoy", "envoyproxy/envoy:v1.29.1"), ("fluent-bit", "fluent/fluent-bit:3.0.4"),
        ("otel-agent", "otel/opentelemetry-collector-contrib:0.98.0")]

    static func resources(_ rng: inout SplitMix64, cpu: Int, memoryMi: Int) -> JSONValue {
        ["requests": ["cpu": .string("\(cpu)m"), "memory": .string("\(memoryMi)Mi")],
         "limits": ["cpu": .string("\(cpu * 2)m"), "memory": .string("\(memoryMi * 2)Mi")]]
    }

    static func probe(path: String, port: Int, delay: Int) -> JSONValue {
        ["httpGet": ["path": .string(path), "port": .number(Double(port)), "scheme": "HTTP"],
         "initialDelaySeconds": .number(Double(delay)), "periodSeconds": 10, "timeoutSeconds": 1,
         "successThreshold": 1, "failureThreshold": 3]
    }

    /// A pod template (metadata + spec) for an application; `labels` select it.
    static func podTemplate(app: String, namespace: String, labels: [String: String], image: String,
                            containers: Int, _ rng: inout SplitMix64) -> JSONValue {
        var list: [JSONValue] = []
        let env: [JSONValue] = [
            ["name": "APP_NAME", "value": .string(app)], ["name": "APP_ENV", "value": "production"],
            ["name": "LOG_LEVEL", "value": "info"],
            ["name": "POD_NAME", "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.name"]]],
        ]
        let mounts: [JSONValue] = [
            ["name": "config", "mountPath": .string("/etc/\(app)"), "readOnly": true],
            ["name": "cache", "mountPath": .string("/var/cache/\(app)")],
        ]
        list.append([
            "name": .string(app), "image": .string(image), "imagePullPolicy": "IfNotPresent",
            "ports": [["name": "http", "containerPort": 8080, "protocol": "TCP"]],
            "env": .array(env), "resources": resources(&rng, cpu: 100 * rng.int(1...5), memoryMi: 128 * rng.int(1...4)),
            "livenessProbe": probe(path: "/healthz", port: 8080, delay: 15), "readinessProbe": probe(path: "/readyz", port: 8080, delay: 5),
            "volumeMounts": .array(mounts), "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
            "securityContext": ["runAsNonRoot": true, "readOnlyRootFilesystem": true, "capabilities": ["drop": ["ALL"]]],
        ])
        for i in 0..<max(0, containers - 1) {
            let s = sidecars[(i + rng.int(0...2)) % sidecars.count]
            guard !list.contains(where: { $0["name"]?.stringValue == s.name }) else { continue }
            list.append([
                "name": .string(s.name), "image": .string(s.image),
                "env": [["name": "SERVICE_NAME", "value": .string(app)]],
                "resources": ["requests": ["cpu": "50m", "memory": "64Mi"]],
            ])
        }
        var spec: JSONValue = [
            "containers": .array(list),
            "volumes": [["name": "config", "configMap": ["name": .string("\(app)-config"), "defaultMode": 420]],
                        ["name": "cache", "emptyDir": ["sizeLimit": "512Mi"]]],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": .string(app), "serviceAccount": .string(app), "securityContext": ["fsGroup": 2000],
            "schedulerName": "default-scheduler",
        ]
        Defaulting.podSpec(&spec)
        return ["metadata": ["labels": .object(labels.mapValues { .string($0) })], "spec": spec]
    }

    /// What the API server and admission add to a pod made from a template: the
    /// service-account token volume, default tolerations, priority.
    static func podSpec(from template: JSONValue, node: String, _ rng: inout SplitMix64) -> JSONValue {
        var spec = template["spec"] ?? [:]
        Defaulting.pod(&spec)
        let tokenVolume = "kube-api-access-\(rng.nameSuffix())"
        var volumes = spec["volumes"]?.arrayValue ?? []
        volumes.append(["name": .string(tokenVolume), "projected": ["defaultMode": 420, "sources": [
            ["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]],
            ["configMap": ["name": "kube-root-ca.crt", "items": [["key": "ca.crt", "path": "ca.crt"]]]],
            ["downwardAPI": ["items": [["path": "namespace", "fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"]]]]],
        ]]])
        spec["volumes"] = .array(volumes)
        if case .array(let containers) = spec["containers"] ?? [] {
            spec["containers"] = .array(containers.map { c in
                var c = c
                var mounts = c["volumeMounts"]?.arrayValue ?? []
                mounts.append(["name": .string(tokenVolume), "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true])
                c["volumeMounts"] = .array(mounts)
                return c
            })
        }
        spec["tolerations"] = [
            ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
            ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
        ]
        spec["nodeName"] = .string(node)
        spec["priority"] = 0
        spec["preemptionPolicy"] = "PreemptLowerPriority"
        return spec
    }

    static func node(_ name: String, index: Int, apparmor: Bool, created: String) -> JSONValue {
        let zone = ["us-east-1a", "us-east-1b", "us-east-1c"][index % 3]
        let ip = "10.0.\(index / 250).\(index % 250 + 10)"
        var labels: [String: JSONValue] = [
            "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64", "node.kubernetes.io/instance-type": "m5.2xlarge",
            "topology.kubernetes.io/zone": .string(zone), "topology.kubernetes.io/region": "us-east-1", "node-role.kubernetes.io/worker": "",
        ]
        if apparmor {
            labels["kubearmor.io/enforcer"] = "apparmor"
            labels["kubearmor.io/runtime"] = "containerd"
        }
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
            ["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
             "lastHeartbeatTime": .string(created), "lastTransitionTime": .string(created)]
        }
        let capacity: JSONValue = ["cpu": "8", "memory": "32408760Ki", "pods": "110", "ephemeral-storage": "104845292Ki"]
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": .object(labels),
                         "annotations": ["node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"]],
            "spec": ["podCIDR": .string("10.244.\(index % 256).0/24"), "providerID": .string("aws:///\(zone)/i-0\(String(index, radix: 16))")],
            "status": [
                "capacity": capacity, "allocatable": ["cpu": "7910m", "memory": "31391928Ki", "pods": "110", "ephemeral-storage": "96625420948"],
                "conditions": [condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                               condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                               condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                               condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")],
                "addresses": [["type": "InternalIP", "address": .string(ip)], ["type": "Hostname", "address": .string(name)]],
                "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
                "nodeInfo": ["kubeletVersion": "v1.32.2", "kubeProxyVersion": "v1.32.2", "containerRuntimeVersion": "containerd://1.7.22",
                             "osImage": "Ubuntu 22.04.4 LTS", "kernelVersion": "6.5.0-1022-aws", "operatingSystem": "linux", "architecture": "amd64",
                             "machineID": .string("ec2\(String(index, radix: 16))"), "systemUUID": .string("ec2\(String(index, radix: 16))"),
                             "bootID": .string("boot-\(index)")],
            ],
        ]
    }
}
