import KubeClient

/// Custom kinds the generated installs use (names from FACTS.md), registered as their CRDs
/// would be, plus the CRD object itself.
enum CustomTypes {
    static let kubeArmorConfig = ResourceType(group: "operator.kubearmor.com", version: "v1", kind: "KubeArmorConfig",
                                              plural: "kubearmorconfigs", namespaced: true, hasStatus: true)
    static let constraintTemplate = ResourceType(group: "templates.gatekeeper.sh", version: "v1", kind: "ConstraintTemplate",
                                                 plural: "constrainttemplates", namespaced: false, hasStatus: true)
    static let assign = ResourceType(group: "mutations.gatekeeper.sh", version: "v1", kind: "Assign", plural: "assign",
                                     namespaced: false, hasStatus: true)

    static func constraint(_ kind: String) -> ResourceType {
        ResourceType(group: "constraints.gatekeeper.sh", version: "v1beta1", kind: kind, plural: kind.lowercased(),
                     namespaced: false, hasStatus: true)
    }

    /// The CustomResourceDefinition serving `rt` (schema left open).
    static func crd(_ rt: ResourceType, labels: [String: String] = [:], owners: [JSONValue] = [], _ g: inout Generation) -> JSONValue {
        ["metadata": g.meta("\(rt.plural).\(rt.group)", labels: labels, owners: owners),
         "spec": ["group": .string(rt.group), "scope": rt.namespaced ? "Namespaced" : "Cluster",
                  "names": ["kind": .string(rt.kind), "plural": .string(rt.plural), "singular": .string(rt.singular), "listKind": .string(rt.listKind)],
                  "versions": [["name": .string(rt.version), "served": true, "storage": true, "subresources": ["status": [:]],
                                "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]]],
         "status": ["acceptedNames": ["kind": .string(rt.kind), "plural": .string(rt.plural)], "storedVersions": [.string(rt.version)],
                    "conditions": [["type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"]]]]
    }
}
