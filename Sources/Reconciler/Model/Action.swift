import KubeClient

/// The order classes of DESIGN.md's "Ordered" rule; a plan sorts by this first.
public enum ActionClass: Int, Sendable, Codable, Comparable, CaseIterable {
    /// ownerReferences, labels, annotations: nothing restarts.
    case metadata = 0
    /// Deleting an orphan (uid precondition, never by name alone).
    case orphanDeletion = 1
    /// Changing a workload's container image: a rollout the workload's strategy paces.
    case imagePatch = 2
    /// Rollout restart or eviction: pods go away; health-gated, counted per node.
    case disruptive = 3

    public static func < (a: ActionClass, b: ActionClass) -> Bool { a.rawValue < b.rawValue }

    public var isDisruptive: Bool { self == .disruptive }
    /// Starts a rollout (an image patch or a restart): the health gate holds it.
    public var startsRollout: Bool { self == .imagePatch || self == .disruptive }
}

/// One write a check proposes. `request` is the exact request a real run sends (a dry run
/// shows it; `--dry-run=server` sends `request.dryRun()`), and it already carries the
/// precondition (a JSON-patch `test` of the resourceVersion, delete preconditions, ...).
public struct Action: Sendable, Equatable {
    public var actionClass: ActionClass
    /// The object written to (for a pod restarted through its Deployment: the Deployment).
    public var target: ObjectRef
    /// Short verb phrase for the report: "add ownerReference to Deployment kubearmor-operator".
    public var summary: String
    public var request: KubeRequest
    /// Nodes whose pods this action disrupts (for `maxPerNode`), once per pod: a restart
    /// of a workload with two pods on node-1 lists node-1 twice. Empty when none.
    public var disruptedNodes: [String]
    /// Labels of the pods a disruptive action replaces (a restarted workload's pod
    /// template): the Planner defers it while a PodDisruptionBudget selecting them allows
    /// no disruption. nil: no budget check (an eviction: the API server checks it).
    public var disruptedPodLabels: [String: String]?
    /// When the oldest problem this action fixes began (RFC 3339): disruptive actions run
    /// oldest first (`FairOrder`).
    public var since: String?
    /// Actions of one group roll out one at a time: at most one per run ("kubearmor": its
    /// DaemonSets and Deployments, each rollout node-wide).
    public var rolloutGroup: String?

    public init(actionClass: ActionClass, target: ObjectRef, summary: String, request: KubeRequest, disruptedNodes: [String] = [],
                disruptedPodLabels: [String: String]? = nil, since: String? = nil, rolloutGroup: String? = nil) {
        self.actionClass = actionClass
        self.target = target
        self.summary = summary
        self.request = request
        self.disruptedNodes = disruptedNodes
        self.disruptedPodLabels = disruptedPodLabels
        self.since = since
        self.rolloutGroup = rolloutGroup
    }
}
