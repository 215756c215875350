import KubeClient

/// A Gatekeeper install with problems 4 and 5 seeded: generated ValidatingAdmissionPolicy
/// objects whose owners are gone (uid no longer resolves, or the constraint kind is no
/// longer served), and an Assign mutator that some pods missed (see Generation.pod).
enum GatekeeperInstall {
    static let namespace = "gatekeeper-system"
    static let templates: [(kind: String, constraints: [String])] = [
        ("K8sRequiredLabels", ["ns-must-have-owner", "pods-must-have-app"]),
        ("K8sAllowedRepos", ["prod-repo-is-internal", "dev-repo-allowlist"]),
        ("K8sContainerLimits", ["containers-must-have-limits"]),
    ]
    /// A template already deleted with its CRD: its VAPB's owner kind is no longer served.
    static let deletedTemplate = (kind: "K8sDisallowedTags", constraints: ["no-latest-tag"])
    static let assignName = "deny-privilege-escalation"

    static func generate(_ g: inout Generation) {
        g.namespace(namespace)
        let rate = g.spec.problemRate
        func template(_ app: String) -> JSONValue {
            ["metadata": ["labels": ["control-plane": .string(app), "gatekeeper.sh/system": "yes"]],
             "spec": ["containers": [["name": "manager", "image": "openpolicyagent/gatekeeper:v3.23.0",
                                      "args": ["--port=8443", "--operation=webhook", "--operation=mutation-webhook"],
                                      "resources": ["requests": ["cpu": "100m", "memory": "256Mi"], "limits": ["memory": "512Mi"]]]],
                      "serviceAccountName": "gatekeeper-admin"]]
        }
        g.deployment("gatekeeper-controller-manager", namespace: namespace, template: template("controller-manager"), replicas: 3,
                     labels: ["control-plane": "controller-manager", "gatekeeper.sh/system": "yes"])
        g.deployment("gatekeeper-audit", namespace: namespace, template: template("audit-controller"), replicas: 1,
                     labels: ["control-plane": "audit-controller", "gatekeeper.sh/system": "yes"])

        g.store.registry.register(CustomTypes.constraintTemplate)
        g.store.registry.register(CustomTypes.assign)
        g.emit(g.type("customresourcedefinitions"), CustomTypes.crd(CustomTypes.constraintTemplate, &g))
        g.emit(g.type("customresourcedefinitions"), CustomTypes.crd(CustomTypes.assign, &g))
        let vapType = g.type("validatingadmissionpolicies.admissionregistration.k8s.io")
        let bindingType = g.type("validatingadmissionpolicybindings.admissionregistration.k8s.io")
        var forcedOrphan = false

        for (kind, constraints) in templates + [deletedTemplate] {
            let name = kind.lowercased()
            let served = kind != deletedTemplate.kind
            var ct: JSONValue = ["apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate",
                                 "metadata": g.meta(name),
                                 "spec": ["crd": ["spec": ["names": ["kind": .string(kind)]]],
                                          "targets": [["target": "admission.k8s.gatekeeper.sh",
                                                       "code": [["engine": "K8sNativeValidation", "source": ["validations": [["expression": "true"]]]]],
                                                       "rego": .string("package \(name)\nviolation[{\"msg\": msg}] { false; msg := \"\" }")]]],
                                 "status": ["created": true]]
            if served {
                ct = g.emit(CustomTypes.constraintTemplate, ct)
                let rt = CustomTypes.constraint(kind)
                g.store.registry.register(rt)
                g.emit(g.type("customresourcedefinitions"), CustomTypes.crd(rt, labels: ["gatekeeper.sh/constraint": "yes"],
                                                                            owners: [ct.ownerReference()], &g))
            }
            // VAP gatekeeper-<template>, controlled by the template (gone for the deleted one).
            g.emit(vapType, ["metadata": g.meta("gatekeeper-\(name)", owners: [ct.ownerReference()]),
                             "spec": ["failurePolicy": "Fail", "paramKind": ["apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": .string(kind)],
                                      "matchConstraints": ["resourceRules": [["apiGroups": ["*"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"], "resources": ["*"]]]],
                                      "validations": [["expression": "true"]]]])
            for constraintName in constraints {
                var constraint: JSONValue = [
                    "apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": .string(kind), "metadata": g.meta(constraintName),
                    "spec": ["enforcementAction": "deny", "match": ["kinds": [["apiGroups": [""], "kinds": ["Pod", "Namespace"]]],
                                                                      "excludedNamespaces": ["kube-system", .string(namespace)]],
                             "parameters": ["labels": ["owner"]]],
                ]
                // Orphaned by uid: the constraint was deleted but its binding stayed.
                let orphaned = served && (g.rng.chance(rate) || !forcedOrphan)
                if served && !orphaned { constraint = g.emit(CustomTypes.constraint(kind), constraint) }
                if orphaned { forcedOrphan = true }
                g.emit(bindingType, ["metadata": g.meta("gatekeeper-\(name)-\(constraintName)", owners: [constraint.ownerReference()]),
                                     "spec": ["policyName": .string("gatekeeper-\(name)"), "validationActions": ["Deny"],
                                              "paramRef": ["name": .string(constraintName), "parameterNotFoundAction": "Deny"]]])
            }
        }

        g.emit(CustomTypes.assign, [
            "metadata": g.meta(assignName),
            "spec": ["applyTo": [["groups": [""], "kinds": ["Pod"], "versions": ["v1"]]],
                     "match": ["scope": "Namespaced", "kinds": [["apiGroups": ["*"], "kinds": ["Pod"]]],
                               "excludedNamespaces": ["kube-system", .string(namespace), .string(KubeArmorInstall.namespace)]],
                     "location": "spec.containers[name:*].securityContext.allowPrivilegeEscalation",
                     "parameters": ["assign": ["value": false]]],
            "status": ["byPod": [["id": "gatekeeper-controller-manager-0", "enforced": true, "observedGeneration": 1, "operations": ["mutation-webhook"]]]],
        ])
    }
}
