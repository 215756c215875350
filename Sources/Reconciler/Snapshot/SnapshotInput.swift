import KubeClient

/// An API group and kind, without version: how records are filed in a Snapshot, so a
/// check reads the same records whichever version the server (or a file) served.
public struct GroupKind: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var group: String
    public var kind: String

    public init(_ group: String, _ kind: String) {
        self.group = group
        self.kind = kind
    }

    public init(apiVersion: String, kind: String) {
        let parts = apiVersion.split(separator: "/", maxSplits: 1)
        self.group = parts.count == 2 ? String(parts[0]) : ""
        self.kind = kind
    }

    public var description: String { group.isEmpty ? kind : "\(kind).\(group)" }
    public static func < (a: GroupKind, b: GroupKind) -> Bool { (a.group, a.kind) < (b.group, b.kind) }

    /// The kind of a `.group` input: stands for every kind of the group.
    public static let anyKind = "*"

    public static let namespace = GroupKind("", "Namespace")
    public static let pod = GroupKind("", "Pod")
    public static let deployment = GroupKind("apps", "Deployment")
    public static let daemonSet = GroupKind("apps", "DaemonSet")
    public static let statefulSet = GroupKind("apps", "StatefulSet")
}

/// One kind of object a check reads. Checks declare these; the SnapshotLoader lists each
/// kind once (merging declarations), so a new check only declares what it needs.
public struct SnapshotInput: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// Always served by a conforming API server.
        case builtIn(ResourceDescriptor)
        /// Served only when an add-on is installed (a CRD) or in some versions: discovery
        /// picks the first of `versions` the server serves; none served = unavailable.
        case discovered(group: String, versions: [String], plural: String, kind: String)
        /// Every kind the first served of `versions` of `group` has (Gatekeeper constraints:
        /// one kind per ConstraintTemplate in constraints.gatekeeper.sh). Records are filed
        /// under their own kinds; `Snapshot.objects(inGroup:)` returns them all.
        case group(String, versions: [String])
    }

    /// What is kept of each object.
    public enum Shape: Sendable, Hashable {
        case pod
        /// Deployment, DaemonSet or StatefulSet.
        case workload
        /// Metadata only (listed as PartialObjectMetadata, so e.g. Secret data is never
        /// read), plus `spec` when `keepSpec` (custom resources whose spec a check reads).
        case object(keepSpec: Bool)
    }

    public var source: Source
    /// An optional input may be missing (CRD not installed): checks that need it report
    /// "not applicable". A missing required input fails the run.
    public var optional: Bool
    public var shape: Shape

    public init(_ source: Source, optional: Bool = false, shape: Shape) {
        self.source = source
        self.optional = optional
        self.shape = shape
    }

    public static func builtIn(_ r: ResourceDescriptor, shape: Shape = .object(keepSpec: false)) -> SnapshotInput {
        SnapshotInput(.builtIn(r), optional: false, shape: shape)
    }

    public var groupKind: GroupKind {
        switch source {
        case .builtIn(let r): return GroupKind(r.group, r.kind)
        case .discovered(let group, _, _, let kind): return GroupKind(group, kind)
        case .group(let group, _): return GroupKind(group, GroupKind.anyKind)
        }
    }

    /// Merges declarations of the same kind: required wins over optional, a kept spec over
    /// metadata only, pod/workload shapes over plain objects.
    static func merged(_ inputs: [SnapshotInput]) -> [SnapshotInput] {
        var byKind: [GroupKind: SnapshotInput] = [:]
        for input in inputs {
            guard var existing = byKind[input.groupKind] else { byKind[input.groupKind] = input; continue }
            existing.optional = existing.optional && input.optional
            switch (existing.shape, input.shape) {
            case (.object(let a), .object(let b)): existing.shape = .object(keepSpec: a || b)
            case (.object, let other): existing.shape = other
            default: break
            }
            byKind[input.groupKind] = existing
        }
        return byKind.keys.sorted().map { byKind[$0]! }
    }

    /// Namespaces are always listed: the opt-out label/annotation may sit on them.
    static let namespaces = SnapshotInput.builtIn(.namespaces)
}
