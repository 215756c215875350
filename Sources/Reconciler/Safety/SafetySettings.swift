/// `abortWhen: {findingsOver, percentOver}`: when a check (or the whole run) would act on
/// more than this, something is likelier wrong with its inputs than with the cluster, so
/// it applies nothing and says why (exit 4). nil = no such limit.
public struct AbortLimits: Sendable, Equatable {
    /// More would-be actions than this trips the breaker (1 or more).
    public var findingsOver: Int?
    /// More than this percent of the examined objects flagged trips it (over 0, at most 100).
    public var percentOver: Double?

    public init(findingsOver: Int? = nil, percentOver: Double? = nil) {
        self.findingsOver = findingsOver
        self.percentOver = percentOver
    }

    public var isEmpty: Bool { findingsOver == nil && percentOver == nil }
}

/// What a tripped check limit stops.
public enum AbortScope: String, Sendable, Equatable, CaseIterable {
    /// Only that check applies nothing; the others go on.
    case check
    /// Nothing at all is applied in the run.
    case run
}

/// One check's breaker: its limits and what a trip stops.
public struct CheckSafety: Sendable, Equatable {
    public var abortWhen: AbortLimits
    public var aborts: AbortScope

    public init(abortWhen: AbortLimits = AbortLimits(), aborts: AbortScope = .check) {
        self.abortWhen = abortWhen
        self.aborts = aborts
    }
}

/// The blast-radius breaker's settings: `safety` at the top of the file (the whole run)
/// and `checks.<name>.safety` (one check).
public struct SafetySettings: Sendable, Equatable {
    /// Limits on the sum over all checks; crossing one aborts the whole run.
    public var abortWhen: AbortLimits
    /// A percent limit is judged only when at least this many objects were examined: one
    /// finding among three objects is 33 % and says nothing.
    public var percentMinExamined: Int
    /// check name -> its breaker. Checks not listed have none.
    public var checks: [String: CheckSafety]

    public init(abortWhen: AbortLimits = AbortLimits(), percentMinExamined: Int = 20,
                checks: [String: CheckSafety] = SafetySettings.defaultChecks) {
        self.abortWhen = abortWhen
        self.percentMinExamined = percentMinExamined
        self.checks = checks
    }

    public func check(_ name: String) -> CheckSafety { checks[name] ?? CheckSafety() }

    /// Per-check defaults and why (printed by `config --print-defaults`). None of them
    /// trips on the first run after installing KubeArmor, when nearly every pod lacks its
    /// profile and every KubeArmor workload may drift: that is what those checks are for.
    public static let defaultChecks: [String: CheckSafety] = Dictionary(uniqueKeysWithValues: defaultsDoc.map { ($0.check, $0.safety) })

    public struct DefaultDoc: Sendable {
        public var check: String
        public var safety: CheckSafety
        public var why: String
    }

    public static let defaultsDoc: [DefaultDoc] = [
        DefaultDoc(check: "owner-references", safety: CheckSafety(abortWhen: AbortLimits(findingsOver: 50)),
                   why: "The operator creates about 15 objects; more than 50 missing references at once means a rule matches far more than intended."),
        DefaultDoc(check: "kubearmor-image-drift", safety: CheckSafety(),
                   why: "No limit: after a KubeArmorConfig image change every KubeArmor workload drifts, and they are patched one rollout at a time anyway."),
        DefaultDoc(check: "apparmor-unprotected-pods", safety: CheckSafety(),
                   why: "No limit: right after installing KubeArmor nearly every pod lacks its profile; that first run is what this check is for, and the budgets, the health gate and PodDisruptionBudgets pace it."),
        DefaultDoc(check: "gatekeeper-orphaned-vap", safety: CheckSafety(abortWhen: AbortLimits(percentOver: 50)),
                   why: "Deleting more than half of Gatekeeper's generated policies and bindings at once points to owners that failed to resolve (a discovery gap) rather than to orphans; deletions are the hardest actions to take back."),
        DefaultDoc(check: "gatekeeper-mutation-drift", safety: CheckSafety(abortWhen: AbortLimits(percentOver: 50)),
                   why: "More than half of the pods a mutator reaches missing it points to a mutator added or changed since (Gatekeeper never back-fills) or one read wrongly: confirm by raising the limit before every workload restarts."),
    ]
}
