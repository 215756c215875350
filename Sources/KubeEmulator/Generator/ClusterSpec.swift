/// What `ClusterGenerator` builds. `pods` is the total number of pods in the cluster:
/// system workloads, DaemonSet and StatefulSet pods come first, Deployments share the rest.
public struct ClusterSpec: Sendable, Equatable {
    public var nodes: Int
    public var namespaces: Int
    /// nil: one Deployment per ~8 application pods.
    public var deployments: Int?
    public var pods: Int
    public var daemonsets: Int
    public var statefulsets: Int
    public var pdbs: Int
    public var seed: UInt64
    /// 0...1: how often each of DESIGN.md's five problems shows up where it can; with 0
    /// neither KubeArmor nor Gatekeeper objects are generated.
    public var problemRate: Double

    public init(nodes: Int = 3, namespaces: Int = 2, deployments: Int? = nil, pods: Int = 30, daemonsets: Int = 1,
                statefulsets: Int = 1, pdbs: Int = 2, seed: UInt64 = 1, problemRate: Double = 0) {
        self.nodes = nodes
        self.namespaces = namespaces
        self.deployments = deployments
        self.pods = pods
        self.daemonsets = daemonsets
        self.statefulsets = statefulsets
        self.pdbs = pdbs
        self.seed = seed
        self.problemRate = problemRate
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The keys `--generate` accepts, with what they mean (for --help).
    public static let keys: [(key: String, help: String)] = [
        ("pods", "total pods (default 30)"), ("nodes", "Nodes (default 3)"), ("namespaces", "application namespaces (default 2)"),
        ("deployments", "Deployments (default pods/8)"), ("daemonsets", "DaemonSets (default 1)"),
        ("statefulsets", "StatefulSets of 3 (default 1)"), ("pdbs", "PodDisruptionBudgets (default 2)"),
        ("seed", "RNG seed (default 1)"), ("problems", "rate 0..1 of the five known problems (default 0: none)"),
    ]

    /// "pods=150000,nodes=50,seed=7,problems=0.05"
    public init(parsing text: String) throws(ParseError) {
        self.init()
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[1].isEmpty else { throw ParseError(description: "--generate: expected key=value, got \"\(item)\"") }
            let (key, value) = (parts[0], parts[1])
            guard Self.keys.contains(where: { $0.key == key }) else {
                throw ParseError(description: "--generate: unknown key \"\(key)\" (known: \(Self.keys.map(\.key).joined(separator: ", ")))")
            }
            if key == "problems" {
                guard let rate = Double(value), (0...1).contains(rate) else {
                    throw ParseError(description: "--generate: problems must be a number from 0 to 1, got \"\(value)\"")
                }
                problemRate = rate
                continue
            }
            if key == "seed" {
                guard let s = UInt64(value) else { throw ParseError(description: "--generate: seed must be a non-negative integer, got \"\(value)\"") }
                seed = s
                continue
            }
            guard let n = Int(value), n >= 0 else {
                throw ParseError(description: "--generate: \(key) must be a non-negative integer, got \"\(value)\"")
            }
            switch key {
            case "pods": pods = n
            case "nodes": nodes = n
            case "namespaces": namespaces = max(1, n)
            case "deployments": deployments = n
            case "daemonsets": daemonsets = n
            case "statefulsets": statefulsets = n
            case "pdbs": pdbs = n
            default:
                throw ParseError(description: "--generate: unknown key \"\(key)\" (known: \(Self.keys.map(\.key).joined(separator: ", ")))")
            }
        }
    }
}
