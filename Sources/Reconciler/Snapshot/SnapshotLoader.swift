import Foundation
import KubeClient
import Synchronization

/// Listing progress for the TTY line: kinds done of total, objects so far.
public struct SnapshotProgress: Sendable, Equatable {
    public var kindsDone: Int
    public var kindsTotal: Int
    public var objects: Int
}

/// Counts kinds done and objects so far across the concurrent lists.
private final class ProgressCounter: Sendable {
    private struct State { var done = 0; var objects = 0; var perKind: [GroupKind: Int] = [:] }
    private let state = Mutex(State())
    private let kindsTotal: Int
    private let sink: (@Sendable (SnapshotProgress) -> Void)?

    init(kindsTotal: Int, sink: (@Sendable (SnapshotProgress) -> Void)?) {
        self.kindsTotal = kindsTotal
        self.sink = sink
    }

    /// `itemsSoFar`: the kind's running count after a page; `finished`: the kind is done.
    @Sendable func report(_ kind: GroupKind, itemsSoFar: Int?, finished: Bool) {
        guard let sink else { return }
        let p = state.withLock { c -> SnapshotProgress in
            if let n = itemsSoFar {
                c.objects += n - c.perKind[kind, default: 0]
                c.perKind[kind] = n
            }
            if finished { c.done += 1 }
            return SnapshotProgress(kindsDone: c.done, kindsTotal: kindsTotal, objects: c.objects)
        }
        sink(p)
    }
}

/// A required input could not be listed; the run cannot judge anything without it.
public struct SnapshotLoadError: Error, Sendable, CustomStringConvertible {
    public var kind: GroupKind
    public var underlying: String
    public var description: String { "listing \(kind): \(underlying)" }
}

/// Lists every kind the enabled checks declare (plus Namespaces), page by page straight
/// into compact records, a few kinds at a time. Optional kinds the server does not serve
/// (no KubeArmor, no Gatekeeper) are recorded as unavailable, not errors.
public struct SnapshotLoader: Sendable {
    let client: KubeClient
    let settings: Settings
    let checks: [any Check]
    let progress: (@Sendable (SnapshotProgress) -> Void)?
    /// Lists in flight at once: enough to hide latency, few enough to stay polite (the
    /// client's QPS limit applies on top).
    let concurrency = 4
    /// Per-kind requests, objects, bytes and seconds, when the run wants its timings.
    public var timings: ListTimings?

    public init(client: KubeClient, settings: Settings, checks: [any Check], progress: (@Sendable (SnapshotProgress) -> Void)?) {
        self.client = client
        self.settings = settings
        self.checks = checks
        self.progress = progress
    }

    /// The merged inputs of the enabled checks, Namespaces included.
    static func inputs(checks: [any Check], settings: Settings) -> [SnapshotInput] {
        SnapshotInput.merged([SnapshotInput.namespaces] + checks.filter { settings.checks.isEnabled($0.name) }.flatMap { $0.inputs(for: settings) })
    }

    fileprivate enum Listed: Sendable {
        case pods([PodRecord])
        case workloads([WorkloadRecord])
        case objects([ObjectRecord])
        case unavailable(String)
    }

    public func load() async throws -> Snapshot {
        let started = Date()
        let inputs = Self.inputs(checks: checks, settings: settings)
        let counter = ProgressCounter(kindsTotal: inputs.count, sink: progress)
        // Plain objects first, then pods and workloads: a check may need whole pod specs
        // where its objects say so (Gatekeeper mutators), and everywhere else pods stay
        // compact records.
        let isObject = { (i: SnapshotInput) -> Bool in if case .object = i.shape { return true }; return false }
        var loaded = try await listPhase(inputs.filter(isObject), counter: counter)
        let early = Snapshot(objects: loaded.objects, listed: loaded.listed, unavailable: loaded.unavailable)
        let retention = SpecRetention.union(checks.filter { settings.checks.isEnabled($0.name) }.compactMap { $0.specRetention(early, settings) })
        let rest = try await SpecRetention.$current.withValue(retention) {
            try await listPhase(inputs.filter { !isObject($0) }, counter: counter)
        }
        loaded.pods = rest.pods
        loaded.workloads = rest.workloads
        loaded.listed.formUnion(rest.listed)
        loaded.unavailable.merge(rest.unavailable) { a, _ in a }
        var snapshot = Snapshot(pods: loaded.pods, workloads: loaded.workloads, objects: loaded.objects, listed: loaded.listed, unavailable: loaded.unavailable)
        snapshot.takenAt = started
        return snapshot
    }

    private struct Loaded: Sendable {
        var pods: [PodRecord] = []
        var workloads: [WorkloadRecord] = []
        var objects: [ObjectRecord] = []
        var listed: Set<GroupKind> = []
        var unavailable: [GroupKind: String] = [:]
    }

    private func listPhase(_ inputs: [SnapshotInput], counter: ProgressCounter) async throws -> Loaded {
        let report = { @Sendable (kind: GroupKind, itemsSoFar: Int?, finished: Bool) in counter.report(kind, itemsSoFar: itemsSoFar, finished: finished) }
        var loaded = Loaded()
        try await withThrowingTaskGroup(of: (GroupKind, Listed).self) { group in
            var next = inputs.makeIterator()
            func startNext() {
                guard let input = next.next() else { return }
                group.addTask {
                    let result: Listed
                    do {
                        result = try await list(input) { n in report(input.groupKind, n, false) }
                    } catch let error as KubeAPIError {
                        throw SnapshotLoadError(kind: input.groupKind, underlying: "\(error)")  // discovery refused
                    }
                    report(input.groupKind, nil, true)
                    return (input.groupKind, result)
                }
            }
            for _ in 0..<concurrency { startNext() }
            while let (kind, result) = try await group.next() {
                switch result {
                case .pods(let p):
                    // The first (usually only) pod list is kept as it is, not copied.
                    if loaded.pods.isEmpty { loaded.pods = p } else { loaded.pods += p }
                    loaded.listed.insert(kind)
                case .workloads(let w): loaded.workloads += w; loaded.listed.insert(kind)
                case .objects(let o):
                    loaded.objects += o
                    loaded.listed.insert(kind)
                    loaded.listed.formUnion(o.map { GroupKind(apiVersion: $0.apiVersion, kind: $0.kind) })
                case .unavailable(let why): loaded.unavailable[kind] = why
                }
                startNext()
            }
        }
        return loaded
    }

    private func list(_ input: SnapshotInput, onPage: @escaping @Sendable (Int) -> Void) async throws -> Listed {
        let resources: [ResourceDescriptor]
        switch input.source {
        case .builtIn(let r):
            resources = [r]
        case .discovered(let group, let versions, let plural, let kind):
            var found: ResourceDescriptor?
            for version in versions {
                if let r = try await client.discover(group: group, version: version, plural: plural) { found = r; break }
            }
            guard let r = found else { return try missing(input, "\(plural).\(group) (\(versions.joined(separator: ", "))) is not served", kind: GroupKind(group, kind)) }
            resources = [r]
        case .group(let group, let versions):
            guard let version = try await client.firstServedVersion(group: group, among: versions),
                  let served = try await client.servedResources(group: group, version: version) else {
                return try missing(input, "API group \(group) (\(versions.joined(separator: ", "))) is not served", kind: input.groupKind)
            }
            // Subresources ("x/status") are not listable kinds.
            resources = served.filter { !$0.name.contains("/") && ($0.verbs?.contains("list") ?? true) }.map {
                ResourceDescriptor(group: group, version: version, plural: $0.name, kind: $0.kind, namespaced: $0.namespaced)
            }
        }
        var result: Listed?
        var before = 0
        for resource in resources {
            let counted: @Sendable (Int) -> Void = { [before] n in onPage(before + n) }
            let listed = try await list(resource, input: input, onPage: counted)
            before += listed.count
            result = result.map { $0.merged(listed) } ?? listed
        }
        return result ?? .objects([])
    }

    private func missing(_ input: SnapshotInput, _ why: String, kind: GroupKind) throws -> Listed {
        if input.optional { return .unavailable(why) }
        throw SnapshotLoadError(kind: kind, underlying: why)
    }

    private func list(_ resource: ResourceDescriptor, input: SnapshotInput, onPage: @escaping @Sendable (Int) -> Void) async throws -> Listed {
        let started = ContinuousClock.now
        var figures = (requests: 0, objects: 0, bytes: 0)
        defer {
            timings?.record(Timings.KindTiming(resource: resource.qualifiedName, requests: figures.requests, objects: figures.objects, bytes: figures.bytes,
                                               seconds: Timings.seconds(since: started)))
        }
        func counted<T>(_ result: ListResult<T>) -> [T] {
            figures = (result.requests, result.items.count, result.bytes)
            return result.items
        }
        let options = { (metadataOnly: Bool) in ListOptions(limit: settings.client.pageSize, metadataOnly: metadataOnly) }
        do {
            switch input.shape {
            case .pod:
                // Each page is filtered and its repeated strings shared while it is decoded.
                let decoder = PodPageDecoder(kept: PodKeptKeys(optOutKey: settings.optOutKey), interner: Interner(),
                                             retention: SpecRetention.current)
                return .pods(counted(try await client.list(resource, options: options(false), decoder: decoder, onPage: onPage)))
            case .workload:
                let decoder = WorkloadPageDecoder(retention: SpecRetention.current)
                let items = counted(try await client.list(resource, options: options(false), decoder: decoder, onPage: onPage))
                return .workloads(items.map { var w = $0; w.apiVersion = resource.apiVersion; w.kind = resource.kind; return w })
            case .object(let keepSpec):
                let items = counted(try await client.list(resource, options: options(!keepSpec), as: ObjectRecord.self, onPage: onPage))
                return .objects(items.map { var o = $0; o.apiVersion = resource.apiVersion; o.kind = resource.kind; return o })
            }
        } catch let error as KubeAPIError where input.optional && error.code == 404 {
            // A CRD removed between discovery and the list.
            return .unavailable("\(resource.qualifiedName) is not served (404)")
        } catch let error as KubeAPIError {
            throw SnapshotLoadError(kind: GroupKind(resource.group, resource.kind), underlying: "\(error)")
        }
    }
}

extension SnapshotLoader.Listed {
    var count: Int {
        switch self {
        case .pods(let p): return p.count
        case .workloads(let w): return w.count
        case .objects(let o): return o.count
        case .unavailable: return 0
        }
    }

    /// Two kinds of one `.group` input (same shape) together.
    func merged(_ other: Self) -> Self {
        switch (self, other) {
        case (.pods(let a), .pods(let b)): return .pods(a + b)
        case (.workloads(let a), .workloads(let b)): return .workloads(a + b)
        case (.objects(let a), .objects(let b)): return .objects(a + b)
        case (.unavailable, _): return other
        default: return self
        }
    }
}
