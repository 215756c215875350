import KubeClient

/// `history:` in the settings file: the run records real runs and undos keep in the
/// cluster (one ConfigMap per run in the Lease's namespace), and how long.
public struct HistorySettings: Sendable, Equatable {
    /// Write a record per real run. Off: no record, nothing to undo from.
    public var enabled: Bool
    /// Records kept, newest first; older ones are deleted by the run that writes a new one.
    public var maxRuns: Int
    /// Records older than this are deleted, whatever their count.
    public var maxAgeDays: Int

    public init(enabled: Bool = true, maxRuns: Int = 50, maxAgeDays: Int = 7) {
        self.enabled = enabled
        self.maxRuns = maxRuns
        self.maxAgeDays = maxAgeDays
    }

    static let keys = ["enabled", "maxRuns", "maxAgeDays"]

    static func parse(_ fields: YAMLFields) throws -> HistorySettings {
        try fields.rejectUnknownKeys(keys)
        var h = HistorySettings()
        h.enabled = try fields.bool("enabled") ?? h.enabled
        h.maxRuns = try fields.int("maxRuns", in: 1...1000) ?? h.maxRuns
        h.maxAgeDays = try fields.int("maxAgeDays", in: 1...365) ?? h.maxAgeDays
        return h
    }

    static func defaultsYAML(_ d: HistorySettings) -> String {
        """

        # Run history: each real run and undo writes a record (its report and the prior state of
        # what it changed) to a ConfigMap in the Lease's namespace; `kreconcile history` lists
        # them, `kreconcile undo` reverses one. Dry runs write none.
        history:
          enabled: \(d.enabled)
          # Records kept, newest first (1-1000); the run that writes one deletes the oldest.
          maxRuns: \(d.maxRuns)
          # Records older than this many days are deleted too (1-365).
          maxAgeDays: \(d.maxAgeDays)
        """
    }
}
