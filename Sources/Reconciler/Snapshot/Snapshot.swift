import Foundation
import KubeClient

/// What one run listed, as compact records (never raw JSON trees). Records are sorted by
/// namespace and name, so checks see the same order however the lists were fetched.
public struct Snapshot: Sendable {
    public private(set) var pods: [PodRecord]
    public private(set) var workloads: [WorkloadRecord]
    private var objectsByKind: [GroupKind: [ObjectRecord]]
    /// Kinds that were listed (or present in the snapshot files).
    public private(set) var listed: Set<GroupKind>
    /// Optional inputs that are not served, with why: "operator.kubearmor.com/v1 kubearmorconfigs is not served".
    public private(set) var unavailable: [GroupKind: String]
    private var namespaceIndex: [String: ObjectRecord]
    private var metaByUID: [String: MetaRecord]
    /// When the listing started (nil for snapshot files): the time a rollout restart
    /// stamps, so one snapshot always gives the same plan.
    public var takenAt: Date?

    public init(pods: [PodRecord] = [], workloads: [WorkloadRecord] = [], objects: [ObjectRecord] = [],
                listed: Set<GroupKind>? = nil, unavailable: [GroupKind: String] = [:]) {
        func key(_ m: MetaRecord) -> (String, String, String) { (m.namespace ?? "", m.name, m.uid) }
        // A server lists pods in this order already: keep that array rather than a sorted copy.
        let podOrder = { (a: PodRecord, b: PodRecord) in key(a.meta) < key(b.meta) }
        self.pods = zip(pods, pods.dropFirst()).allSatisfy({ !podOrder($1, $0) }) ? pods : pods.sorted(by: podOrder)
        self.workloads = workloads.sorted { ($0.kind, $0.meta.namespace ?? "", $0.meta.name) < ($1.kind, $1.meta.namespace ?? "", $1.meta.name) }
        var byKind: [GroupKind: [ObjectRecord]] = [:]
        for o in objects { byKind[GroupKind(apiVersion: o.apiVersion, kind: o.kind), default: []].append(o) }
        self.objectsByKind = byKind.mapValues { $0.sorted { key($0.meta) < key($1.meta) } }
        var seen = Set(byKind.keys)
        if !pods.isEmpty { seen.insert(.pod) }
        for w in workloads { seen.insert(w.groupKind) }
        self.listed = listed ?? seen
        self.unavailable = unavailable
        self.namespaceIndex = Dictionary(byKind[.namespace, default: []].map { ($0.meta.name, $0) }, uniquingKeysWith: { a, _ in a })
        var metas: [String: MetaRecord] = [:]
        metas.reserveCapacity(workloads.count + objects.count)
        // Pods are found by binary search in `pods` instead, and everything by name in its
        // sorted kind: more entries per object would cost more than the objects themselves
        // on a big cluster.
        for w in workloads where !w.meta.uid.isEmpty { metas[w.meta.uid] = w.meta }
        for o in objects where !o.meta.uid.isEmpty { metas[o.meta.uid] = o.meta }
        self.metaByUID = metas
    }

    /// Objects of one kind. Workload kinds listed as workloads are returned as metadata records too.
    public func objects(_ kind: GroupKind) -> [ObjectRecord] {
        if let objects = objectsByKind[kind] { return objects }
        return workloads.filter { $0.groupKind == kind }.map { ObjectRecord(apiVersion: $0.apiVersion, kind: $0.kind, meta: $0.meta) }
    }

    /// Objects of every kind of an API group (a `.group` input), sorted by kind, namespace, name.
    public func objects(inGroup group: String) -> [ObjectRecord] {
        objectsByKind.keys.filter { $0.group == group }.sorted().flatMap { objectsByKind[$0]! }
    }

    public func workloads(_ kind: GroupKind) -> [WorkloadRecord] { workloads.filter { $0.groupKind == kind } }

    public func namespace(_ name: String) -> ObjectRecord? { namespaceIndex[name] }

    /// Metadata of any object in the snapshot by uid (opt-out labels of an action's target).
    public func meta(uid: String) -> MetaRecord? { metaByUID[uid] ?? pods.first { $0.meta.uid == uid }?.meta }

    /// Metadata of the object a ref names: by uid, else (hand-written snapshot files may
    /// carry no uids) by group, kind, namespace and name.
    public func meta(of ref: ObjectRef) -> MetaRecord? {
        if ref.kind == "Pod", ref.apiVersion == "v1" { return pod(namespace: ref.namespace ?? "", name: ref.name)?.meta }
        if !ref.uid.isEmpty, let m = metaByUID[ref.uid] { return m }
        let kind = GroupKind(apiVersion: ref.apiVersion, kind: ref.kind)
        if let objects = objectsByKind[kind] { return Self.find(ref.namespace ?? "", ref.name, in: objects)?.meta }
        return Self.find(ref.namespace ?? "", ref.name, in: workloads.filter { $0.groupKind == kind })?.meta
    }

    /// A pod by namespace and name (binary search: pods are sorted by namespace, name).
    public func pod(namespace: String, name: String) -> PodRecord? { Self.find(namespace, name, in: pods) }

    /// Binary search in records sorted by namespace, then name.
    private static func find<R: SnapshotRecord>(_ namespace: String, _ name: String, in records: [R]) -> R? {
        var lo = 0, hi = records.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let m = records[mid].meta
            if (m.namespace ?? "", m.name) < (namespace, name) { lo = mid + 1 } else { hi = mid }
        }
        guard lo < records.count, records[lo].meta.namespace ?? "" == namespace, records[lo].meta.name == name else { return nil }
        return records[lo]
    }

    /// nil when the kind was listed; else why not (an optional API that is not served).
    public func unavailableReason(_ kind: GroupKind) -> String? {
        if let reason = unavailable[kind] { return reason }
        return listed.contains(kind) ? nil : "\(kind) was not listed"
    }

    /// Every record, for progress and summaries.
    public var objectCount: Int { pods.count + workloads.count + objectsByKind.values.reduce(0) { $0 + $1.count } }
}
