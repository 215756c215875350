import Foundation
import KubeClient

/// Printers of core/v1 kinds, leases and role bindings (printers.go, Kubernetes 1.32).
enum CorePrinters {
    typealias C = TableColumn
    private static func num(_ n: Int) -> JSONValue { PrintHelpers.num(n) }

    static let pod = TablePrinter(columns: [
        .name,
        C(name: "Ready", description: "The aggregate readiness state of this pod for accepting traffic."),
        C(name: "Status", description: "The aggregate status of the containers in this pod."),
        C(name: "Restarts", description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        .age,
        C(name: "IP", description: "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", priority: 1),
        C(name: "Node", description: "NodeName indicates in which node this pod is scheduled.", priority: 1),
        C(name: "Nominated Node", description: "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", priority: 1),
        C(name: "Readiness Gates", description: "If specified, all readiness gates will be evaluated for pod readiness.", priority: 1),
    ], cells: podCells)

    /// printPod: READY counts ready containers, STATUS is the most telling container
    /// reason (init containers first), RESTARTS adds "(Xm ago)" after a restart.
    static func podCells(_ pod: JSONValue) -> [JSONValue] {
        let spec = pod["spec"], status = pod["status"]
        var restarts = 0, ready = 0
        var total = spec?["containers"]?.arrayValue?.count ?? 0
        var lastRestart: Date?
        var reason = status?["reason"]?.stringValue ?? status?["phase"]?.stringValue ?? ""
        if reason.isEmpty { reason = status?["phase"]?.stringValue ?? "" }
        func noteRestart(_ cs: JSONValue) {
            restarts += cs.int("restartCount")
            if let finished = cs.at("lastState", "terminated", "finishedAt")?.stringValue.flatMap(HumanDuration.parse) {
                if lastRestart.map({ finished > $0 }) ?? true { lastRestart = finished }
            }
        }
        let initSpecs = spec?["initContainers"]?.arrayValue ?? []
        let sidecars = Set(initSpecs.filter { $0.str("restartPolicy") == "Always" }.map { $0.str("name") })
        total += sidecars.count
        var initializing = false
        for (i, cs) in (status?["initContainerStatuses"]?.arrayValue ?? []).enumerated() {
            noteRestart(cs)
            let isSidecar = sidecars.contains(cs.str("name"))
            if isSidecar, cs["started"]?.boolValue == true {
                if cs["ready"]?.boolValue == true { ready += 1 }
                continue
            }
            if let t = cs.at("state", "terminated"), t.int("exitCode") == 0 { continue }
            if let t = cs.at("state", "terminated") {
                let r = t.str("reason")
                reason = !r.isEmpty ? "Init:" + r : t.int("signal") != 0 ? "Init:Signal:\(t.int("signal"))" : "Init:ExitCode:\(t.int("exitCode"))"
            } else if let w = cs.at("state", "waiting"), !w.str("reason").isEmpty, w.str("reason") != "PodInitializing" {
                reason = "Init:" + w.str("reason")
            } else {
                reason = "Init:\(i)/\(initSpecs.count)"
            }
            initializing = true
            break
        }
        let conditions = status?["conditions"]?.arrayValue ?? []
        func condition(_ type: String) -> Bool { conditions.contains { $0.str("type") == type && $0.str("status") == "True" } }
        if !initializing || condition("Initialized") {
            restarts = 0
            lastRestart = nil
            for cs in status?["initContainerStatuses"]?.arrayValue ?? [] where sidecars.contains(cs.str("name")) { noteRestart(cs) }
            var hasRunning = false
            for cs in (status?["containerStatuses"]?.arrayValue ?? []).reversed() {
                noteRestart(cs)
                if let w = cs.at("state", "waiting"), !w.str("reason").isEmpty {
                    reason = w.str("reason")
                } else if let t = cs.at("state", "terminated") {
                    let r = t.str("reason")
                    reason = !r.isEmpty ? r : t.int("signal") != 0 ? "Signal:\(t.int("signal"))" : "ExitCode:\(t.int("exitCode"))"
                } else if cs["ready"]?.boolValue == true, cs.at("state", "running") != nil {
                    hasRunning = true
                    ready += 1
                }
            }
            if reason == "Completed", hasRunning { reason = condition("Ready") ? "Running" : "NotReady" }
        }
        if pod.meta("deletionTimestamp") != nil {
            reason = status?["reason"]?.stringValue == "NodeLost" ? "Unknown" : "Terminating"
        }
        var restartText = String(restarts)
        if let lastRestart { restartText += " (\(HumanDuration.elapsed(since: lastRestart)) ago)" }
        let gates = spec?["readinessGates"]?.arrayValue ?? []
        let gateText: String = gates.isEmpty ? "<none>" : {
            let trueGates = gates.filter { condition($0.str("conditionType")) }.count
            return "\(trueGates)/\(gates.count)"
        }()
        return [.string(pod.name), .string("\(ready)/\(total)"), .string(reason), .string(restartText), pod.age,
                .string(PrintHelpers.orNone(status?["podIP"]?.stringValue ?? "")),
                .string(PrintHelpers.orNone(spec?["nodeName"]?.stringValue ?? "")),
                .string(PrintHelpers.orNone(status?["nominatedNodeName"]?.stringValue ?? "")), .string(gateText)]
    }

    static let node = TablePrinter(columns: [
        .name, C(name: "Status", description: "The status of the node"), C(name: "Roles", description: "The roles of the node"), .age,
        C(name: "Version", description: "Kubelet Version reported by the node."),
        C(name: "Internal-IP", description: "List of addresses reachable to the node. Queried from cloud provider, if available.", priority: 1),
        C(name: "External-IP", description: "List of addresses reachable to the node. Queried from cloud provider, if available.", priority: 1),
        C(name: "OS-Image", description: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", priority: 1),
        C(name: "Kernel-Version", description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", priority: 1),
        C(name: "Container-Runtime", description: "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", priority: 1),
    ]) { n in
        var status: [String] = []
        if let ready = n.list("status", "conditions").first(where: { $0.str("type") == "Ready" }) {
            status.append(ready.str("status") == "True" ? "Ready" : "NotReady")
        }
        if status.isEmpty { status.append("Unknown") }
        if n["spec"]?["unschedulable"]?.boolValue == true { status.append("SchedulingDisabled") }
        var roles = Set<String>()
        for (k, v) in n.labels {
            if k.hasPrefix("node-role.kubernetes.io/") { roles.insert(String(k.dropFirst("node-role.kubernetes.io/".count))) }
            else if k == "kubernetes.io/role", !v.isEmpty { roles.insert(v) }
        }
        func address(_ type: String) -> String {
            PrintHelpers.orNone(n.list("status", "addresses").first { $0.str("type") == type }?.str("address") ?? "")
        }
        func info(_ key: String) -> JSONValue {
            let v = n.str("status", "nodeInfo", key)
            return .string(v.isEmpty ? "<unknown>" : v)
        }
        return [.string(n.name), .string(status.joined(separator: ",")),
                .string(roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")), n.age,
                .string(n.str("status", "nodeInfo", "kubeletVersion")), .string(address("InternalIP")), .string(address("ExternalIP")),
                info("osImage"), info("kernelVersion"), info("containerRuntimeVersion")]
    }

    static let namespace = TablePrinter(columns: [.name, C(name: "Status", description: "The status of the namespace"), .age]) { ns in
        [.string(ns.name), .string(ns.str("status", "phase")), ns.age]
    }

    /// printEvent; events.k8s.io/v1 objects are read through the same fields after
    /// the conversion the server does (note -> message, regarding -> involvedObject).
    static let event = TablePrinter(columns: [
        C(name: "Last Seen", description: "The time at which the most recent occurrence of this event was recorded."),
        C(name: "Type", description: "Type of this event (Normal, Warning), new types could be added in the future"),
        C(name: "Reason", description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        C(name: "Object", description: "The object that this event is about."),
        C(name: "Subobject", description: "If the reference is to an object part of a larger object, the path within it (e.g. spec.containers{name}).", priority: 1),
        C(name: "Source", description: "The component reporting this event. Should be a short machine understandable string.", priority: 1),
        C(name: "Message", description: "A human-readable description of the status of this operation."),
        C(name: "First Seen", description: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", priority: 1),
        C(name: "Count", description: "The number of times this event has occurred.", priority: 1),
        C(name: "Name", format: "name", description: TableColumn.nameDoc, priority: 1),
    ]) { e in
        let involved = e["involvedObject"] ?? e["regarding"] ?? [:]
        var first = HumanDuration.since(e["firstTimestamp"]?.stringValue ?? e["deprecatedFirstTimestamp"]?.stringValue)
        if (e["firstTimestamp"]?.stringValue ?? e["deprecatedFirstTimestamp"]?.stringValue) == nil {
            first = HumanDuration.since(e["eventTime"]?.stringValue)
        }
        var last = first
        if let l = e["lastTimestamp"]?.stringValue ?? e["deprecatedLastTimestamp"]?.stringValue { last = HumanDuration.since(l) }
        var count = e["count"]?.intValue ?? e["deprecatedCount"]?.intValue ?? 0
        if let series = e["series"], !series.isNull {
            last = HumanDuration.since(series["lastObservedTime"]?.stringValue)
            count = series.int("count")
        } else if count == 0 {
            count = 1
        }
        let kind = involved.str("kind").lowercased(), name = involved.str("name")
        let component = e.str("source", "component").isEmpty ? e.str("reportingController") : e.str("source", "component")
        let host = e.str("source", "host").isEmpty ? e.str("reportingInstance") : e.str("source", "host")
        return [.string(last), .string(e.str("type")), .string(e.str("reason")), .string(name.isEmpty ? kind : "\(kind)/\(name)"),
                .string(involved.str("fieldPath")), .string(host.isEmpty ? component : "\(component), \(host)"),
                .string((e["message"]?.stringValue ?? e["note"]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)),
                .string(first), num(count), .string(e.name)]
    }

    static let configMap = TablePrinter(columns: [.name, C(name: "Data", type: "string", description: "Data contains the configuration data."), .age]) { cm in
        [.string(cm.name), num((cm["data"]?.objectValue?.count ?? 0) + (cm["binaryData"]?.objectValue?.count ?? 0)), cm.age]
    }

    static let secret = TablePrinter(columns: [
        .name, C(name: "Type", description: "Used to facilitate programmatic handling of secret data."),
        C(name: "Data", description: "Data contains the secret data."), .age,
    ]) { s in
        [.string(s.name), .string(s.str("type")), num(s["data"]?.objectValue?.count ?? 0), s.age]
    }

    static let serviceAccount = TablePrinter(columns: [
        .name, C(name: "Secrets", description: "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), .age,
    ]) { sa in
        [.string(sa.name), num(sa.list("secrets").count), sa.age]
    }

    static let service = TablePrinter(columns: [
        .name, C(name: "Type", description: "type determines how the Service is exposed."),
        C(name: "Cluster-IP", description: "clusterIP is the IP address of the service and is usually assigned randomly."),
        C(name: "External-IP", description: "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
        C(name: "Port(s)", description: "The list of ports that are exposed by this service."), .age,
        C(name: "Selector", description: "Route service traffic to pods with label keys and values matching this selector.", priority: 1),
    ]) { svc in
        let type = svc.str("spec", "type").isEmpty ? "ClusterIP" : svc.str("spec", "type")
        var clusterIP = svc.list("spec", "clusterIPs").first?.stringValue ?? svc.str("spec", "clusterIP")
        if clusterIP.isEmpty { clusterIP = "<none>" }
        var external = svc.list("spec", "externalIPs").compactMap(\.stringValue)
        if type == "ExternalName" { external = [svc.str("spec", "externalName")] }
        if type == "LoadBalancer" {
            external += svc.list("status", "loadBalancer", "ingress").map { $0.str("ip").isEmpty ? $0.str("hostname") : $0.str("ip") }
            if external.isEmpty { external = ["<pending>"] }
        }
        let ports = svc.list("spec", "ports").map { p -> String in
            let proto = p.str("protocol").isEmpty ? "TCP" : p.str("protocol")
            let node = p.int("nodePort")
            return node > 0 ? "\(p.int("port")):\(node)/\(proto)" : "\(p.int("port"))/\(proto)"
        }
        return [.string(svc.name), .string(type), .string(clusterIP), .string(external.isEmpty ? "<none>" : external.joined(separator: ",")),
                .string(ports.isEmpty ? "<none>" : ports.joined(separator: ",")), svc.age,
                .string(PrintHelpers.formatLabels(svc["spec"]?["selector"]))]
    }

    static let lease = TablePrinter(columns: [
        .name, C(name: "Holder", description: "holderIdentity contains the identity of the holder of a current lease."), .age,
    ]) { l in
        [.string(l.name), .string(l.str("spec", "holderIdentity")), l.age]
    }

    /// RoleBinding and ClusterRoleBinding.
    static let roleBinding = TablePrinter(columns: [
        .name, C(name: "Role", description: "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace."), .age,
        C(name: "Users", description: "Users in the roleBinding", priority: 1),
        C(name: "Groups", description: "Groups in the roleBinding", priority: 1),
        C(name: "ServiceAccounts", description: "ServiceAccounts in the roleBinding", priority: 1),
    ]) { b in
        let subjects = b.list("subjects")
        func names(_ kind: String) -> String {
            subjects.filter { $0.str("kind") == kind }.map {
                kind == "ServiceAccount" ? "\($0.str("namespace"))/\($0.str("name"))" : $0.str("name")
            }.joined(separator: ", ")
        }
        return [.string(b.name), .string("\(b.str("roleRef", "kind"))/\(b.str("roleRef", "name"))"), b.age,
                .string(names("User")), .string(names("Group")), .string(names("ServiceAccount"))]
    }
}
