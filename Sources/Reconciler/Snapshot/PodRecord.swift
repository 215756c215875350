import KubeClient

/// `securityContext.appArmorProfile` (pod or container; the container's wins).
public struct AppArmorProfileRecord: Sendable, Equatable, Decodable {
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

public struct PodRecord: SnapshotRecord, Equatable, Decodable {
    public var apiVersion: String { "v1" }
    public var kind: String { "Pod" }
    public var meta: MetaRecord
    public var nodeName: String?
    /// Pending, Running, Succeeded, Failed, Unknown.
    public var phase: String?
    /// The `Ready` condition is True.
    public var ready: Bool
    public var containers: [ContainerRecord]
    public var initContainers: [ContainerRecord]
    /// Pod-level `spec.securityContext.appArmorProfile`.
    public var appArmorProfile: AppArmorProfileRecord?
    /// The whole `spec`, only where `SpecRetention.current` asks for it (mutation checks).
    public var spec: JSONValue?

    public init(meta: MetaRecord, nodeName: String? = nil, phase: String? = "Running", ready: Bool = true,
                containers: [ContainerRecord] = [], initContainers: [ContainerRecord] = [],
                appArmorProfile: AppArmorProfileRecord? = nil, spec: JSONValue? = nil) {
        self.meta = meta
        self.spec = spec
        self.nodeName = nodeName
        self.phase = phase
        self.ready = ready
        self.containers = containers
        self.initContainers = initContainers
        self.appArmorProfile = appArmorProfile
    }

    private enum SpecKey: String, CodingKey { case spec }

    private struct Wire: Decodable {
        struct SecurityContext: Decodable { var appArmorProfile: AppArmorProfileRecord? }
        struct Spec: Decodable {
            var nodeName: String?
            var containers: [ContainerRecord]?
            var initContainers: [ContainerRecord]?
            var securityContext: SecurityContext?
        }
        struct Condition: Decodable { var type: String; var status: String }
        struct Status: Decodable { var phase: String?; var conditions: [Condition]? }
        var metadata: MetaRecord
        var spec: Spec?
        var status: Status?
    }

    public init(from decoder: any Decoder) throws {
        let w = try Wire(from: decoder)
        meta = w.metadata
        nodeName = w.spec?.nodeName
        phase = w.status?.phase
        ready = w.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
        containers = w.spec?.containers ?? []
        initContainers = w.spec?.initContainers ?? []
        appArmorProfile = w.spec?.securityContext?.appArmorProfile
        if let keep = SpecRetention.current, keep.keeps(namespace: meta.namespace) {
            spec = try decoder.container(keyedBy: SpecKey.self).decodeIfPresent(JSONValue.self, forKey: .spec)
        }
    }
}
