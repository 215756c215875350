import KubeClient

extension Settings {
    /// The top-level fields of operator safety (this folder, Windows/ and Notify/).
    static let operatorSafetyKeys = ["safety", "maintenance", "notify"]

    /// `safety`, `checks.<name>.safety`, `maintenance` and `notify`, each validated with the
    /// field named (exit 2).
    static func parseOperatorSafety(_ top: YAMLFields, into s: inout Settings, registry: [any Check]) throws {
        if let safety = try top.mapping("safety") {
            try safety.rejectUnknownKeys(["abortWhen", "percentMinExamined"])
            s.safety.abortWhen = try abortLimits(safety, base: s.safety.abortWhen)
            s.safety.percentMinExamined = try safety.int("percentMinExamined", in: 1...1_000_000) ?? s.safety.percentMinExamined
        }
        if let checks = try top.mapping("checks") {
            for check in registry {
                guard let c = try checks.mapping(check.name), let safety = try c.mapping("safety") else { continue }
                try safety.rejectUnknownKeys(["abortWhen", "aborts"])
                var current = s.safety.check(check.name)
                current.abortWhen = try abortLimits(safety, base: current.abortWhen)
                if let scope = try safety.string("aborts") {
                    guard let parsed = AbortScope(rawValue: scope) else {
                        throw safety.error("aborts", "must be check or run, got \"\(scope)\"")
                    }
                    current.aborts = parsed
                }
                s.safety.checks[check.name] = current
            }
        }
        if let maintenance = try top.mapping("maintenance") { s.maintenance = try MaintenanceSettings.parse(maintenance) }
        if let notify = try top.mapping("notify") { s.notify = try NotifySettings.parse(notify) }
    }

    /// `abortWhen` over `base`: a field left out keeps its default, `null` removes the limit.
    private static func abortLimits(_ parent: YAMLFields, base: AbortLimits) throws -> AbortLimits {
        guard parent.has("abortWhen") else { return base }
        guard let fields = try parent.mapping("abortWhen") else { return AbortLimits() }
        try fields.rejectUnknownKeys(["findingsOver", "percentOver"])
        var limits = base
        if fields.has("findingsOver") {
            limits.findingsOver = try fields.string("findingsOver").map { raw in
                guard let n = Int(raw), n >= 1 else { throw fields.error("findingsOver", "must be a whole number of 1 or more, got \(raw)") }
                return n
            }
        }
        if fields.has("percentOver") {
            limits.percentOver = try fields.string("percentOver").map { raw in
                let trimmed = raw.hasSuffix("%") ? String(raw.dropLast()) : raw
                guard let p = Double(trimmed), p.isFinite, p > 0, p <= 100 else {
                    throw fields.error("percentOver", "must be a percentage over 0 and at most 100, got \(raw)")
                }
                return p
            }
        }
        return limits
    }
}
