import KubeClient
import Yams

extension Settings {
    /// Reads a settings file: every field optional, unknown fields rejected with their
    /// path and the nearest known name, types and ranges checked. `path` names the file
    /// in errors.
    public static func load(yaml: String, path: String) throws(SettingsError) -> Settings {
        try load(yaml: yaml, path: path, registry: Checks.all)
    }

    static func load(yaml: String, path: String, registry: [any Check]) throws(SettingsError) -> Settings {
        do {
            let root: Node?
            do { root = try Yams.compose(yaml: yaml) } catch { throw ConfigError("\(path): not valid YAML: \(oneLineProblem(error))") }
            if let root, case .scalar(let s) = root, s.string.isEmpty || s.string == "null" { return Settings(checks: CheckSettings(registry: registry)) }
            if let root, !isMapping(root) { throw ConfigError("\(path): the settings file must be a mapping of fields") }
            return try parse(YAMLFields(node: root, path: "", file: path), registry: registry)
        } catch let error as ConfigError {
            throw SettingsError(error)
        } catch {
            throw SettingsError("\(path): \(error)")
        }
    }

    private static func isMapping(_ node: Node) -> Bool { if case .mapping = node { return true }; return false }

    private static func parse(_ top: YAMLFields, registry: [any Check]) throws -> Settings {
        try top.rejectUnknownKeys(["budgets", "excludeNamespaces", "optOutKey", "lock", "timeouts", "client", "checks", "history"] + operatorSafetyKeys)
        var s = Settings(checks: CheckSettings(registry: registry))

        if let b = try top.mapping("budgets") {
            try b.rejectUnknownKeys(["maxChanges", "maxPerNamespace", "maxPerNode", "maxUnhealthyWorkloads"])
            s.budgets.maxChanges = try b.int("maxChanges", in: 0...10_000) ?? s.budgets.maxChanges
            s.budgets.maxPerNamespace = try b.int("maxPerNamespace", in: 0...10_000) ?? s.budgets.maxPerNamespace
            s.budgets.maxPerNode = try b.int("maxPerNode", in: 0...10_000) ?? s.budgets.maxPerNode
            s.budgets.maxUnhealthyWorkloads = try b.int("maxUnhealthyWorkloads", in: 0...10_000) ?? s.budgets.maxUnhealthyWorkloads
        }
        if top.has("excludeNamespaces") {
            s.excludeNamespaces = try top.strings("excludeNamespaces")
            for (i, ns) in s.excludeNamespaces.enumerated() where !KubeNames.isDNSLabel(ns) {
                throw top.error("excludeNamespaces[\(i)]", "\"\(ns)\" is not a valid namespace name")
            }
        }
        if let key = try top.string("optOutKey") {
            guard KubeNames.isQualifiedName(key) else { throw top.error("optOutKey", "\"\(key)\" is not a valid label key") }
            s.optOutKey = key
        }
        if let l = try top.mapping("lock") {
            try l.rejectUnknownKeys(["name", "namespace", "leaseDurationSeconds", "renewDeadlineSeconds"])
            if let name = try l.string("name") {
                guard KubeNames.isDNSSubdomain(name) else { throw l.error("name", "\"\(name)\" is not a valid Lease name") }
                s.lock.name = name
            }
            if let ns = try l.string("namespace") {
                guard KubeNames.isDNSLabel(ns) else { throw l.error("namespace", "\"\(ns)\" is not a valid namespace name") }
                s.lock.namespace = ns
            }
            s.lock.leaseDurationSeconds = try l.int("leaseDurationSeconds", in: 5...3600) ?? s.lock.leaseDurationSeconds
            s.lock.renewDeadlineSeconds = try l.int("renewDeadlineSeconds", in: 2...3599)
            if s.lock.renewDeadline >= s.lock.leaseDurationSeconds {
                throw l.error("renewDeadlineSeconds", "must be less than leaseDurationSeconds (\(s.lock.leaseDurationSeconds)): the holder stops writing before another run may take the Lease over")
            }
        }
        if let t = try top.mapping("timeouts") {
            try t.rejectUnknownKeys(["runDeadlineSeconds", "requestSeconds"])
            s.timeouts.runDeadlineSeconds = try t.int("runDeadlineSeconds", in: 10...86_400) ?? s.timeouts.runDeadlineSeconds
            s.timeouts.requestSeconds = try t.int("requestSeconds", in: 1...600) ?? s.timeouts.requestSeconds
        }
        try checkRequestFitsTheLease(s, top)
        if let c = try top.mapping("client") {
            try c.rejectUnknownKeys(["qps", "burst", "pageSize"])
            s.client.qps = try c.double("qps", in: 0...10_000) ?? s.client.qps
            s.client.burst = try c.int("burst", in: 1...10_000) ?? s.client.burst
            s.client.pageSize = try c.int("pageSize", in: 1...10_000) ?? s.client.pageSize
        }
        if let h = try top.mapping("history") { s.history = try HistorySettings.parse(h) }
        if let checks = try top.mapping("checks") {
            s.checks = try parseChecks(checks, registry: registry)
        }
        try parseOperatorSafety(top, into: &s, registry: registry)
        return s
    }

    /// A write (a renewal too) may take `requestSeconds`. One that starts just before the
    /// renew deadline must end before another run may take the Lease over, and a renewal
    /// that times out must leave time to try again before the deadline.
    private static func checkRequestFitsTheLease(_ s: Settings, _ top: YAMLFields) throws {
        let request = s.timeouts.requestSeconds, deadline = s.lock.renewDeadline, duration = s.lock.leaseDurationSeconds
        let limit = s.maxRequestSeconds
        guard request > limit else { return }
        throw ConfigError("\(top.file): timeouts.requestSeconds: \(request) is too long for the Lease, at most \(limit): a write started just before the renew deadline (\(deadline)s) must end before the Lease (\(duration)s) may be taken over, and a renewal that times out must leave time for another")
    }

    /// `checks.<name>: {enabled: bool, <option>: ...}` for each registered check.
    private static func parseChecks(_ fields: YAMLFields, registry: [any Check]) throws -> CheckSettings {
        try fields.rejectUnknownKeys(registry.map(\.name))
        var result = CheckSettings(registry: registry)
        for check in registry {
            guard let c = try fields.mapping(check.name) else { continue }
            try c.rejectUnknownKeys(["enabled", "safety"] + check.optionsDoc.map(\.name))
            if let enabled = try c.bool("enabled"), !enabled { result.enabled.remove(check.name) }
            for doc in check.optionsDoc {
                guard let node = c.child(doc.name) else { continue }
                result.options[check.name, default: [:]][doc.name] = try OptionReader(file: c.file).read(node, as: doc.type, path: c.fieldPath(doc.name))
            }
            if let problem = check.validateOptions(result.options[check.name] ?? [:]) {
                throw c.error(problem.field, problem.problem)
            }
        }
        return result
    }
}

/// Validates one option's YAML against its declared `OptionType` and converts it to JSON.
struct OptionReader {
    let file: String

    func fail(_ path: String, _ problem: String) -> ConfigError { ConfigError("\(file): \(path): \(problem)") }

    func read(_ node: Node, as type: OptionType, path: String) throws -> JSONValue {
        switch type {
        case .bool:
            guard case .scalar(let s) = node, ["true", "false"].contains(s.string.lowercased()) else { throw fail(path, "must be true or false") }
            return .bool(s.string.lowercased() == "true")
        case .int(let range):
            guard case .scalar(let s) = node, let n = Int(s.string), range.contains(n) else {
                throw fail(path, "must be an integer between \(range.lowerBound) and \(range.upperBound)")
            }
            return .number(Double(n))
        case .string:
            guard case .scalar(let s) = node else { throw fail(path, "must be a string") }
            return .string(s.string)
        case .stringList:
            return try read(node, as: .list(.string), path: path)
        case .stringMap:
            guard case .mapping(let m) = node else { throw fail(path, "must be a mapping of strings") }
            var out: [String: JSONValue] = [:]
            for (k, v) in m {
                let key = k.string ?? ""
                guard case .scalar(let s) = v else { throw fail("\(path).\(key)", "must be a string") }
                out[key] = .string(s.string)
            }
            return .object(out)
        case .list(let element):
            guard case .sequence(let seq) = node else { throw fail(path, "must be a list") }
            return .array(try seq.enumerated().map { i, item in try read(item, as: element, path: "\(path)[\(i)]") })
        case .object(let fields):
            guard case .mapping(let m) = node else { throw fail(path, "must be a mapping") }
            let known = fields.map(\.name)
            var out: [String: JSONValue] = [:]
            for (k, v) in m {
                let key = k.string ?? ""
                guard let field = fields.first(where: { $0.name == key }) else {
                    let hint = DidYouMean.suggestion(for: key, among: known).map { ", did you mean \($0)?" } ?? ""
                    throw fail("\(path).\(key)", "unknown field\(hint)")
                }
                out[key] = try read(v, as: field.type, path: "\(path).\(key)")
            }
            for field in fields where field.required && out[field.name] == nil {
                throw fail("\(path).\(field.name)", "required field is missing")
            }
            return .object(out)
        }
    }
}
