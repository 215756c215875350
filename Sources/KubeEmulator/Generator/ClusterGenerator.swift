import Foundation
import KubeClient

/// Builds a realistic, settled cluster from a `ClusterSpec` straight into the store:
/// Nodes, Namespaces, Deployments with their ReplicaSets and Running pods, DaemonSets,
/// StatefulSets, PDBs with status, and (problemRate > 0) KubeArmor and Gatekeeper installs
/// showing DESIGN.md's five problems. Deterministic per seed: uids, names, IPs and
/// timestamps come from the seeded generator, never the clock.
public struct ClusterGenerator {
    public let spec: ClusterSpec

    public init(_ spec: ClusterSpec) { self.spec = spec }

    /// Objects by kind, as generated.
    public struct Report: Sendable {
        public var objects = 0
        public var byKind: [String: Int] = [:]
        public var seconds = 0.0
    }

    func generate(into store: inout StoreState) -> Report {
        var g = Generation(spec: spec, store: StoreState(registry: store.registry))
        swap(&g.store, &store)
        g.run()
        swap(&g.store, &store)
        return g.report
    }
}

/// One generation run: the RNG, the store being filled and bookkeeping.
struct Generation {
    let spec: ClusterSpec
    var store: StoreState
    var rng: SplitMix64
    var report = ClusterGenerator.Report()
    let stamps: [String]
    var nodes: [(name: String, apparmor: Bool)] = []
    /// Node name -> (position, AppArmor enforcer), for per-pod lookups at 150k pods.
    var nodeInfo: [String: (index: Int, apparmor: Bool)] = [:]
    var nextNode = 0
    var kubeArmorInstalled: Bool { spec.problemRate > 0 }
    var gatekeeperInstalled: Bool { spec.problemRate > 0 }
    var forcedUnprotected = false
    var forcedUnmutated = false
    var podFields = PodManagedFields(podType: BuiltInResources.all.first { $0.isCorePods }!)
    let rollback: String
    let encoder = BulkEncoder()
    var pending: [BulkEncoder.Item] = []
    var madeNamespaces: Set<String> = []

    init(spec: ClusterSpec, store: StoreState) {
        self.spec = spec
        self.store = store
        rng = SplitMix64(seed: spec.seed)
        // Fixed creation times a few days apart from a fixed origin (2026-01-05T08:00:00Z).
        stamps = (0..<64).map { Date(timeIntervalSince1970: 1_767_600_000 + Double($0) * 2_237).formatted(.iso8601) }
        rollback = stamps[0]
    }

    mutating func stamp() -> String { stamps[rng.int(0...stamps.count - 1)] }

    // MARK: emitting

    /// Object metadata with a generated uid and creation time.
    mutating func meta(_ name: String, namespace: String? = nil, labels: [String: String] = [:],
                       annotations: [String: String] = [:], owners: [JSONValue] = []) -> JSONValue {
        var m: JSONValue = ["name": .string(name), "uid": .string(rng.uuid()), "creationTimestamp": .string(stamp())]
        if let namespace { m["namespace"] = .string(namespace) }
        if !labels.isEmpty { m["labels"] = .object(labels.mapValues { .string($0) }) }
        if !annotations.isEmpty { m["annotations"] = .object(annotations.mapValues { .string($0) }) }
        if !owners.isEmpty { m["ownerReferences"] = .array(owners) }
        return m
    }

    /// Stores an object (encoded once, bytes only) and returns it as stored.
    @discardableResult
    mutating func emit(_ rt: ResourceType, _ object: JSONValue) -> JSONValue {
        var obj = object
        obj["apiVersion"] = .string(rt.groupVersion)
        obj["kind"] = .string(rt.kind)
        if obj["metadata"]?["generation"] == nil, ObjectValidation.generationRelevant(obj, rt) != nil { obj.setMeta("generation", 1) }
        obj.setMeta("resourceVersion", .string(store.nextResourceVersion()))
        var stripped = obj
        stripped["apiVersion"] = nil
        stripped["kind"] = nil
        pending.append(.init(rt: rt, namespace: obj.namespace, name: obj.name, body: stripped, printable: obj))
        if pending.count >= 512 { flush() }
        report.objects += 1
        report.byKind[rt.kind, default: 0] += 1
        return obj
    }

    /// Hands the pending trees to the encoder and stores what it has finished.
    mutating func flush(wait: Bool = false) {
        encoder.submit(pending, raw: podFields.raw)
        pending = []
        for e in wait ? encoder.finish() : encoder.take() {
            store.put(e.rt, namespace: e.namespace, name: e.name, stored: e.stored)
        }
    }

    func type(_ resource: String) -> ResourceType { store.registry.lookup(resource: resource)! }

    // MARK: the cluster

    mutating func run() {
        let started = Date()
        // One allocation for the pod table instead of a rehash at every doubling.
        store.buckets["pods", default: ResourceBucket()].objects.reserveCapacity(spec.pods)
        for i in 0..<spec.nodes {
            // KubeArmor enforces on most nodes; every fourth runs without the enforcer label.
            let apparmor = kubeArmorInstalled && i % 4 != 3
            let name = "worker-\(String(format: "%03d", i))"
            nodes.append((name, apparmor))
            nodeInfo[name] = (i, apparmor)
            let m = meta(name)
            emit(type("nodes"), WorkloadTemplates.node(name, index: i, apparmor: apparmor, created: stamps[0]).with("metadata", merging: m))
        }
        var systemPods = 0
        if kubeArmorInstalled { systemPods += 3 + nodes.filter(\.apparmor).count }
        if gatekeeperInstalled { systemPods += 4 }
        let dsPods = spec.daemonsets * nodes.count
        let stsPods = spec.statefulsets * 3
        let appPods = max(0, spec.pods - systemPods - dsPods - stsPods)

        let namespaces = (0..<max(1, spec.namespaces)).map { "\(WorkloadTemplates.namespaceWords[$0 % WorkloadTemplates.namespaceWords.count])-\($0)" }
        for ns in namespaces + (spec.daemonsets > 0 ? ["monitoring"] : []) { namespace(ns) }

        if kubeArmorInstalled { KubeArmorInstall.generate(&self) }
        if gatekeeperInstalled { GatekeeperInstall.generate(&self) }

        for i in 0..<spec.daemonsets {
            let names = ["node-exporter", "log-shipper", "csi-node", "cni-agent"]
            let name = names[i % names.count] + (i >= names.count ? "-\(i / names.count)" : "")
            let template = WorkloadTemplates.podTemplate(app: name, namespace: "monitoring", labels: ["app.kubernetes.io/name": name],
                                                         image: "registry.example.com/\(name):1.\(i % 9).0", containers: 2, &rng)
            daemonSet(name, namespace: "monitoring", template: template, on: nodes.map(\.name))
        }
        for i in 0..<spec.statefulsets {
            let names = ["postgres", "redis", "kafka", "zookeeper", "etcd"]
            let name = names[i % names.count] + (i >= names.count ? "-\(i / names.count)" : "")
            statefulSet(name, namespace: namespaces[i % namespaces.count], replicas: 3)
        }
        let deploymentCount = spec.deployments ?? max(appPods > 0 ? 1 : 0, appPods / 8)
        var deployments: [JSONValue] = []
        for i in 0..<deploymentCount {
            let replicas = appPods / deploymentCount + (i < appPods % deploymentCount ? 1 : 0)
            let app = WorkloadTemplates.apps[i % WorkloadTemplates.apps.count] + (i >= WorkloadTemplates.apps.count ? "-\(i / WorkloadTemplates.apps.count)" : "")
            let ns = namespaces[i % namespaces.count]
            let image = "registry.example.com/\(app):2.\(rng.int(0...20)).\(rng.int(0...9))"
            let containers = rng.int(2...3)
            let template = WorkloadTemplates.podTemplate(app: app, namespace: ns, labels: ["app": app, "app.kubernetes.io/name": app],
                                                         image: image, containers: containers, &rng)
            deployments.append(deployment(app, namespace: ns, template: template, replicas: replicas))
        }
        for i in 0..<min(spec.pdbs, deployments.count) {
            pdb(for: deployments[i], minAvailable: i % 2 == 0 ? 1 : nil, maxUnavailable: i % 2 == 0 ? nil : "25%")
        }
        flush(wait: true)
        report.seconds = Date().timeIntervalSince(started)
    }

    mutating func namespace(_ name: String) {
        // Emitted objects reach the store a batch later: remember the names made here.
        guard !store.namespaceExists(name), madeNamespaces.insert(name).inserted else { return }
        let m = meta(name, labels: ["kubernetes.io/metadata.name": name])
        emit(type("namespaces"), ["metadata": m,
                                  "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"]])
    }

    mutating func pickNode(_ eligible: [String]? = nil) -> String? {
        let names = eligible ?? nodes.map(\.name)
        guard !names.isEmpty else { return nil }
        defer { nextNode += 1 }
        return names[nextNode % names.count]
    }

    /// A Running, Ready pod from a template, with admission's additions and the problems
    /// (missing AppArmor profile, missing Gatekeeper mutation) seeded in.
    @discardableResult
    mutating func pod(_ name: String, namespace: String, template: JSONValue, owner: JSONValue, ownerName: String,
                      node: String?, extraLabels: [String: String] = [:]) -> JSONValue {
        var labels = (template["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        for (k, v) in extraLabels { labels[k] = v }
        var annotations = (template["metadata"]?["annotations"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        var spec = node.map { WorkloadTemplates.podSpec(from: template, node: $0, &rng) } ?? (template["spec"] ?? [:])
        let containers = (spec["containers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let system = ["kube-system", KubeArmorInstall.namespace, GatekeeperInstall.namespace].contains(namespace)
        if kubeArmorInstalled, let node, nodeInfo[node]?.apparmor == true, !system, labels["kubearmor-app"] == nil {
            let unprotected = rng.chance(self.spec.problemRate) || !forcedUnprotected
            forcedUnprotected = true
            if !unprotected {
                for c in containers {
                    annotations["container.apparmor.security.beta.kubernetes.io/\(c)"] = "localhost/kubearmor-\(namespace)-\(ownerName)-\(c)"
                }
                annotations["kubearmor-policy"] = "enabled"
                annotations["kubearmor-visibility"] = "process,file,network,capabilities"
            }
        }
        if gatekeeperInstalled, !system {
            let unmutated = rng.chance(self.spec.problemRate) || !forcedUnmutated
            forcedUnmutated = true
            if !unmutated, case .array(let cs) = spec["containers"] ?? [] {
                spec["containers"] = .array(cs.map { c in
                    var c = c
                    var sc = c["securityContext"] ?? [:]
                    sc["allowPrivilegeEscalation"] = false
                    c["securityContext"] = sc
                    return c
                })
            }
        }
        var m = meta(name, namespace: namespace, labels: labels, annotations: annotations, owners: [owner])
        var obj: JSONValue = ["metadata": m, "spec": spec]
        var now = m["creationTimestamp"]?.stringValue ?? ""
        if let node, let index = nodeInfo[node]?.index {
            now = stamp()
            obj["status"] = Kubelet.runningStatus(obj, hostIP: "10.0.\(index / 250).\(index % 250 + 10)", nodeIndex: index, &rng, now: now)
        } else {
            obj["status"] = ["phase": "Pending", "qosClass": .string(PodAdmission.qosClass(spec))]
        }
        m["managedFields"] = podFields.entries(metadata: m, spec: template["spec"] ?? [:], ownerUID: owner["uid"]?.stringValue ?? name,
                                               created: m["creationTimestamp"]?.stringValue ?? "", status: obj["status"], statusTime: now)
        obj["metadata"] = m
        return emit(type("pods"), obj)
    }

    /// A settled Deployment: its ReplicaSet `<name>-<hash>` and `replicas` Running pods.
    @discardableResult
    mutating func deployment(_ name: String, namespace: String, template: JSONValue, replicas: Int,
                             labels: [String: String] = [:], owners: [JSONValue] = []) -> JSONValue {
        let selector: JSONValue = ["matchLabels": template["metadata"]?["labels"] ?? [:]]
        let ready = nodes.isEmpty ? 0 : replicas
        let dMeta = meta(name, namespace: namespace, labels: labels.isEmpty ? ["app": name] : labels,
                         annotations: [DeploymentController.revisionAnnotation: "1"], owners: owners)
        var d: JSONValue = [
            "metadata": dMeta,
            "spec": ["replicas": .number(Double(replicas)), "selector": selector, "template": template, "revisionHistoryLimit": 10,
                     "progressDeadlineSeconds": 600,
                     "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]]],
        ]
        d["apiVersion"] = "apps/v1"
        d["kind"] = "Deployment"
        let hash = DeploymentController.templateHash(template)
        var rsTemplate = template
        rsTemplate["metadata"]?["labels"]?[DeploymentController.hashLabel] = .string(hash)
        var rsSelector = selector
        rsSelector["matchLabels"]?[DeploymentController.hashLabel] = .string(hash)
        let rsName = "\(name)-\(hash)"
        var rsLabels = (rsTemplate["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        rsLabels[DeploymentController.hashLabel] = hash
        let rsMeta = meta(rsName, namespace: namespace, labels: rsLabels,
                          annotations: [DeploymentController.revisionAnnotation: "1", "deployment.kubernetes.io/desired-replicas": String(replicas),
                                        "deployment.kubernetes.io/max-replicas": String(replicas + IntOrPercent.scaled("25%", total: replicas, roundUp: true, default: "25%"))],
                          owners: [d.ownerReference()])
        var rs: JSONValue = [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": rsMeta,
            "spec": ["replicas": .number(Double(replicas)), "selector": rsSelector, "template": rsTemplate],
        ]
        rs["status"] = ["replicas": .number(Double(replicas)), "fullyLabeledReplicas": .number(Double(replicas)),
                        "readyReplicas": .number(Double(ready)), "availableReplicas": .number(Double(ready)), "observedGeneration": 1]
        rs = emit(type("replicasets.apps"), rs)
        var used = Set<String>()
        for _ in 0..<replicas {
            var podName = "\(rsName)-\(rng.nameSuffix())"
            while !used.insert(podName).inserted { podName = "\(rsName)-\(rng.nameSuffix())" }
            let node = pickNode()
            pod(podName, namespace: namespace, template: rsTemplate, owner: rs.ownerReference(), ownerName: name, node: node)
        }
        let created = d["metadata"]?["creationTimestamp"] ?? ""
        func condition(_ type: String, _ reason: String, _ message: String) -> JSONValue {
            ["type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message),
             "lastUpdateTime": created, "lastTransitionTime": created]
        }
        d["status"] = ["observedGeneration": 1, "replicas": .number(Double(replicas)), "updatedReplicas": .number(Double(replicas)),
                       "readyReplicas": .number(Double(ready)), "availableReplicas": .number(Double(ready)),
                       "conditions": [condition("Available", "MinimumReplicasAvailable", "Deployment has minimum availability."),
                                      condition("Progressing", "NewReplicaSetAvailable", "ReplicaSet \"" + rsName + "\" has successfully progressed.")]]
        return emit(type("deployments.apps"), d)
    }

    @discardableResult
    mutating func daemonSet(_ name: String, namespace: String, template: JSONValue, on nodeNames: [String],
                            labels: [String: String] = [:], owners: [JSONValue] = []) -> JSONValue {
        let dsMeta = meta(name, namespace: namespace, labels: labels.isEmpty ? ["app.kubernetes.io/name": name] : labels,
                          annotations: ["deprecated.daemonset.template.generation": "1"], owners: owners)
        var ds: JSONValue = [
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": dsMeta,
            "spec": ["selector": ["matchLabels": template["metadata"]?["labels"] ?? [:]], "template": template, "revisionHistoryLimit": 10,
                     "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]]],
        ]
        let hash = DeploymentController.templateHash(template)
        for node in nodeNames {
            let podName = "\(name)-\(rng.nameSuffix())"
            pod(podName, namespace: namespace, template: template, owner: ds.ownerReference(), ownerName: name, node: node,
                extraLabels: [DaemonSetController.revisionLabel: hash, "pod-template-generation": "1"])
        }
        let n = JSONValue.number(Double(nodeNames.count))
        ds["status"] = ["desiredNumberScheduled": n, "currentNumberScheduled": n, "numberMisscheduled": 0, "numberReady": n,
                        "numberAvailable": n, "numberUnavailable": 0, "updatedNumberScheduled": n, "observedGeneration": 1]
        return emit(type("daemonsets.apps"), ds)
    }

    mutating func statefulSet(_ name: String, namespace: String, replicas: Int) {
        let image = "registry.example.com/\(name):\(rng.int(5...16)).\(rng.int(0...9))"
        let template = WorkloadTemplates.podTemplate(app: name, namespace: namespace, labels: ["app": name], image: image, containers: 2, &rng)
        let stsMeta = meta(name, namespace: namespace, labels: ["app": name])
        var sts: JSONValue = [
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": stsMeta,
            "spec": ["replicas": .number(Double(replicas)), "serviceName": .string(name), "selector": ["matchLabels": ["app": .string(name)]],
                     "template": template, "podManagementPolicy": "OrderedReady",
                     "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]]],
        ]
        let revision = "\(name)-\(DeploymentController.templateHash(template))"
        for i in 0..<replicas {
            var t = template
            t["spec"]?["hostname"] = .string("\(name)-\(i)")
            t["spec"]?["subdomain"] = .string(name)
            let node = pickNode()
            pod("\(name)-\(i)", namespace: namespace, template: t, owner: sts.ownerReference(), ownerName: name, node: node,
                extraLabels: [StatefulSetController.revisionLabel: revision, "statefulset.kubernetes.io/pod-name": "\(name)-\(i)",
                              "apps.kubernetes.io/pod-index": String(i)])
        }
        let ready = JSONValue.number(Double(nodes.isEmpty ? 0 : replicas)), n = JSONValue.number(Double(replicas))
        sts["status"] = ["replicas": n, "readyReplicas": ready, "availableReplicas": ready, "currentReplicas": n, "updatedReplicas": n,
                         "currentRevision": .string(revision), "updateRevision": .string(revision), "observedGeneration": 1, "collisionCount": 0]
        emit(type("statefulsets.apps"), sts)
    }

    /// A budget over a Deployment's pods, with the status the disruption controller reports.
    mutating func pdb(for d: JSONValue, minAvailable: Int?, maxUnavailable: String?) {
        let replicas = d.specReplicas
        let healthy = nodes.isEmpty ? 0 : replicas
        let desired = minAvailable ?? max(0, replicas - IntOrPercent.scaled(maxUnavailable.map { .string($0) }, total: replicas, roundUp: true, default: "0"))
        let allowed = max(0, healthy - desired)
        var spec: JSONValue = ["selector": d["spec"]?["selector"] ?? [:]]
        if let minAvailable { spec["minAvailable"] = .number(Double(minAvailable)) }
        if let maxUnavailable { spec["maxUnavailable"] = .string(maxUnavailable) }
        let created = stamp()
        let m = meta(d.name, namespace: d.namespace, labels: ["app": d.name])
        emit(type("poddisruptionbudgets.policy"), [
            "metadata": m, "spec": spec,
            "status": ["observedGeneration": 1, "expectedPods": .number(Double(replicas)), "currentHealthy": .number(Double(healthy)),
                       "desiredHealthy": .number(Double(desired)), "disruptionsAllowed": .number(Double(allowed)),
                       "conditions": [["type": "DisruptionAllowed", "status": allowed > 0 ? "True" : "False",
                                       "reason": allowed > 0 ? "SufficientPods" : "InsufficientPods", "message": "",
                                       "observedGeneration": 1, "lastTransitionTime": .string(created)]]],
        ])
    }
}

extension JSONValue {
    /// A copy whose object at `key` has `value`'s members merged over it.
    func with(_ key: String, merging value: JSONValue) -> JSONValue {
        var out = self
        var inner = out[key]?.objectValue ?? [:]
        for (k, v) in value.objectValue ?? [:] { inner[k] = v }
        out[key] = .object(inner)
        return out
    }
}
