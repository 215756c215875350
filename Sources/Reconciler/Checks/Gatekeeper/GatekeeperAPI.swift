import KubeClient

/// The Gatekeeper and admission-registration kinds the Gatekeeper checks read (FACTS.md,
/// Gatekeeper section). Every one is optional: a cluster without Gatekeeper, or without
/// ValidatingAdmissionPolicy, simply has none.
enum GatekeeperAPI {
    static let admissionGroup = "admissionregistration.k8s.io"
    static let templatesGroup = "templates.gatekeeper.sh"
    static let constraintsGroup = "constraints.gatekeeper.sh"
    static let mutationsGroup = "mutations.gatekeeper.sh"
    /// Groups whose controller ownerReference marks a VAP/VAPB as Gatekeeper-generated.
    static let ownerGroups: Set<String> = [templatesGroup, constraintsGroup]

    static let policy = GroupKind(admissionGroup, "ValidatingAdmissionPolicy")
    static let binding = GroupKind(admissionGroup, "ValidatingAdmissionPolicyBinding")
    static let template = GroupKind(templatesGroup, "ConstraintTemplate")
    static let crd = GroupKind("apiextensions.k8s.io", "CustomResourceDefinition")

    /// Discovery picks v1 where served, else v1beta1 (clusters before 1.30).
    static let admissionVersions = ["v1", "v1beta1"]
    static let plurals = [policy.kind: "validatingadmissionpolicies", binding.kind: "validatingadmissionpolicybindings"]

    static var vapInputs: [SnapshotInput] {
        [
            SnapshotInput(.discovered(group: admissionGroup, versions: admissionVersions, plural: plurals[policy.kind]!, kind: policy.kind),
                          optional: true, shape: .object(keepSpec: false)),
            // The binding's spec.policyName tells a binding whose policy is gone.
            SnapshotInput(.discovered(group: admissionGroup, versions: admissionVersions, plural: plurals[binding.kind]!, kind: binding.kind),
                          optional: true, shape: .object(keepSpec: true)),
            SnapshotInput(.discovered(group: templatesGroup, versions: ["v1", "v1beta1"], plural: "constrainttemplates", kind: template.kind),
                          optional: true, shape: .object(keepSpec: false)),
            SnapshotInput(.group(constraintsGroup, versions: ["v1beta1", "v1"]), optional: true, shape: .object(keepSpec: false)),
            // Metadata only: the constraint CRDs' names (<plural>.constraints.gatekeeper.sh) say
            // which constraint kinds are still served, without reading any schema.
            SnapshotInput(.discovered(group: crd.group, versions: ["v1"], plural: "customresourcedefinitions", kind: crd.kind),
                          optional: true, shape: .object(keepSpec: false)),
            .builtIn(.deployments, shape: .workload),
        ]
    }

    /// Mutators: v1 for three kinds, AssignImage only v1alpha1 (where served).
    static var mutatorInputs: [SnapshotInput] {
        [("Assign", "assign", ["v1", "v1beta1"]), ("AssignMetadata", "assignmetadata", ["v1", "v1beta1"]),
         ("ModifySet", "modifyset", ["v1", "v1beta1"]), ("AssignImage", "assignimage", ["v1alpha1"])].map { kind, plural, versions in
            SnapshotInput(.discovered(group: mutationsGroup, versions: versions, plural: plural, kind: kind), optional: true, shape: .object(keepSpec: true))
        }
    }

    /// Gatekeeper's own Deployments (chart labels `gatekeeper.sh/operation`, or the chart's names).
    static func deployments(in snapshot: Snapshot) -> [WorkloadRecord] {
        snapshot.workloads(.deployment).filter {
            $0.meta.labels["gatekeeper.sh/operation"] != nil || ["gatekeeper-controller-manager", "gatekeeper-audit"].contains($0.meta.name)
        }
    }

    /// Where a generated object is written (the version it was listed with).
    static func descriptor(_ object: ObjectRecord) -> ResourceDescriptor {
        let version = object.apiVersion.split(separator: "/").last.map(String.init) ?? "v1"
        return ResourceDescriptor(group: admissionGroup, version: version, plural: plurals[object.kind] ?? "", kind: object.kind, namespaced: false)
    }
}
