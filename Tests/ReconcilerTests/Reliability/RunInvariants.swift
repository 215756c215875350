import Foundation
import KubeClient
import KubeEmulator
import Reconciler

/// DESIGN.md's engine rules, checked from the emulator's request log of one run and the
/// cluster state the run started from (never from the run's own report).
struct RunInvariants {
    let settings: Settings
    let mode: RunMode
    /// "resource/namespace/name" of objects opted out (label or annotation), and namespaces opted out.
    private var optedOut: Set<String> = []
    private var optedOutNamespaces: Set<String> = []
    /// "namespace/name" of pods without a controller, with their node and labels.
    private var barePods: Set<String> = []
    private var podNode: [String: String] = [:]
    private var podLabels: [String: [String: String]] = [:]
    /// PodDisruptionBudgets: namespace, matchLabels, disruptionsAllowed at the start.
    private var budgets: [(namespace: String, name: String, selector: [String: String], allowed: Int)] = []

    /// Reads what the checks need from the cluster before the run.
    init(settings: Settings, mode: RunMode, before emulator: KubeEmulator) {
        self.settings = settings
        self.mode = mode
        let key = settings.optOutKey
        func isOptedOut(_ o: JSONValue) -> Bool {
            o["metadata"]?["labels"]?[key]?.stringValue == "true" || o["metadata"]?["annotations"]?[key]?.stringValue == "true"
        }
        for ns in emulator.objects("namespaces", namespace: nil) where isOptedOut(ns) {
            optedOutNamespaces.insert(ns["metadata"]?["name"]?.stringValue ?? "")
        }
        for resource in Self.watchedResources {
            for o in emulator.objects(resource, namespace: nil) where isOptedOut(o) {
                optedOut.insert("\(resource)/\(o["metadata"]?["namespace"]?.stringValue ?? "")/\(o["metadata"]?["name"]?.stringValue ?? "")")
            }
        }
        for pod in emulator.objects("pods", namespace: nil) {
            let id = "\(pod["metadata"]?["namespace"]?.stringValue ?? "")/\(pod["metadata"]?["name"]?.stringValue ?? "")"
            let owners = pod["metadata"]?["ownerReferences"]?.arrayValue ?? []
            if !owners.contains(where: { $0["controller"]?.boolValue == true }) { barePods.insert(id) }
            podNode[id] = pod["spec"]?["nodeName"]?.stringValue
            podLabels[id] = (pod["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        }
        for pdb in emulator.objects("poddisruptionbudgets", namespace: nil) {
            let selector = (pdb["spec"]?["selector"]?["matchLabels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            budgets.append((pdb["metadata"]?["namespace"]?.stringValue ?? "", pdb["metadata"]?["name"]?.stringValue ?? "", selector,
                            pdb["status"]?["disruptionsAllowed"]?.intValue ?? 0))
        }
    }

    static let watchedResources = ["pods", "deployments", "daemonsets", "statefulsets", "replicasets", "configmaps", "secrets",
                                   "serviceaccounts", "services", "roles", "rolebindings", "validatingadmissionpolicies",
                                   "validatingadmissionpolicybindings"]

    /// Requests that change something on behalf of a finding: not the Lease, not Events, not
    /// the run's own record (run history), not reads.
    static func actionWrites(_ requests: [RequestRecord]) -> [RequestRecord] {
        requests.filter { $0.method != "GET" && $0.method != "HEAD" && $0.resource != "leases" && $0.resource != "events" && !isRunRecord($0) }
    }

    static func isRunRecord(_ r: RequestRecord) -> Bool {
        isRunRecord(method: r.method, configMap: r.resource == "configmaps", name: r.name ?? "", body: r.body)
    }

    /// A run record's create or prune: a ConfigMap labelled with RecordCodec.runIDLabel, named
    /// by RecordCodec.name (<lock>-run-<id>). `name` may be the whole URL.
    static func isRunRecord(method: String, configMap: Bool, name: String, body: Data?) -> Bool {
        guard configMap else { return false }
        if method == "POST" { return body.map { String(decoding: $0, as: UTF8.self).contains("\"\(RecordCodec.runIDLabel)\"") } ?? false }
        return method == "DELETE" && name.contains("-run-")
    }

    /// One action, whatever its precondition: a retry of the same write has the same key.
    static func actionKey(_ r: RequestRecord) -> String {
        var what = ""
        if r.method == "PATCH", let body = r.body, let parsed = try? JSONSerialization.jsonObject(with: body) {
            if r.contentType == MediaType.strategicMergePatch {
                what = "restart"
            } else {
                // The same change whatever its precondition: drop `test` ops, sort keys.
                let ops: [Any] = (parsed as? [[String: Any]])?.filter { $0["op"] as? String != "test" } ?? [parsed]
                what = (try? JSONSerialization.data(withJSONObject: ops, options: [.sortedKeys, .fragmentsAllowed]))
                    .map { String(decoding: $0, as: UTF8.self) } ?? ""
            }
        }
        return "\(r.method) \(r.path) \(what)"
    }

    /// Every broken rule, one line each; empty when the run kept them all.
    func violations(_ requests: [RequestRecord]) -> [String] {
        var out: [String] = []
        if mode == .clientDryRun || mode == .offline {
            for r in requests where r.method != "GET" && r.method != "HEAD" { out.append("dry run wrote: \(r.method) \(r.path)") }
            return out
        }
        let writes = Self.actionWrites(requests)
        if mode == .serverDryRun {
            for r in requests where r.method != "GET" && !r.dryRun { out.append("server dry run persisted: \(r.method) \(r.path)") }
        }
        // Budgets: distinct actions (a retry is the same action).
        var keys: [String: RequestRecord] = [:]
        for w in writes { keys[Self.actionKey(w)] = w }
        if keys.count > settings.budgets.maxChanges {
            out.append("\(keys.count) actions > maxChanges \(settings.budgets.maxChanges)")
        }
        for (ns, group) in Dictionary(grouping: keys, by: { $0.value.namespace ?? "" }) where !ns.isEmpty && group.count > settings.budgets.maxPerNamespace {
            out.append("\(group.count) actions in namespace \(ns) > maxPerNamespace \(settings.budgets.maxPerNamespace): \(group.map(\.key).sorted())")
        }
        // Applied twice within the run: the server handled the same action twice.
        for (key, records) in Dictionary(grouping: writes.filter { (200..<300).contains($0.status) }, by: Self.actionKey) where records.count > 1 {
            out.append("action applied \(records.count) times: \(key)")
        }
        let evictions = writes.filter { $0.resource == "pods/eviction" || ($0.resource == "pods" && $0.method == "DELETE") }
        for (node, n) in Dictionary(grouping: evictions.compactMap { podNode["\($0.namespace ?? "")/\($0.name ?? "")"] }, by: { $0 }).mapValues(\.count)
        where n > settings.budgets.maxPerNode {
            out.append("\(n) pod disruptions on node \(node) > maxPerNode \(settings.budgets.maxPerNode)")
        }
        for w in writes {
            let ns = w.namespace ?? ""
            let base = (w.resource ?? "").split(separator: "/").first.map(String.init) ?? ""
            if settings.excludeNamespaces.contains(ns) { out.append("write in excluded namespace: \(w.method) \(w.path)") }
            if optedOutNamespaces.contains(ns) || optedOut.contains("\(base)/\(ns)/\(w.name ?? "")") {
                out.append("write on an opted-out object: \(w.method) \(w.path)")
            }
            if base == "pods", barePods.contains("\(ns)/\(w.name ?? "")") { out.append("disrupted a bare pod: \(w.method) \(w.path)") }
            if w.method == "DELETE" {
                let uid = w.body.flatMap { try? JSONValue.parse($0) }?["preconditions"]?["uid"]?.stringValue ?? ""
                if uid.isEmpty { out.append("delete without a uid precondition: \(w.path)") }
            }
        }
        // Each budget's allowed disruptions, counted from the evictions the server granted.
        for b in budgets where !b.selector.isEmpty {
            let granted = evictions.filter { e in
                guard (200..<300).contains(e.status), e.namespace == b.namespace,
                      let labels = podLabels["\(e.namespace ?? "")/\(e.name ?? "")"] else { return false }
                return b.selector.allSatisfy { labels[$0.key] == $0.value }
            }.count
            if granted > b.allowed { out.append("\(granted) evictions under PodDisruptionBudget \(b.namespace)/\(b.name) allowing \(b.allowed)") }
        }
        return out
    }
}
