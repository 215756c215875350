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
    /// Run records in the cluster (History/HistorySettings.swift).
    public var history = HistorySettings()
    /// The blast-radius breaker (Safety/).
    public var safety = SafetySettings()
    /// When actions may run (Windows/).
    public var maintenance = MaintenanceSettings()
    /// One POST per run (Notify/); nil = none.
    public var notify: NotifySettings?

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

    /// The longest request the Lease allows: a write started just before the renew deadline
    /// ends before the Lease may be taken over, and a renewal that times out leaves time for
    /// another before the deadline.
    public var maxRequestSeconds: Int {
        min(lock.leaseDurationSeconds - lock.renewDeadline, lock.renewDeadline - 1)
    }
}

/// How much one run may change (DESIGN.md "Bounded" and "Health-gated").
public struct Budgets: Sendable, Equatable {
    /// Actions applied per run, in total.
    public var maxChanges: Int
    /// Actions per namespace per run.
    public var maxPerNamespace: Int
    /// Pod disruptions per node per run (disruptive actions only).
    public var maxPerNode: Int
    /// Actions that start a rollout are planned only while fewer workloads than this are rolling out
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
    /// How long another run waits, watching an unrenewed Lease, before it takes it over.
    public var leaseDurationSeconds: Int
    /// No write starts later than this after the last successful renewal; less than the
    /// duration (client-go's RenewDeadline). nil = two thirds of the duration, as client-go's
    /// core defaults (10 s of 15 s).
    public var renewDeadlineSeconds: Int?

    public init(name: String = "kreconcile", namespace: String? = nil, leaseDurationSeconds: Int = 60, renewDeadlineSeconds: Int? = nil) {
        self.name = name
        self.namespace = namespace
        self.leaseDurationSeconds = leaseDurationSeconds
        self.renewDeadlineSeconds = renewDeadlineSeconds
    }

    /// The renew deadline in effect.
    public var renewDeadline: Int { renewDeadlineSeconds ?? max(1, leaseDurationSeconds * 2 / 3) }
}

public struct TimeoutSettings: Sendable, Equatable {
    /// No new write starts after this many seconds from the start of the run.
    public var runDeadlineSeconds: Int
    /// One HTTP request attempt (the transport's timeout).
    public var requestSeconds: Int

    public init(runDeadlineSeconds: Int = 300, requestSeconds: Int = 20) {
        self.runDeadlineSeconds = runDeadlineSeconds
        self.requestSeconds = requestSeconds
    }
}

/// Client defaults for big clusters, as Kubernetes clients choose them today: no
/// client-side rate limit; the API server's API Priority and Fairness (on by default since
/// 1.20, GA in 1.29) queues or rejects with 429 + Retry-After, and the client waits that long
/// (KubeClient's RetryPolicy, like client-go rest/request.go). controller-runtime disables its
/// client-side limiter by default on SIG API Machinery's advice (kubernetes-sigs/
/// controller-runtime#3119), and kubernetes/kubernetes#111880 asks the same of client-go. A
/// token bucket of 20/s would add ~13 s of waits to listing 150k pods in pages of 500.
public struct ClientSettings: Sendable, Equatable {
    /// Client-side requests per second; 0 = no client-side limit (the default).
    public var qps: Double
    /// Requests above `qps` allowed at once (only with qps > 0).
    public var burst: Int
    /// `limit` of each list page.
    public var pageSize: Int

    public init(qps: Double = 0, burst: Int = 40, pageSize: Int = 500) {
        self.qps = qps
        self.burst = burst
        self.pageSize = pageSize
    }
}
