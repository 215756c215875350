import KubeClient

/// Everything a run is told by its settings file (`--config`). Every field is optional in
/// the file; `Settings.defaults` holds the documented defaults (`Settings.defaultsYAML`
/// prints them), CLI flags override after loading.
public struct Settings: Sendable, Equatable {
    public var budgets: Budgets
    /// Namespaces kreconcile never acts in (nor reports on).
    public var excludeNamespaces: [String]
    /// Label or annotation key that opts an object, or every object of a namespace, out
    /// when its value is "true".
    public var optOutKey: String
    public var lock: LockSettings
    public var timeouts: TimeoutSettings
    public var client: ClientSettings
    public var checks: CheckSettings

    public init(budgets: Budgets = Budgets(), excludeNamespaces: [String] = Settings.defaultExcludedNamespaces,
                optOutKey: String = Settings.defaultOptOutKey, lock: LockSettings = LockSettings(),
                timeouts: TimeoutSettings = TimeoutSettings(), client: ClientSettings = ClientSettings(),
                checks: CheckSettings = CheckSettings(registry: Checks.all)) {
        self.budgets = budgets
        self.excludeNamespaces = excludeNamespaces
        self.optOutKey = optOutKey
        self.lock = lock
        self.timeouts = timeouts
        self.client = client
        self.checks = checks
    }

    public static let defaultExcludedNamespaces = ["kube-system", "kube-public", "kube-node-lease"]
    public static let defaultOptOutKey = "kreconcile.io/skip"

    public static let defaults = Settings()
}

/// How much one run may change (DESIGN.md "Bounded" and "Health-gated").
public struct Budgets: Sendable, Equatable {
    /// Actions applied per run, in total.
    public var maxChanges: Int
    /// Actions per namespace per run.
    public var maxPerNamespace: Int
    /// Pod disruptions per node per run (disruptive actions only).
    public var maxPerNode: Int
    /// Disruptive actions are planned only while fewer workloads than this are rolling out
    /// or unavailable.
    public var maxUnhealthyWorkloads: Int

    public init(maxChanges: Int = 20, maxPerNamespace: Int = 5, maxPerNode: Int = 2, maxUnhealthyWorkloads: Int = 1) {
        self.maxChanges = maxChanges
        self.maxPerNamespace = maxPerNamespace
        self.maxPerNode = maxPerNode
        self.maxUnhealthyWorkloads = maxUnhealthyWorkloads
    }
}

/// The `coordination.k8s.io/v1` Lease that keeps two runs from acting together.
public struct LockSettings: Sendable, Equatable {
    public var name: String
    /// nil = the namespace the run is in (in-cluster namespace file, else the kubeconfig's).
    public var namespace: String?
    public var leaseDurationSeconds: Int

    public init(name: String = "kreconcile", namespace: String? = nil, leaseDurationSeconds: Int = 60) {
        self.name = name
        self.namespace = namespace
        self.leaseDurationSeconds = leaseDurationSeconds
    }
}

public struct TimeoutSettings: Sendable, Equatable {
    /// No new write starts after this many seconds from the start of the run.
    public var runDeadlineSeconds: Int
    /// One HTTP request, including retries' waits.
    public var requestSeconds: Int

    public init(runDeadlineSeconds: Int = 300, requestSeconds: Int = 30) {
        self.runDeadlineSeconds = runDeadlineSeconds
        self.requestSeconds = requestSeconds
    }
}

public struct ClientSettings: Sendable, Equatable {
    public var qps: Double
    public var burst: Int
    /// `limit` of each list page.
    public var pageSize: Int

    public init(qps: Double = 20, burst: Int = 40, pageSize: Int = 500) {
        self.qps = qps
        self.burst = burst
        self.pageSize = pageSize
    }
}
