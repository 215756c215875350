import KubeClient

/// A KubeArmor operator install (FACTS.md names) with problems 1 and 2 seeded:
/// owned objects missing their ownerReference to the operator, and a KubeArmorConfig
/// whose image differs from the DaemonSet's.
enum KubeArmorInstall {
    static let namespace = "kubearmor"
    static let daemonSetName = "kubearmor-apparmor-containerd-98c2c"

    static func generate(_ g: inout Generation) {
        let ns = namespace
        g.namespace(ns)
        let rate = g.spec.problemRate
        g.store.registry.register(CustomTypes.kubeArmorConfig)
        g.emit(g.type("customresourcedefinitions"), CustomTypes.crd(CustomTypes.kubeArmorConfig, &g))

        func template(_ app: String, container: String, image: String, volumes: [JSONValue] = [], mounts: [JSONValue] = []) -> JSONValue {
            var c: JSONValue = ["name": .string(container), "image": .string(image), "imagePullPolicy": "Always",
                                "resources": ["requests": ["cpu": "10m", "memory": "64Mi"], "limits": ["cpu": "500m", "memory": "256Mi"]]]
            if !mounts.isEmpty { c["volumeMounts"] = .array(mounts) }
            var spec: JSONValue = ["containers": [c], "serviceAccountName": .string(app), "terminationGracePeriodSeconds": 10]
            if !volumes.isEmpty { spec["volumes"] = .array(volumes) }
            return ["metadata": ["labels": ["kubearmor-app": .string(app)]], "spec": spec]
        }

        let operatorDeployment = g.deployment(
            "kubearmor-operator", namespace: ns,
            template: template("kubearmor-operator", container: "kubearmor-operator", image: "kubearmor/kubearmor-operator:v1.5.3"),
            replicas: 1, labels: ["kubearmor-app": "kubearmor-operator"])
        // The operator's references: no controller/blockOwnerDeletion (FACTS.md).
        let ownerRef = operatorDeployment.ownerReference(controller: false)
        // Problem 1: the controller Deployment always lacks it; other objects at `rate`.
        func owners(_ always: Bool = false) -> [JSONValue] { always || g.rng.chance(rate) ? [] : [ownerRef] }

        let certVolume: JSONValue = ["name": "cert", "secret": ["secretName": "kubearmor-controller-webhook-server-cert", "defaultMode": 420]]
        g.deployment("kubearmor-controller", namespace: ns,
                     template: template("kubearmor-controller", container: "manager", image: "kubearmor/kubearmor-controller:latest",
                                        volumes: [certVolume], mounts: [["name": "cert", "mountPath": "/tmp/k8s-webhook-server/serving-certs", "readOnly": true]]),
                     replicas: 1, labels: ["kubearmor-app": "kubearmor-controller"], owners: owners(true))
        g.deployment("kubearmor-relay", namespace: ns,
                     template: template("kubearmor-relay", container: "kubearmor-relay-server", image: "kubearmor/kubearmor-relay-server:latest"),
                     replicas: 1, labels: ["kubearmor-app": "kubearmor-relay"], owners: owners())

        // Problem 2: the CR asks for a newer image than the DaemonSet runs; the CR stays Pending.
        let liveImage = "kubearmor/kubearmor:v1.5.3", wantedImage = "kubearmor/kubearmor:v1.5.4"
        var dsTemplate = template("kubearmor", container: "kubearmor", image: liveImage)
        dsTemplate["spec"]?["initContainers"] = [["name": "init", "image": "kubearmor/kubearmor-init:stable", "imagePullPolicy": "Always"]]
        dsTemplate["spec"]?["nodeSelector"] = ["kubearmor.io/enforcer": "apparmor", "kubearmor.io/runtime": "containerd"]
        dsTemplate["spec"]?["hostPID"] = true
        g.daemonSet(daemonSetName, namespace: ns, template: dsTemplate, on: g.nodes.filter(\.apparmor).map(\.name),
                    labels: ["kubearmor-app": "kubearmor"], owners: owners())

        g.emit(CustomTypes.kubeArmorConfig, [
            "metadata": g.meta("kubearmorconfig-default", namespace: ns),
            "spec": ["defaultFilePosture": "audit", "defaultNetworkPosture": "audit", "defaultCapabilitiesPosture": "audit",
                     "defaultVisibility": "process,network",
                     "kubearmorImage": ["image": .string(wantedImage), "imagePullPolicy": "Always"],
                     "kubearmorInitImage": ["image": "kubearmor/kubearmor-init:stable", "imagePullPolicy": "Always"],
                     "kubearmorRelayImage": ["image": "kubearmor/kubearmor-relay-server:latest", "imagePullPolicy": "Always"],
                     "kubearmorControllerImage": ["image": "kubearmor/kubearmor-controller:latest", "imagePullPolicy": "Always"]],
            "status": ["phase": "Pending", "message": "Updating KubeArmor images"],
        ])

        for (name, ports) in [("kubearmor", [["port": 32767, "targetPort": 32767, "protocol": "TCP"]] as JSONValue),
                              ("kubearmor-controller-webhook-service", [["port": 443, "targetPort": 9443, "protocol": "TCP"]])] {
            let app = name == "kubearmor" ? "kubearmor-relay" : "kubearmor-controller"
            g.emit(g.type("services"), ["metadata": g.meta(name, namespace: ns, owners: owners()),
                                        "spec": ["type": "ClusterIP", "clusterIP": .string("10.96.\(g.rng.int(0...255)).\(g.rng.int(1...254))"),
                                                 "selector": ["kubearmor-app": .string(app)], "ports": ports],
                                        "status": ["loadBalancer": [:]]])
        }
        g.emit(g.type("secrets"), ["metadata": g.meta("kubearmor-controller-webhook-server-cert", namespace: ns, owners: owners()),
                                   "type": "kubernetes.io/tls",
                                   "data": ["tls.crt": .string(g.rng.hex(48)), "tls.key": .string(g.rng.hex(48)), "ca.crt": .string(g.rng.hex(48))]])
        g.emit(g.type("configmaps"), ["metadata": g.meta("kubearmor-config", namespace: ns, owners: owners()),
                                      "data": ["defaultFilePosture": "audit", "defaultNetworkPosture": "audit",
                                               "defaultCapabilitiesPosture": "audit", "visibility": "process,network", "alertThrottling": "true"]])
        for sa in ["kubearmor", "kubearmor-relay", "kubearmor-controller", "kubearmor-snitch"] {
            g.emit(g.type("serviceaccounts"), ["metadata": g.meta(sa, namespace: ns, owners: owners())])
        }
        let rules: JSONValue = [["apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]]]
        g.emit(g.type("roles.rbac.authorization.k8s.io"), ["metadata": g.meta("kubearmor-controller-leader-election-role", namespace: ns, owners: owners()), "rules": rules])
        g.emit(g.type("rolebindings.rbac.authorization.k8s.io"), [
            "metadata": g.meta("kubearmor-controller-leader-election-rolebinding", namespace: ns, owners: owners()),
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "kubearmor-controller-leader-election-role"],
            "subjects": [["kind": "ServiceAccount", "name": "kubearmor-controller", "namespace": .string(ns)]]])

        // Cluster-scoped, never owned.
        g.emit(g.type("mutatingwebhookconfigurations"), [
            "metadata": g.meta("kubearmor-controller-mutating-webhook-configuration"),
            "webhooks": [["name": "annotation.kubearmor.com", "failurePolicy": "Ignore", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                          "timeoutSeconds": 10, "clientConfig": ["caBundle": .string(g.rng.hex(48)),
                                                                 "service": ["name": "kubearmor-controller-webhook-service", "namespace": .string(ns), "path": "/mutate-pods", "port": 443]],
                          "rules": [["apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["pods"], "scope": "*"]]]]])
        for (role, binding) in [("kubearmor-clusterrole", "kubearmor-clusterrolebinding"), ("kubearmor-relay-clusterrole", "kubearmor-relay-clusterrolebinding"),
                                ("kubearmor-controller-clusterrole", "kubearmor-controller-clusterrolebinding"), ("kubearmor-snitch", "kubearmor-snitch-binding")] {
            g.emit(g.type("clusterroles.rbac.authorization.k8s.io"), ["metadata": g.meta(role), "rules": [["apiGroups": ["*"], "resources": ["pods", "nodes"], "verbs": ["get", "list", "watch"]]]])
            g.emit(g.type("clusterrolebindings.rbac.authorization.k8s.io"), [
                "metadata": g.meta(binding), "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(role)],
                "subjects": [["kind": "ServiceAccount", "name": .string(role.replacingOccurrences(of: "-clusterrole", with: "")), "namespace": .string(ns)]]])
        }
        for (kind, plural) in [("KubeArmorPolicy", "kubearmorpolicies"), ("KubeArmorHostPolicy", "kubearmorhostpolicies"),
                               ("KubeArmorClusterPolicy", "kubearmorclusterpolicies")] {
            let rt = ResourceType(group: "security.kubearmor.com", version: "v1", kind: kind, plural: plural, namespaced: kind == "KubeArmorPolicy")
            g.emit(g.type("customresourcedefinitions"), CustomTypes.crd(rt, &g))
        }
    }
}
