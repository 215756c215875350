/// How a run treats its plan. The plan itself is the same in every mode.
public enum RunMode: String, Sendable, Codable, CaseIterable {
    /// Sends the writes.
    case real
    /// `--dry-run=server`: sends the same writes with `dryRun=All`; admission and
    /// validation answer, nothing persists.
    case serverDryRun = "server-dry-run"
    /// `--dry-run` / `--dry-run=client`: sends no write at all.
    case clientDryRun = "client-dry-run"
    /// `--snapshot FILE…`: no cluster; like a client dry run, from files.
    case offline

    /// Whether the applier sends anything.
    public var sendsWrites: Bool { self == .real || self == .serverDryRun }
    /// Only a real run persists changes, so only it takes the Lease and emits Events.
    public var persists: Bool { self == .real }
}
