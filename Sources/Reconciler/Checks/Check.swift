import KubeClient

/// A rule of DESIGN.md's table. Checks are pure: they read the Snapshot and the Settings
/// and return findings with the exact action (request) that would fix each one; they never
/// talk to the network. Excluded namespaces and opted-out objects are dropped in one
/// shared place (`Exclusions`, applied by the Planner), not by each check.
public protocol Check: Sendable {
    /// "owner-references": the name in settings, reports and `kreconcile checks`.
    var name: String { get }
    /// One line for `kreconcile checks`.
    var summary: String { get }
    /// The check's options under `checks.<name>` in the settings file.
    var optionsDoc: [CheckOptionDoc] { get }
    /// The kinds the check reads.
    var inputs: [SnapshotInput] { get }
    /// The kinds the check reads with these settings (e.g. the kinds of user rules).
    /// Defaults to `inputs`.
    func inputs(for settings: Settings) -> [SnapshotInput]
    /// Checks what types alone cannot (a rule naming an unknown kind); the settings loader
    /// reports the problem as `FILE: checks.<name>.<field>: <problem>`. Defaults to none.
    func validateOptions(_ options: [String: JSONValue]) -> OptionProblem?
    func evaluate(_ snapshot: Snapshot, _ settings: Settings) -> CheckReport
    /// Where pods (and workload templates) must keep their whole spec, decided from the
    /// plain objects listed first (`SpecRetention`). Defaults to nowhere.
    func specRetention(_ objects: Snapshot, _ settings: Settings) -> SpecRetention?
}

extension Check {
    public func inputs(for settings: Settings) -> [SnapshotInput] { inputs }
    public func specRetention(_ objects: Snapshot, _ settings: Settings) -> SpecRetention? { nil }
    public func validateOptions(_ options: [String: JSONValue]) -> OptionProblem? { nil }
}

/// A semantic problem in a check's options: `field` is relative to `checks.<name>`.
public struct OptionProblem: Error, Sendable, Equatable {
    public var field: String
    public var problem: String
    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }
}

/// What one check found: findings, or why it does not apply to this cluster.
public struct CheckReport: Sendable, Equatable {
    public var check: String
    public var findings: [Finding]
    /// "KubeArmor is not installed (operator.kubearmor.com/v1 kubearmorconfigs is not served)".
    public var notApplicable: String?
    /// How many objects the check judged (pods on enforcing nodes, generated bindings, ...):
    /// the base of the safety breaker's `percentOver`.
    public var examined: Int
    /// Of those, how many it would act on, in the same unit as `examined` (pods, not the
    /// workloads restarted for them). nil: one per finding with an action.
    public var flagged: Int?

    public init(check: String, findings: [Finding] = [], notApplicable: String? = nil, examined: Int = 0, flagged: Int? = nil) {
        self.check = check
        self.findings = findings
        self.notApplicable = notApplicable
        self.examined = examined
        self.flagged = flagged
    }

    public static func notApplicable(_ check: String, _ reason: String) -> CheckReport {
        CheckReport(check: check, findings: [], notApplicable: reason)
    }
}

/// The registry of built-in checks, in the order `kreconcile checks` lists them.
public enum Checks {
    public static let all: [any Check] = [OwnerReferencesCheck(), KubeArmorImageDriftCheck(), AppArmorUnprotectedPodsCheck(), OrphanedVAPCheck(), MutationDriftCheck()]

    public static func named(_ name: String) -> (any Check)? { all.first { $0.name == name } }

    /// Runs the enabled checks on a snapshot, in registry order.
    public static func evaluate(_ checks: [any Check], snapshot: Snapshot, settings: Settings) -> [CheckReport] {
        checks.filter { settings.checks.isEnabled($0.name) }.map { $0.evaluate(snapshot, settings) }
    }
}
