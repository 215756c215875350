import KubeClient

/// The status fields of Deployments, DaemonSets and StatefulSets that say whether a
/// rollout is in progress or pods are unavailable (unset fields stay nil).
public struct WorkloadStatus: Sendable, Equatable, Decodable {
    public var observedGeneration: Int?
    // Deployment and StatefulSet
    public var replicas: Int?
    public var readyReplicas: Int?
    public var availableReplicas: Int?
    public var unavailableReplicas: Int?
    public var updatedReplicas: Int?
    // StatefulSet
    public var currentRevision: String?
    public var updateRevision: String?
    // DaemonSet
    public var desiredNumberScheduled: Int?
    public var numberAvailable: Int?
    public var numberUnavailable: Int?
    public var updatedNumberScheduled: Int?

    public init(observedGeneration: Int? = nil, replicas: Int? = nil, readyReplicas: Int? = nil, availableReplicas: Int? = nil,
                unavailableReplicas: Int? = nil, updatedReplicas: Int? = nil, currentRevision: String? = nil,
                updateRevision: String? = nil, desiredNumberScheduled: Int? = nil, numberAvailable: Int? = nil,
                numberUnavailable: Int? = nil, updatedNumberScheduled: Int? = nil) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.unavailableReplicas = unavailableReplicas
        self.updatedReplicas = updatedReplicas
        self.currentRevision = currentRevision
        self.updateRevision = updateRevision
        self.desiredNumberScheduled = desiredNumberScheduled
        self.numberAvailable = numberAvailable
        self.numberUnavailable = numberUnavailable
        self.updatedNumberScheduled = updatedNumberScheduled
    }
}

/// A Deployment, DaemonSet or StatefulSet: its rollout state and pod template.
public struct WorkloadRecord: SnapshotRecord, Equatable, Decodable {
    public var apiVersion: String
    public var kind: String
    public var meta: MetaRecord
    /// `spec.replicas` (nil for a DaemonSet; the API defaults it to 1 for the others).
    public var replicas: Int?
    /// Deployments only.
    public var paused: Bool
    /// `spec.selector.matchLabels`.
    public var selector: [String: String]
    public var templateLabels: [String: String]
    public var templateAnnotations: [String: String]
    public var containers: [ContainerRecord]
    public var initContainers: [ContainerRecord]
    public var status: WorkloadStatus
    /// The pod template's whole `spec`, only where `SpecRetention.current` asks for templates.
    public var templateSpec: JSONValue?

    public init(kind: String, meta: MetaRecord, replicas: Int? = nil, paused: Bool = false, selector: [String: String] = [:],
                templateLabels: [String: String] = [:], templateAnnotations: [String: String] = [:],
                containers: [ContainerRecord] = [], initContainers: [ContainerRecord] = [], status: WorkloadStatus = WorkloadStatus(),
                templateSpec: JSONValue? = nil) {
        self.templateSpec = templateSpec
        self.apiVersion = "apps/v1"
        self.kind = kind
        self.meta = meta
        self.replicas = replicas
        self.paused = paused
        self.selector = selector
        self.templateLabels = templateLabels
        self.templateAnnotations = templateAnnotations
        self.containers = containers
        self.initContainers = initContainers
        self.status = status
    }

    private struct Wire: Decodable {
        /// The template's spec as JSON, decoded only when kept.
        struct Kept: Decodable {
            struct Template: Decodable { var spec: JSONValue? }
            struct Spec: Decodable { var template: Template? }
            var spec: Spec?
        }
        struct Selector: Decodable { var matchLabels: [String: String]? }
        struct TemplateMeta: Decodable { var labels: [String: String]?; var annotations: [String: String]? }
        struct PodSpec: Decodable { var containers: [ContainerRecord]?; var initContainers: [ContainerRecord]? }
        struct Template: Decodable { var metadata: TemplateMeta?; var spec: PodSpec? }
        struct Spec: Decodable {
            var replicas: Int?
            var paused: Bool?
            var selector: Selector?
            var template: Template?
        }
        var apiVersion: String?
        var kind: String?
        var metadata: MetaRecord
        var spec: Spec?
        var status: WorkloadStatus?
    }

    public init(from decoder: any Decoder) throws {
        let w = try Wire(from: decoder)
        apiVersion = w.apiVersion ?? "apps/v1"
        kind = w.kind ?? ""  // typed list items carry no kind: the loader sets it
        meta = w.metadata
        replicas = w.spec?.replicas
        paused = w.spec?.paused ?? false
        selector = w.spec?.selector?.matchLabels ?? [:]
        templateLabels = w.spec?.template?.metadata?.labels ?? [:]
        templateAnnotations = w.spec?.template?.metadata?.annotations ?? [:]
        containers = w.spec?.template?.spec?.containers ?? []
        initContainers = w.spec?.template?.spec?.initContainers ?? []
        status = w.status ?? WorkloadStatus()
        if let keep = SpecRetention.current, keep.templates, keep.keeps(namespace: meta.namespace) {
            templateSpec = try Wire.Kept(from: decoder).spec?.template?.spec
        }
    }

    public var groupKind: GroupKind { GroupKind(apiVersion: apiVersion, kind: kind) }
}
