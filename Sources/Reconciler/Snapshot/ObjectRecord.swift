import KubeClient

/// Any other object: metadata, plus the `spec` when its input keeps it (KubeArmorConfig,
/// Gatekeeper constraints and mutators: small custom resources whose spec a check reads).
public struct ObjectRecord: SnapshotRecord, Equatable, Decodable {
    public var apiVersion: String
    public var kind: String
    public var meta: MetaRecord
    public var spec: JSONValue?
    /// Kept with the spec (a PodDisruptionBudget's `disruptionsAllowed`).
    public var status: JSONValue?

    public init(apiVersion: String, kind: String, meta: MetaRecord, spec: JSONValue? = nil, status: JSONValue? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.meta = meta
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Items of a typed list carry no apiVersion/kind (and metadata-only items say
        // PartialObjectMetadata): the loader sets both from the listed resource.
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? ""
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ""
        meta = try c.decode(MetaRecord.self, forKey: .metadata)
        spec = try c.decodeIfPresent(JSONValue.self, forKey: .spec)
        status = try c.decodeIfPresent(JSONValue.self, forKey: .status)
    }
}
