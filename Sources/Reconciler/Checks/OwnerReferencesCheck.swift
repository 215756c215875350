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
        var rules = OwnerRule.rules(options)
        var findings: [Finding] = []
        var applicable = !rules.isEmpty
        if options["kubearmorOperator"]?.boolValue ?? true {
            let operators = KubeArmorOperator.deployments(in: snapshot)
            if operators.count > 1 {
                applicable = true
                findings += KubeArmorOperator.ambiguous(name, operators)
            } else if let op = operators.first {
                applicable = true
                rules = Self.operatorRules(op) + rules
            }
        }
        guard applicable else {
            return .notApplicable(name, "no KubeArmor operator Deployment (label kubearmor-app=kubearmor-operator or name kubearmor-operator) and no rules in the settings")
        }
        var examined: Set<String> = []
        for rule in rules { findings += ruleFindings(rule, snapshot, examined: &examined) }
        // A rule may repeat the built-in one: one finding per object and owner.
        var seen: Set<String> = []
        findings = findings.filter { seen.insert("\($0.object.uid)|\($0.action?.summary ?? $0.reason)").inserted }
        return CheckReport(check: name, findings: findings, examined: examined.count)
    }

    /// The built-in rule as rules like the users': the operator's objects (by name, in its
    /// namespace, kinds in table order) should reference its Deployment.
    static func operatorRules(_ op: WorkloadRecord) -> [OwnerRule] {
        var kinds: [String] = []
        for (resource, _) in operatorObjects where !kinds.contains(resource.kind) { kinds.append(resource.kind) }
        return kinds.map { kind in
            let names = Set(operatorObjects.filter { $0.0.kind == kind }.map(\.1))
            // FACTS.md: addOwnership has no case for Roles/RoleBindings.
            let why = kind == "Role" || kind == "RoleBinding"
                ? "a step beyond the KubeArmor operator (it sets no owner on its Roles and RoleBindings): deleting the operator then takes this along"
                : "the KubeArmor operator sets this reference on the objects it creates"
            return OwnerRule(dependent: RuleKind(kind: kind), namespace: op.meta.namespace, names: names,
                             owner: RuleKind(kind: op.kind), ownerName: op.meta.name, why: why)
        }
    }

    /// `examined` collects the uids of the dependents the rule judged.
    private func ruleFindings(_ rule: OwnerRule, _ snapshot: Snapshot, examined: inout Set<String>) -> [Finding] {
        guard case .success(let dependentInput) = rule.dependent.resolve(), let ownerKind = rule.owner.groupKind,
              snapshot.unavailableReason(dependentInput.groupKind) == nil else { return [] }
        let dependents = snapshot.objects(dependentInput.groupKind).filter(rule.matches)
        let owners = snapshot.objects(ownerKind).filter { $0.meta.name == rule.ownerName }
        examined.formUnion(dependents.map { BudgetPacker.objectKey($0.ref) })
        return dependents.compactMap { object in
            // Valid owners: cluster-scoped, or in the dependent's own namespace (a
            // cluster-scoped dependent can therefore only get a cluster-scoped owner).
            if owners.contains(where: { $0.meta.uid == object.meta.uid }) { return nil }  // the owner itself matches the selector
            guard let owner = owners.first(where: { $0.meta.namespace == nil || $0.meta.namespace == object.meta.namespace }) else {
                let invalid = object.meta.namespace == nil && owners.contains { $0.meta.namespace != nil }
                let problem = invalid ? "a namespaced owner is invalid for a cluster-scoped object"
                    : "not found\(object.meta.namespace.map { " in namespace \($0)" } ?? " at cluster scope")"
                return Finding(check: name, object: object.ref,
                               reason: "\(rule.label) wants owner \(rule.owner.kind) \(rule.ownerName): \(problem); nothing to add",
                               action: nil)
            }
            // An owner being deleted: a reference to it would have the garbage collector
            // delete the dependent too. Left to the teardown (every rule, built-in or not).
            if owner.meta.isDeleting { return nil }
            guard let resource = descriptor(for: object, kind: rule.dependent) else { return nil }
            // controller only when the rule asks; blockOwnerDeletion never. The operator's own
            // addOwnership sets neither (FACTS.md), and Kubernetes sets both only on the
            // references a controller gives the objects it manages (metav1.NewControllerRef,
            // apimachinery pkg/apis/meta/v1/controller_ref.go). blockOwnerDeletion would make
            // a foreground delete of the owner wait on the dependent, and under the
            // OwnerReferencesPermissionEnforcement admission plugin (plugin/pkg/admission/gc/
            // gc_admission.go) setting it needs `update` on the owner's finalizers, which
            // kreconcile's RBAC has no business holding. Garbage collection needs neither.
            let ref = OwnerReference(apiVersion: owner.apiVersion, kind: owner.kind, name: owner.meta.name, uid: owner.meta.uid,
                                     controller: rule.controller ? true : nil)
            return finding(object, resource: resource, owner: ref, ownerRef: owner.ref, why: rule.label)
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
