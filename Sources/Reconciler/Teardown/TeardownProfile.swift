import KubeClient

/// A teardown profile: data (YAML, schema `kreconcile.io/v1alpha1` `TeardownProfile`, see
/// the README) naming ordered steps. Each step selects objects, acts on them (delete or
/// scale to zero) and waits for something before the next step starts.
public struct TeardownProfile: Sendable, Equatable {
    public var name: String
    /// The namespace of namespaced selectors that name none; `--namespace` overrides it.
    public var namespace: String?
    public var steps: [Step]

    public struct Step: Sendable, Equatable {
        public var name: String
        public var objects: [Selector]
        public var action: Action
        /// Deletes only; Foreground unless the profile says otherwise, so an owner is gone
        /// only once its dependents are (the garbage collector deletes them first).
        public var propagation: DeleteOptions.Propagation
        public var waitFor: Set<Wait>
        /// Per-step deadline, seconds.
        public var timeoutSeconds: Double
        /// Runs only when `--delete-crds` is given.
        public var onlyWithDeleteCRDs: Bool
        /// A workload to run while the selected objects wait on their finalizers: the
        /// controller that removes them (see the kubearmor profile's KubeArmorConfig step).
        public var finalizedBy: FinalizedBy?
    }

    public enum Action: String, Sendable, Equatable, CaseIterable {
        case delete
        case scaleToZero
    }

    public enum Wait: String, Sendable, Equatable, CaseIterable, Comparable {
        /// Every selected object seen at the step's start is gone from the API (404, or its
        /// name now belongs to another uid); an object held by finalizers is not gone.
        case deleted
        /// The pods a selected workload's `spec.selector` matches are gone.
        case podsGone

        public static func < (a: Wait, b: Wait) -> Bool { a.rawValue < b.rawValue }
    }

    /// Which objects: a kind (API group + kind; the served version is found by discovery),
    /// and one of names, a label selector, a controlling owner's group and kind, or `all`.
    public struct Selector: Sendable, Equatable {
        public var group: String
        public var kind: String
        /// nil: the profile's namespace for namespaced kinds; ignored for cluster-scoped kinds.
        public var namespace: String?
        public var match: Match
    }

    public enum Match: Sendable, Equatable {
        case names([String])
        /// Every object of the kind in the namespace (cluster-wide for cluster-scoped kinds).
        case all
        case labelSelector(String)
        /// Objects whose controller ownerReference points at this group and kind
        /// (`*` = any kind of the group). Matched by group, never by the literal apiVersion.
        case ownedBy(group: String, kind: String)
    }

    public struct FinalizedBy: Sendable, Equatable {
        public var group: String
        public var kind: String
        public var name: String
        /// Only the finalizers this workload removes make it run.
        public var finalizers: [String]
        public var replicas: Int
    }
}

/// Kinds whose `spec.replicas` can be set, and the ones with pods to wait for.
enum WorkloadKinds {
    static let scalable: Set<String> = ["apps/Deployment", "apps/StatefulSet", "apps/ReplicaSet"]
    static let withPods: Set<String> = scalable.union(["apps/DaemonSet", "batch/Job"])

    static func key(_ group: String, _ kind: String) -> String { "\(group)/\(kind)" }
}
