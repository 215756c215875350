import KubeClient

/// `gatekeeper-orphaned-vap` (DESIGN.md problem 4): Gatekeeper generates a
/// ValidatingAdmissionPolicy per ConstraintTemplate and a binding per Constraint, each
/// owned by a controller ownerReference. When a template goes, its constraint CRD goes
/// too, and the garbage collector cannot resolve an owner whose kind is no longer served:
/// the binding stays and keeps enforcing. Generated objects are found by that reference
/// (never by name); an orphan is one whose owner uid no longer resolves, or whose owner
/// kind is no longer served. Owners are resolved by group + kind and uid, never by the
/// reference's literal apiVersion (the template controller writes v1beta1).
public struct OrphanedVAPCheck: Check {
    public init() {}

    public let name = "gatekeeper-orphaned-vap"
    public let summary = "deletes ValidatingAdmissionPolicies/Bindings Gatekeeper generated whose owning template or constraint is gone"

    public var optionsDoc: [CheckOptionDoc] {
        [CheckOptionDoc(name: "cleanUninstalled", type: .bool, defaultValue: false,
                        doc: "When Gatekeeper itself is gone (no ConstraintTemplate API, no constraint CRDs, no Gatekeeper Deployment) but policies/bindings it generated remain, delete them too. Off: they are reported, since they may be kept on purpose as native policies.")]
    }

    public var inputs: [SnapshotInput] { GatekeeperAPI.vapInputs }

    public func evaluate(_ snapshot: Snapshot, _ settings: Settings) -> CheckReport {
        let policyWhy = snapshot.unavailableReason(GatekeeperAPI.policy), bindingWhy = snapshot.unavailableReason(GatekeeperAPI.binding)
        if let policyWhy, bindingWhy != nil {
            return .notApplicable(name, "ValidatingAdmissionPolicy is not served (\(policyWhy))")
        }
        let cleanUninstalled = settings.checks.option("cleanUninstalled", of: name)?.boolValue ?? false
        let owners = OwnerResolver(snapshot)
        let policies = snapshot.objects(GatekeeperAPI.policy)
        let policyNames = Set(policies.map(\.meta.name))
        var findings: [Finding] = []
        var examined = 0
        for object in policies + snapshot.objects(GatekeeperAPI.binding) where !object.meta.isDeleting {
            guard let ref = object.meta.ownerReferences.first(where: { $0.controller == true }),
                  GatekeeperAPI.ownerGroups.contains(GroupKind(apiVersion: ref.apiVersion, kind: ref.kind).group) else { continue }
            examined += 1
            switch owners.resolve(ref) {
            case .alive:
                if object.kind == GatekeeperAPI.binding.kind, let policy = object.spec?["policyName"]?.stringValue,
                   snapshot.unavailableReason(GatekeeperAPI.policy) == nil, !policyNames.contains(policy) {
                    findings.append(Finding(check: name, object: object.ref,
                        reason: "binds policy \(policy), which does not exist, while its \(ref.kind) \(ref.name) lives: Gatekeeper should regenerate the policy (is its ConstraintTemplate's VAP generation off, or the template failing?); not deleted",
                        action: nil))
                }
            case .deleting:
                continue  // the garbage collector takes it with its owner
            case .orphan(let why):
                let uninstalled = owners.gatekeeperAbsent
                let reason = uninstalled
                    ? "Gatekeeper is uninstalled (\(owners.absenceEvidence)) but this generated object remains: \(why)"
                    : "orphaned: \(why); the garbage collector keeps it and it keeps enforcing"
                guard !uninstalled || cleanUninstalled else {
                    findings.append(Finding(check: name, object: object.ref,
                        reason: reason + "; not deleted (set checks.\(name).cleanUninstalled: true to delete)", action: nil))
                    continue
                }
                let request = KubeRequest.delete(GatekeeperAPI.descriptor(object), namespace: nil, name: object.meta.name,
                                                 options: DeleteOptions(preconditionUID: object.meta.uid, preconditionResourceVersion: object.meta.resourceVersion))
                findings.append(Finding(check: name, object: object.ref, reason: reason,
                    action: Action(actionClass: .orphanDeletion, target: object.ref,
                                   summary: "delete \(object.kind) \(object.meta.name) (preconditions uid \(object.meta.uid), resourceVersion \(object.meta.resourceVersion))",
                                   request: request)))
            }
        }
        return CheckReport(check: name, findings: findings, examined: examined)
    }
}

/// Resolves a generated object's controlling owner against the snapshot.
struct OwnerResolver {
    enum Resolution: Equatable {
        case alive
        case deleting
        /// Why: "K8sAllowedRepos repo-is-openpolicyagent (uid …) not found, and kind K8sAllowedRepos.constraints.gatekeeper.sh is no longer served".
        case orphan(String)
    }

    let snapshot: Snapshot
    /// Constraint kinds with a CRD (lower-cased kind = the CRD's plural), not being deleted.
    let servedConstraintPlurals: Set<String>
    let crdsListed: Bool

    init(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        let suffix = "." + GatekeeperAPI.constraintsGroup
        crdsListed = snapshot.unavailableReason(GatekeeperAPI.crd) == nil
        servedConstraintPlurals = Set(snapshot.objects(GatekeeperAPI.crd).filter { $0.meta.name.hasSuffix(suffix) && !$0.meta.isDeleting }
            .map { String($0.meta.name.dropLast(suffix.count)) })
    }

    func resolve(_ ref: OwnerReference) -> Resolution {
        let kind = GroupKind(apiVersion: ref.apiVersion, kind: ref.kind)
        if let owner = snapshot.objects(kind).first(where: { $0.meta.uid == ref.uid }) {
            return owner.meta.isDeleting ? .deleting : .alive
        }
        let sameName = snapshot.objects(kind).first { $0.meta.name == ref.name }
        var why = "its \(ref.kind) \(ref.name) (uid \(ref.uid)) no longer exists"
        if let sameName { why += "; a \(ref.kind) \(ref.name) with uid \(sameName.meta.uid) was created since, which Gatekeeper gives its own object" }
        if let served = served(kind), !served { why += ", and kind \(kind) is no longer served" }
        return .orphan(why)
    }

    /// Whether the owner's kind is still served; nil when the snapshot cannot tell.
    func served(_ kind: GroupKind) -> Bool? {
        if !snapshot.objects(kind).isEmpty { return true }
        if kind.group == GatekeeperAPI.templatesGroup { return snapshot.unavailableReason(GatekeeperAPI.template) == nil }
        guard kind.group == GatekeeperAPI.constraintsGroup, crdsListed else { return nil }
        return servedConstraintPlurals.contains(kind.kind.lowercased())
    }

    /// No ConstraintTemplate API, no constraint CRD and no Gatekeeper Deployment.
    var gatekeeperAbsent: Bool {
        snapshot.unavailableReason(GatekeeperAPI.template) != nil && servedConstraintPlurals.isEmpty
            && GatekeeperAPI.deployments(in: snapshot).isEmpty
    }

    var absenceEvidence: String {
        "templates.gatekeeper.sh is not served, no constraint CRDs, no Gatekeeper Deployment"
    }
}
