import KubeClient

/// `owner-references`: objects that should be owned but lack the ownerReference, so the
/// garbage collector removes them with their owner (DESIGN.md problem 1). Built in: the
/// KubeArmor operator's namespaced objects; plus user rules from the settings. Only valid
/// references are added: the owner in the object's namespace or cluster-scoped, never a
/// namespaced owner on a cluster-scoped object (the GC rejects those:
/// pkg/controller/garbagecollector, event reason OwnerRefInvalidNamespace).
public struct OwnerReferencesCheck: Check {
    public init() {}

    public let name = "owner-references"
    public let summary = "adds missing ownerReferences: the KubeArmor operator's objects, plus rules in the settings"

    public var optionsDoc: [CheckOptionDoc] {
        [
            CheckOptionDoc(name: "kubearmorOperator", type: .bool, defaultValue: true,
                           doc: "Reference the KubeArmor operator Deployment from the namespaced objects it creates (FACTS: controller, relay, services, webhook Secret, ConfigMap, service accounts, leader-election Role/RoleBinding)."),
            CheckOptionDoc(name: "rules", type: OwnerRule.schema, defaultValue: [],
                           doc: "More rules: objects of kind (apiVersion and resource for non built-in kinds) matching selector, in namespace or everywhere, get an ownerReference to owner (same namespace or cluster-scoped).",
                           example: "rules:\n- kind: ConfigMap\n  namespace: shop\n  selector: {app: cart}\n  owner: {kind: Deployment, name: cart}"),
        ]
    }

    /// The operator's own objects (FACTS.md). The webhook-cert Secret is included: the
    /// operator gives it this same reference, and adding one touches only metadata, never
    /// the cert data it rotates. The MutatingWebhookConfiguration and the ClusterRoles are
    /// cluster-scoped, so a reference to the namespaced operator would be invalid: left out.
    static let operatorObjects: [(ResourceDescriptor, String)] = [
        (.deployments, "kubearmor-controller"), (.deployments, "kubearmor-relay"),
        (.services, "kubearmor"), (.services, "kubearmor-controller-webhook-service"),
        (.secrets, "kubearmor-controller-webhook-server-cert"),
        (.configMaps, "kubearmor-config"),
        (.serviceAccounts, "kubearmor"), (.serviceAccounts, "kubearmor-relay"),
        (.serviceAccounts, "kubearmor-controller"), (.serviceAccounts, "kubearmor-snitch"),
        (KnownResources.roles, "kubearmor-controller-leader-election-role"),
        (KnownResources.roleBindings, "kubearmor-controller-leader-election-rolebinding"),
    ]

    public var inputs: [SnapshotInput] {
        var seen: Set<ResourceDescriptor> = []
        let kinds = Self.operatorObjects.map(\.0).filter { seen.insert($0).inserted }
        return kinds.map { .builtIn($0, shape: $0 == .deployments ? .workload : .object(keepSpec: false)) }
    }

    public func inputs(for settings: Settings) -> [SnapshotInput] {
        var all = inputs
        for rule in OwnerRule.rules(settings.checks.options[name] ?? [:]) {
            for kind in [rule.dependent, rule.owner] {
                if case .success(let input) = kind.resolve() { all.append(input) }
            }
        }
        return all
    }

    public func validateOptions(_ options: [String: JSONValue]) -> OptionProblem? {
        for (i, rule) in OwnerRule.rules(options).enumerated() {
            if let p = rule.problem() { return OptionProblem(field: "rules[\(i)].\(p.field)", problem: p.problem) }
        }
        return nil
    }

    public func evaluate(_ snapshot: Snapshot, _ settings: Settings) -> CheckReport {
        let options = settings.checks.options[name] ?? [:]
        let rules = OwnerRule.rules(options)
        var findings: [Finding] = []
        var applicable = !rules.isEmpty
        if options["kubearmorOperator"]?.boolValue ?? true {
            let operators = KubeArmorOperator.deployments(in: snapshot)
            if operators.count > 1 {
                applicable = true
                findings += KubeArmorOperator.ambiguous(name, operators)
            } else if let op = operators.first {
                applicable = true
                // Referencing an operator that is being deleted would have the garbage
                // collector delete the objects too: leave that to the teardown.
                if !op.meta.isDeleting { findings += operatorFindings(op, snapshot) }
            }
        }
        guard applicable else {
            return .notApplicable(name, "no KubeArmor operator Deployment (label kubearmor-app=kubearmor-operator or name kubearmor-operator) and no rules in the settings")
        }
        for rule in rules { findings += ruleFindings(rule, snapshot) }
        // A rule may repeat the built-in one: one finding per object and owner.
        var seen: Set<String> = []
        findings = findings.filter { seen.insert("\($0.object.uid)|\($0.action?.summary ?? $0.reason)").inserted }
        return CheckReport(check: name, findings: findings)
    }

    private func operatorFindings(_ op: WorkloadRecord, _ snapshot: Snapshot) -> [Finding] {
        let ref = OwnerReference(apiVersion: op.apiVersion, kind: op.kind, name: op.meta.name, uid: op.meta.uid)
        return Self.operatorObjects.compactMap { resource, objectName in
            guard let object = snapshot.objects(GroupKind(resource.group, resource.kind))
                .first(where: { $0.meta.namespace == op.meta.namespace && $0.meta.name == objectName }) else { return nil }
            return finding(object, resource: resource, owner: ref, ownerRef: op.ref, why: "the KubeArmor operator sets this reference on the objects it creates")
        }
    }

    private func ruleFindings(_ rule: OwnerRule, _ snapshot: Snapshot) -> [Finding] {
        guard case .success(let dependentInput) = rule.dependent.resolve(), let ownerKind = rule.owner.groupKind,
              snapshot.unavailableReason(dependentInput.groupKind) == nil else { return [] }
        let dependents = snapshot.objects(dependentInput.groupKind).filter { o in
            (rule.namespace == nil || o.meta.namespace == rule.namespace) && rule.selector.allSatisfy { o.meta.labels[$0.key] == $0.value }
        }
        let owners = snapshot.objects(ownerKind).filter { $0.meta.name == rule.ownerName }
        let selector = rule.selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return dependents.compactMap { object in
            // Valid owners: cluster-scoped, or in the dependent's own namespace (a
            // cluster-scoped dependent can therefore only get a cluster-scoped owner).
            if owners.contains(where: { $0.meta.uid == object.meta.uid }) { return nil }  // the owner itself matches the selector
            guard let owner = owners.first(where: { $0.meta.namespace == nil || $0.meta.namespace == object.meta.namespace }) else {
                let invalid = object.meta.namespace == nil && owners.contains { $0.meta.namespace != nil }
                let problem = invalid ? "a namespaced owner is invalid for a cluster-scoped object"
                    : "not found\(object.meta.namespace.map { " in namespace \($0)" } ?? " at cluster scope")"
                return Finding(check: name, object: object.ref,
                               reason: "rule (\(rule.dependent.kind) \(selector)) wants owner \(rule.owner.kind) \(rule.ownerName): \(problem); nothing to add",
                               action: nil)
            }
            guard let resource = descriptor(for: object, kind: rule.dependent) else { return nil }
            let ref = OwnerReference(apiVersion: owner.apiVersion, kind: owner.kind, name: owner.meta.name, uid: owner.meta.uid,
                                     controller: rule.controller ? true : nil)
            return finding(object, resource: resource, owner: ref, ownerRef: owner.ref, why: "settings rule \(rule.dependent.kind) \(selector)")
        }
    }

    /// The finding for one object that should reference `owner`, or nil when it does.
    private func finding(_ object: ObjectRecord, resource: ResourceDescriptor, owner: OwnerReference, ownerRef: ObjectRef, why: String) -> Finding? {
        let refs = object.meta.ownerReferences
        guard !object.meta.isDeleting, !refs.contains(where: { $0.uid == owner.uid }) else { return nil }
        if let stale = refs.first(where: { $0.kind == owner.kind && $0.name == owner.name }) {
            return Finding(check: name, object: object.ref,
                           reason: "ownerReference to \(owner.kind) \(owner.name) has uid \(stale.uid), but \(ownerRef) has uid \(owner.uid) (owner recreated?); fix by hand",
                           action: nil)
        }
        if owner.controller == true, let existing = refs.first(where: { $0.controller == true }) {
            return Finding(check: name, object: object.ref,
                           reason: "already controlled by \(existing.kind) \(existing.name): a second controller reference to \(ownerRef) is invalid",
                           action: nil)
        }
        // Test the resourceVersion so the patch lands only on the object the plan saw; add
        // to the list when there is one (other owners stay), else create it.
        let add: JSONPatchOperation = refs.isEmpty
            ? .add("/metadata/ownerReferences", [owner.json])
            : .add("/metadata/ownerReferences/-", owner.json)
        let request = KubeRequest.patch(resource, namespace: object.meta.namespace, name: object.meta.name,
                                        patch: .json([.test("/metadata/resourceVersion", .string(object.meta.resourceVersion)), add]))
        let existing = refs.isEmpty ? "no ownerReferences" : "ownerReferences only to " + refs.map { "\($0.kind) \($0.name)" }.joined(separator: ", ")
        return Finding(check: name, object: object.ref,
                       reason: "\(existing), none to \(ownerRef) (uid \(owner.uid)); \(why)",
                       action: Action(actionClass: .metadata, target: object.ref,
                                      summary: "add ownerReference to \(owner.kind) \(owner.name)", request: request))
    }

    /// Where to patch the object: the built-in table, or the rule's apiVersion/resource
    /// at the version the object was listed with.
    private func descriptor(for object: ObjectRecord, kind: RuleKind) -> ResourceDescriptor? {
        guard let plural = kind.resource else { return KnownResources.descriptor(kind: kind.kind) }
        let gk = GroupKind(apiVersion: object.apiVersion, kind: object.kind)
        let version = object.apiVersion.split(separator: "/").last.map(String.init) ?? object.apiVersion
        return ResourceDescriptor(group: gk.group, version: version, plural: plural, kind: object.kind, namespaced: object.meta.namespace != nil)
    }
}
