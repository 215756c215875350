import Foundation
import KubeClient

/// Table printers of built-in kinds, keyed by `plural.group`. Columns and cell rules follow
/// pkg/printers/internalversion/printers.go (Kubernetes 1.32) for the common cases; kinds
/// missing here use the default convertor (Name, Created At), as upstream does.
enum BuiltInPrinters {
    static let all: [String: TablePrinter] = {
        var m: [String: TablePrinter] = [:]
        m["pods"] = CorePrinters.pod
        m["nodes"] = CorePrinters.node
        m["namespaces"] = CorePrinters.namespace
        m["events"] = CorePrinters.event
        m["events.events.k8s.io"] = CorePrinters.event
        m["configmaps"] = CorePrinters.configMap
        m["secrets"] = CorePrinters.secret
        m["serviceaccounts"] = CorePrinters.serviceAccount
        m["services"] = CorePrinters.service
        m["leases.coordination.k8s.io"] = CorePrinters.lease
        m["rolebindings.rbac.authorization.k8s.io"] = CorePrinters.roleBinding
        m["clusterrolebindings.rbac.authorization.k8s.io"] = CorePrinters.roleBinding
        m["deployments.apps"] = WorkloadPrinters.deployment
        m["replicasets.apps"] = WorkloadPrinters.replicaSet
        m["daemonsets.apps"] = WorkloadPrinters.daemonSet
        m["statefulsets.apps"] = WorkloadPrinters.statefulSet
        m["jobs.batch"] = WorkloadPrinters.job
        m["cronjobs.batch"] = WorkloadPrinters.cronJob
        m["poddisruptionbudgets.policy"] = WorkloadPrinters.podDisruptionBudget
        return m
    }()
}

/// Small readers shared by the printers.
extension JSONValue {
    func at(_ path: String...) -> JSONValue? { value(at: path) }
    func str(_ path: String...) -> String { value(at: path)?.stringValue ?? "" }
    func int(_ path: String...) -> Int { value(at: path)?.intValue ?? 0 }
    func list(_ path: String...) -> [JSONValue] { value(at: path)?.arrayValue ?? [] }
    var age: JSONValue { .string(HumanDuration.since(meta("creationTimestamp"))) }
}

enum PrintHelpers {
    static func num(_ n: Int) -> JSONValue { .number(Double(n)) }
    static func orNone(_ s: String) -> String { s.isEmpty ? "<none>" : s }

    /// labels.FormatLabels: sorted k=v pairs, "<none>" when empty.
    static func formatLabels(_ v: JSONValue?) -> String {
        let pairs = (v?.objectValue ?? [:]).compactMap { k, v in v.stringValue.map { "\(k)=\($0)" } }.sorted()
        return pairs.isEmpty ? "<none>" : pairs.joined(separator: ",")
    }

    /// metav1.LabelSelectorAsSelector(...).String(); nil selects nothing, {} everything.
    static func selector(_ v: JSONValue?) -> String {
        guard let v, !v.isNull else { return "<none>" }
        var parts: [(String, String)] = (v["matchLabels"]?.objectValue ?? [:]).compactMap { k, val in
            val.stringValue.map { (k, "\(k)=\($0)") }
        }
        for e in v["matchExpressions"]?.arrayValue ?? [] {
            let key = e.str("key")
            let values = e.list("values").compactMap(\.stringValue).sorted().joined(separator: ",")
            switch e.str("operator") {
            case "In": parts.append((key, "\(key) in (\(values))"))
            case "NotIn": parts.append((key, "\(key) notin (\(values))"))
            case "Exists": parts.append((key, key))
            case "DoesNotExist": parts.append((key, "!\(key)"))
            default: continue
            }
        }
        let text = parts.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: ",")
        return text.isEmpty ? "<none>" : text
    }

    /// The wide Containers and Images cells of a pod template.
    static func containersAndImages(_ podSpec: JSONValue?) -> [JSONValue] {
        let containers = podSpec?["containers"]?.arrayValue ?? []
        return [.string(containers.map { $0.str("name") }.joined(separator: ",")),
                .string(containers.map { $0.str("image") }.joined(separator: ","))]
    }

    /// An IntOrString as printed ("25%" or "1").
    static func intOrString(_ v: JSONValue?) -> String? {
        switch v {
        case .string(let s)?: return s
        case .number(let n)?: return String(Int(n))
        default: return nil
        }
    }
}
