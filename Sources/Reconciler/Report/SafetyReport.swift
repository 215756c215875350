/// The report's `safety` field: the limits crossed and what they stopped.
public struct SafetyReport: Sendable, Codable, Equatable {
    public var trips: [SafetyTrip]
    /// True when a trip stopped every action of the run, not just its own check's.
    public var runAborted: Bool
    /// Set in dry runs: "a real run would abort here".
    public var note: String?

    public init(trips: [SafetyTrip], dryRun: Bool) {
        self.trips = trips
        runAborted = trips.contains { $0.aborts == .run }
        note = dryRun ? "a real run would abort here" : nil
    }
}
