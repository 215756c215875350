import KubeClient
import Yams

/// A profile that cannot be used: one line naming the file, the step and the field.
public struct TeardownProfileError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension TeardownProfile {
    public static let apiVersion = "kreconcile.io/v1alpha1"
    public static let kind = "TeardownProfile"
    static let defaultStepTimeoutSeconds = 120.0

    /// Parses and validates a profile; `file` names it in errors ("kubearmor" for a
    /// built-in one). Unknown fields are rejected with the nearest known name.
    public static func parse(yaml: String, file: String) throws(TeardownProfileError) -> TeardownProfile {
        do {
            let root: Node?
            do { root = try Yams.compose(yaml: yaml) } catch { throw ConfigError("\(file): not valid YAML: \(oneLineProblem(error))") }
            guard let root, case .mapping = root else { throw ConfigError("\(file): a teardown profile must be a mapping with apiVersion, kind, name and steps") }
            return try parse(YAMLFields(node: root, path: "", file: file))
        } catch let error as ConfigError {
            throw TeardownProfileError(error.message)
        } catch {
            throw TeardownProfileError("\(file): \(error)")
        }
    }

    private static func parse(_ top: YAMLFields) throws -> TeardownProfile {
        try top.rejectUnknownKeys(["apiVersion", "kind", "name", "namespace", "steps"])
        guard try top.string("apiVersion") == apiVersion else { throw top.error("apiVersion", "must be \(apiVersion)") }
        guard try top.string("kind") == kind else { throw top.error("kind", "must be \(kind)") }
        guard let name = try top.string("name"), KubeNames.isDNSLabel(name) else {
            throw top.error("name", "required: a lower-case name like kubearmor")
        }
        let namespace = try top.string("namespace")
        if let namespace, !KubeNames.isDNSLabel(namespace) { throw top.error("namespace", "\"\(namespace)\" is not a valid namespace name") }
        let stepFields = try top.sequence("steps")
        guard !stepFields.isEmpty else { throw top.error("steps", "required: at least one step") }
        var steps: [Step] = []
        for (i, raw) in stepFields.enumerated() {
            let stepName = try raw.string("name")
            // Errors inside a step name it: "steps[2](controllers).waitFor: ...".
            let fields = YAMLFields(node: raw.node, path: "steps[\(i)]" + (stepName.map { "(\($0))" } ?? ""), file: top.file)
            let step = try parseStep(fields, name: stepName, profileNamespace: namespace)
            if steps.contains(where: { $0.name == step.name }) { throw fields.error("name", "\"\(step.name)\" is used by an earlier step") }
            steps.append(step)
        }
        return TeardownProfile(name: name, namespace: namespace, steps: steps)
    }

    private static func parseStep(_ s: YAMLFields, name: String?, profileNamespace: String?) throws -> Step {
        guard case .mapping? = s.node else { throw ConfigError("\(s.file): \(s.path): must be a mapping") }
        try s.rejectUnknownKeys(["name", "objects", "action", "propagation", "waitFor", "timeout", "onlyWith", "finalizedBy"])
        guard let name, KubeNames.isDNSLabel(name) else { throw s.error("name", "required: a lower-case name like stop-operator") }
        let objectFields = try s.sequence("objects")
        guard !objectFields.isEmpty else { throw s.error("objects", "required: at least one selector") }
        let objects = try objectFields.map(parseSelector)

        guard let actionText = try s.string("action") else { throw s.error("action", "required: one of delete, scaleToZero") }
        guard let action = Action(rawValue: actionText) else { throw s.error("action", "\"\(actionText)\" is not one of delete, scaleToZero") }

        var propagation = DeleteOptions.Propagation.foreground
        if let p = try s.string("propagation") {
            guard action == .delete else { throw s.error("propagation", "only a delete step has a propagation policy") }
            guard let parsed = DeleteOptions.Propagation(rawValue: p) else { throw s.error("propagation", "\"\(p)\" is not one of Foreground, Background, Orphan") }
            propagation = parsed
        }
        if action == .scaleToZero {
            for (i, o) in objects.enumerated() where !WorkloadKinds.scalable.contains(WorkloadKinds.key(o.group, o.kind)) {
                throw s.error("objects[\(i)].kind", "scaleToZero needs a kind with spec.replicas (apps Deployment, StatefulSet, ReplicaSet), got \(o.kind)")
            }
        }

        var waits: Set<Wait> = action == .delete ? [.deleted] : [.podsGone]
        if s.has("waitFor") {
            waits = []
            for (i, w) in try s.strings("waitFor").enumerated() {
                guard let wait = Wait(rawValue: w) else { throw s.error("waitFor[\(i)]", "\"\(w)\" is not one of deleted, podsGone") }
                waits.insert(wait)
            }
        }
        if waits.contains(.deleted), action != .delete { throw s.error("waitFor", "deleted needs action delete") }
        if waits.contains(.podsGone), !objects.contains(where: { WorkloadKinds.withPods.contains(WorkloadKinds.key($0.group, $0.kind)) }) {
            throw s.error("waitFor", "podsGone needs a workload kind among the objects (Deployment, StatefulSet, ReplicaSet, DaemonSet, Job)")
        }

        var timeout = defaultStepTimeoutSeconds
        if let text = try s.string("timeout") {
            guard let seconds = DurationText.seconds(text), seconds > 0 else { throw s.error("timeout", "\"\(text)\" is not a duration like 2m, 90s or 500ms") }
            timeout = seconds
        }
        var onlyWithDeleteCRDs = false
        if let only = try s.string("onlyWith") {
            guard only == "deleteCRDs" else { throw s.error("onlyWith", "\"\(only)\" is not deleteCRDs (the only condition)") }
            onlyWithDeleteCRDs = true
        }
        var finalizedBy: FinalizedBy?
        if let f = try s.mapping("finalizedBy") {
            guard action == .delete else { throw s.error("finalizedBy", "only a delete step waits on finalizers") }
            try f.rejectUnknownKeys(["group", "kind", "name", "finalizers", "replicas"])
            let group = try f.string("group") ?? ""
            guard let kind = try f.string("kind"), WorkloadKinds.scalable.contains(WorkloadKinds.key(group, kind)) else {
                throw f.error("kind", "required: a kind with spec.replicas (apps Deployment, StatefulSet, ReplicaSet)")
            }
            guard let workload = try f.string("name"), KubeNames.isDNSSubdomain(workload) else { throw f.error("name", "required: the workload's name") }
            let finalizers = try f.strings("finalizers")
            guard !finalizers.isEmpty else { throw f.error("finalizers", "required: the finalizers this workload removes") }
            finalizedBy = FinalizedBy(group: group, kind: kind, name: workload, finalizers: finalizers,
                                      replicas: try f.int("replicas", in: 1...10) ?? 1)
        }
        return Step(name: name, objects: objects, action: action, propagation: propagation, waitFor: waits,
                    timeoutSeconds: timeout, onlyWithDeleteCRDs: onlyWithDeleteCRDs, finalizedBy: finalizedBy)
    }

    private static func parseSelector(_ o: YAMLFields) throws -> Selector {
        guard case .mapping? = o.node else { throw ConfigError("\(o.file): \(o.path): must be a mapping with group, kind and names, labelSelector or ownedBy") }
        try o.rejectUnknownKeys(["group", "kind", "namespace", "names", "labelSelector", "ownedBy", "all"])
        let group = try o.string("group") ?? ""
        if !group.isEmpty, !KubeNames.isDNSSubdomain(group) { throw o.error("group", "\"\(group)\" is not an API group (\"\" is the core group)") }
        guard let kind = try o.string("kind"), isKind(kind) else { throw o.error("kind", "required: a kind like Deployment") }
        let namespace = try o.string("namespace")
        if let namespace, !KubeNames.isDNSLabel(namespace) { throw o.error("namespace", "\"\(namespace)\" is not a valid namespace name") }
        let given = ["names", "labelSelector", "ownedBy", "all"].filter(o.has)
        guard given.count == 1 else {
            throw o.error(given.count > 1 ? given[1] : "names", "give exactly one of names, labelSelector, ownedBy, all")
        }
        let match: Match
        switch given[0] {
        case "names":
            let names = try o.strings("names")
            guard !names.isEmpty else { throw o.error("names", "must list at least one name") }
            for (i, n) in names.enumerated() where !KubeNames.isDNSSubdomain(n) && !n.contains(":") {
                throw o.error("names[\(i)]", "\"\(n)\" is not a valid object name")
            }
            match = .names(names)
        case "labelSelector":
            guard let selector = try o.string("labelSelector"), !selector.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw o.error("labelSelector", "must not be empty (an empty selector matches every object)")
            }
            if let problem = LabelSelectorSyntax.problem(selector) { throw o.error("labelSelector", problem) }
            match = .labelSelector(selector)
        case "all":
            guard try o.bool("all") == true else { throw o.error("all", "must be true when given (select by names, labelSelector or ownedBy otherwise)") }
            match = .all
        default:
            guard let owner = try o.mapping("ownedBy") else { throw o.error("ownedBy", "must be a mapping with group and kind") }
            try owner.rejectUnknownKeys(["group", "kind"])
            guard let ownerGroup = try owner.string("group"), KubeNames.isDNSSubdomain(ownerGroup) else {
                throw owner.error("group", "required: the owner's API group (an owner is matched by group and kind, never by apiVersion)")
            }
            guard let ownerKind = try owner.string("kind"), ownerKind == "*" || isKind(ownerKind) else {
                throw owner.error("kind", "required: the owner's kind, or * for any kind of the group")
            }
            match = .ownedBy(group: ownerGroup, kind: ownerKind)
        }
        return Selector(group: group, kind: kind, namespace: namespace, match: match)
    }

    private static func isKind(_ s: String) -> Bool {
        guard let f = s.first, f.isASCII, f.isUppercase else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}

/// "2m", "90s", "1m30s", "500ms", "1h", "2d" -> seconds (teardown deadlines go below a
/// second in tests; maintenance windows last up to days).
public enum DurationText {
    public static func seconds(_ text: String) -> Double? {
        if let n = Double(text), n > 0, n.isFinite { return n }
        let units: [(String, Double)] = [("ms", 0.001), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]
        var rest = Substring(text), total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let n = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            total += n * factor
        }
        return total > 0 ? total : nil
    }
}
