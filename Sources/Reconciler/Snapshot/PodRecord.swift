import KubeClient

/// `securityContext.appArmorProfile` (pod or container; the container's wins).
public struct AppArmorProfileRecord: Sendable, Hashable, Decodable {
    /// RuntimeDefault, Localhost or Unconfined.
    public var type: String
    public var localhostProfile: String?

    public init(type: String, localhostProfile: String? = nil) {
        self.type = type
        self.localhostProfile = localhostProfile
    }
}

/// One container of a pod or pod template. `env` keeps only `RELATED_IMAGE_*` literal
/// values: the only env a check reads, and never a secret someone put in plain env.
public struct ContainerRecord: Sendable, Equatable, Decodable {
    public var name: String
    public var image: String
    public var env: [String: String]
    public var appArmorProfile: AppArmorProfileRecord?

    public init(name: String, image: String, env: [String: String] = [:], appArmorProfile: AppArmorProfileRecord? = nil) {
        self.name = name
        self.image = image
        self.env = env
        self.appArmorProfile = appArmorProfile
    }

    public static let keptEnvPrefix = "RELATED_IMAGE_"

    private struct EnvVar: Decodable { var name: String; var value: String? }
    private struct SecurityContext: Decodable { var appArmorProfile: AppArmorProfileRecord? }
    enum CodingKeys: String, CodingKey { case name, image, env, securityContext }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        image = try c.decodeIfPresent(String.self, forKey: .image) ?? ""
        var kept: [String: String] = [:]
        for v in try c.decodeIfPresent([EnvVar].self, forKey: .env) ?? [] where v.name.hasPrefix(Self.keptEnvPrefix) {
            if let value = v.value { kept[v.name] = value }
        }
        env = kept
        appArmorProfile = try c.decodeIfPresent(SecurityContext.self, forKey: .securityContext)?.appArmorProfile
    }
}

/// One pod, compact: 150,000 of them must fit a run's memory (DESIGN.md "Cost at scale").
/// Only what rules read is kept: names, owner, node, phase, the AppArmor annotations and
/// fields, the container names. Labels and annotations are filtered while the page is
/// decoded (`PodKeptKeys`), values that repeat across pods are shared (`Interner`).
/// A pod a Gatekeeper mutator can reach also keeps its `admission` view.
public struct PodRecord: SnapshotRecord, Equatable, Decodable {
    public var apiVersion: String { "v1" }
    public var kind: String { "Pod" }
    /// Labels and annotations hold only the keys `PodKeptKeys` names.
    public var meta: MetaRecord
    /// `metadata.creationTimestamp` (RFC 3339, UTC): oldest-first ordering.
    public var created: String? {
        get { createdStorage?.text }
        set { createdStorage = newValue.map(CompactTimestamp.init) }
    }
    private var createdStorage: CompactTimestamp?
    public var nodeName: String?
    /// Pending, Running, Succeeded, Failed, Unknown.
    public var phase: String?
    /// The `Ready` condition is True.
    public var ready: Bool
    public var containers: [PodContainerRecord]
    public var initContainers: [PodContainerRecord]
    public var ephemeralContainers: [PodContainerRecord]
    /// Pod-level `spec.securityContext.appArmorProfile`.
    public var appArmorProfile: AppArmorProfileRecord?
    /// All labels and annotations and (a projection of) the spec, only where
    /// `SpecRetention.current` asks for it (mutation checks).
    public var admission: AdmissionView?

    public init(meta: MetaRecord, created: String? = nil, nodeName: String? = nil, phase: String? = "Running", ready: Bool = true,
                containers: [PodContainerRecord] = [], initContainers: [PodContainerRecord] = [],
                ephemeralContainers: [PodContainerRecord] = [], appArmorProfile: AppArmorProfileRecord? = nil,
                spec: JSONValue? = nil) {
        self.meta = meta
        self.admission = spec.map { AdmissionView(labels: meta.labels, annotations: meta.annotations, spec: $0) }
        self.createdStorage = created.map(CompactTimestamp.init)
        self.nodeName = nodeName
        self.phase = phase
        self.ready = ready
        self.containers = containers
        self.initContainers = initContainers
        self.ephemeralContainers = ephemeralContainers
        self.appArmorProfile = appArmorProfile
    }

    private enum SpecKey: String, CodingKey { case spec }

    private struct Wire: Decodable {
        struct SecurityContext: Decodable { var appArmorProfile: AppArmorProfileRecord? }
        /// MetaRecord plus creationTimestamp, read in one pass.
        struct Meta: Decodable {
            var meta: MetaRecord
            var created: String?
            enum Keys: String, CodingKey { case creationTimestamp }
            init(from decoder: any Decoder) throws {
                meta = try MetaRecord(from: decoder)
                created = try decoder.container(keyedBy: Keys.self).decodeIfPresent(String.self, forKey: .creationTimestamp)
            }
        }
        struct Spec: Decodable {
            var nodeName: String?
            var containers: [PodContainerRecord]?
            var initContainers: [PodContainerRecord]?
            var ephemeralContainers: [PodContainerRecord]?
            var securityContext: SecurityContext?
        }
        struct Condition: Decodable { var type: String; var status: String }
        struct Status: Decodable { var phase: String?; var conditions: [Condition]? }
        var metadata: Meta
        var spec: Spec?
        var status: Status?
    }

    public init(from decoder: any Decoder) throws {
        let w = try Wire(from: decoder)
        let intern = Interner.current
        let kept = PodKeptKeys.current
        var m = w.metadata.meta
        m.namespace = m.namespace.map(intern)
        // A pod a mutator can reach keeps every label and annotation in its admission
        // view: match selectors and AssignMetadata read them.
        let retention = SpecRetention.current
        let keepSpec = retention?.keeps(namespace: m.namespace) ?? false
        let allLabels = m.labels, allAnnotations = m.annotations
        m.labels = kept.labels(m.labels, intern)
        m.annotations = kept.annotations(m.annotations, intern)
        // Only the controller reference is read (the owner chain); others are dropped.
        m.ownerReferences = m.ownerReferences.filter { $0.controller == true }.prefix(1).map {
            OwnerReference(apiVersion: intern($0.apiVersion), kind: intern($0.kind), name: intern($0.name), uid: intern($0.uid), controller: true)
        }
        meta = m
        createdStorage = w.metadata.created.map(CompactTimestamp.init)
        nodeName = w.spec?.nodeName.map(intern)
        phase = w.status?.phase.map(intern)
        ready = w.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
        containers = w.spec?.containers ?? []
        initContainers = w.spec?.initContainers ?? []
        ephemeralContainers = w.spec?.ephemeralContainers ?? []
        appArmorProfile = w.spec?.securityContext?.appArmorProfile
        if keepSpec, let whole = try decoder.container(keyedBy: SpecKey.self).decodeIfPresent(JSONValue.self, forKey: .spec) {
            admission = AdmissionView(labels: SpecRetention.keeping(retention?.labelKeys, of: allLabels),
                                      annotations: SpecRetention.keeping(retention?.annotationKeys, of: allAnnotations),
                                      spec: retention?.podSpec.apply(whole) ?? whole)
        }
    }

    /// The controlling owner reference (ReplicaSet, StatefulSet, Job, ...), nil for a bare pod.
    public var controller: OwnerReference? { meta.ownerReferences.first { $0.controller == true } }
}

/// A container of a pod: its name and its own `securityContext.appArmorProfile`.
public struct PodContainerRecord: Sendable, Hashable, Decodable {
    public var name: String
    public var appArmorProfile: AppArmorProfileRecord?

    public init(name: String, appArmorProfile: AppArmorProfileRecord? = nil) {
        self.name = name
        self.appArmorProfile = appArmorProfile
    }

    private struct SecurityContext: Decodable { var appArmorProfile: AppArmorProfileRecord? }
    enum CodingKeys: String, CodingKey { case name, securityContext }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = Interner.current(try c.decode(String.self, forKey: .name))
        appArmorProfile = try c.decodeIfPresent(SecurityContext.self, forKey: .securityContext)?.appArmorProfile
    }
}
