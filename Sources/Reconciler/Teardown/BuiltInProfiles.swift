/// The profiles that ship in the binary (`--profile kubearmor`, `--show-profile gatekeeper`).
/// They are the same YAML a user would write, parsed by the same code; the comments say
/// why each step comes where it does. Object names: KubeArmor operator
/// (internal/controller/resources.go) and the Gatekeeper chart (charts/gatekeeper/templates).
public enum BuiltInProfiles {
    public static let names = ["kubearmor", "gatekeeper"]

    public static func yaml(named name: String) -> String? {
        switch name {
        case "kubearmor": return kubeArmor
        case "gatekeeper": return gatekeeper
        default: return nil
        }
    }

    static let kubeArmor = """
        # kreconcile teardown profile for the KubeArmor operator install.
        # Uninstalling the release deletes everything at once: the webhook-cert Secret goes
        # before the controller, whose pods crash-loop on the missing mount and linger, and
        # the mutating webhook keeps pointing at a dead Service. These steps take it apart in
        # dependency order instead; Helm then deletes whatever is left of the release.
        apiVersion: kreconcile.io/v1alpha1
        kind: TeardownProfile
        name: kubearmor
        namespace: kubearmor
        steps:
        # First stop the operator, so nothing recreates what the next steps delete. It owns
        # most objects below (ownerReferences without blockOwnerDeletion): deleting it now,
        # with any propagation but Orphan, would let the garbage collector delete them all
        # at once: the original failure. So it is scaled to zero and deleted last.
        - name: stop-operator
          objects:
          - {group: apps, kind: Deployment, names: [kubearmor-operator]}
          action: scaleToZero
          waitFor: [podsGone]
          timeout: 2m
        # Pod admission must stop calling the controller before the controller goes
        # (failurePolicy Ignore still costs every pod create a timeout to a dead Service).
        - name: mutating-webhook
          objects:
          - {group: admissionregistration.k8s.io, kind: MutatingWebhookConfiguration, names: [kubearmor-controller-mutating-webhook-configuration]}
          action: delete
          waitFor: [deleted]
          timeout: 1m
        # The controller mounts the webhook-cert Secret: its pods must be gone before the
        # Secret is deleted (step namespaced-objects).
        - name: controller-and-relay
          objects:
          - {group: apps, kind: Deployment, names: [kubearmor-controller, kubearmor-relay]}
          action: delete
          propagation: Foreground
          waitFor: [deleted, podsGone]
          timeout: 3m
        # One DaemonSet per node configuration (kubearmor-<enforcer>-<runtime>-<hash>), and
        # the snitch Jobs that detect it: by label, not name.
        - name: daemonsets
          objects:
          - {group: apps, kind: DaemonSet, labelSelector: kubearmor-app=kubearmor}
          - {group: batch, kind: Job, labelSelector: kubearmor-app=kubearmor-snitch}
          action: delete
          propagation: Foreground
          waitFor: [deleted, podsGone]
          timeout: 3m
        # Nothing uses these any more.
        - name: namespaced-objects
          objects:
          - {kind: Service, names: [kubearmor, kubearmor-controller-webhook-service]}
          - {kind: Secret, names: [kubearmor-controller-webhook-server-cert]}
          - {kind: ConfigMap, names: [kubearmor-config]}
          - {kind: ServiceAccount, names: [kubearmor, kubearmor-relay, kubearmor-controller, kubearmor-snitch]}
          - {group: rbac.authorization.k8s.io, kind: Role, names: [kubearmor-controller-leader-election-role]}
          - {group: rbac.authorization.k8s.io, kind: RoleBinding, names: [kubearmor-controller-leader-election-rolebinding]}
          action: delete
          waitFor: [deleted]
          timeout: 1m
        - name: cluster-rbac
          objects:
          - group: rbac.authorization.k8s.io
            kind: ClusterRoleBinding
            names: [kubearmor-clusterrolebinding, kubearmor-relay-clusterrolebinding, kubearmor-controller-clusterrolebinding, kubearmor-snitch-binding]
          - group: rbac.authorization.k8s.io
            kind: ClusterRole
            names: [kubearmor-clusterrole, kubearmor-relay-clusterrole, kubearmor-controller-clusterrole, kubearmor-snitch]
          action: delete
          waitFor: [deleted]
          timeout: 1m
        # The KubeArmorConfig goes only now (KubeArmor operator source,
        # pkg/KubeArmorOperator/internal/controller/):
        # - operator.kubearmor.com/v1 (cluster.go, WatchConfigCrd): no finalizer; its
        #   DeleteFunc only forgets the CR, deleting it deletes nothing. It is gone at once.
        # - the newer helm-based operator (kubearmorconfig_controller.go) adds the finalizer
        #   kubearmorconfig.operator.kubearmor.com and, on deletion, uninstalls its whole
        #   KubeArmor release at once (the original failure) before removing the finalizer.
        #   Deleting the CR earlier, or with the operator running, would undo the order above.
        #   Here the release's objects are already gone, so the uninstall has nothing left to
        #   break: if the CR still carries that finalizer, the operator is scaled back to one
        #   replica to remove it. A finalizer nobody removes is reported when the step times
        #   out (`--remove-finalizers` removes it and prints it).
        - name: kubearmorconfig
          objects:
          # Every KubeArmorConfig in the namespace: the operator acts on one of any name.
          - {group: operator.kubearmor.com, kind: KubeArmorConfig, all: true}
          action: delete
          waitFor: [deleted]
          timeout: 2m
          finalizedBy:
            group: apps
            kind: Deployment
            name: kubearmor-operator
            finalizers: [kubearmorconfig.operator.kubearmor.com]
            replicas: 1
        # Its dependents are gone: deleting it takes nothing else along.
        - name: operator
          objects:
          - {group: apps, kind: Deployment, names: [kubearmor-operator]}
          action: delete
          propagation: Foreground
          waitFor: [deleted, podsGone]
          timeout: 2m
        # Deleting a CRD deletes every object of it: all user policies. Only with --delete-crds.
        - name: policy-crds
          onlyWith: deleteCRDs
          objects:
          - group: apiextensions.k8s.io
            kind: CustomResourceDefinition
            names: [kubearmorpolicies.security.kubearmor.com, kubearmorhostpolicies.security.kubearmor.com, kubearmorclusterpolicies.security.kubearmor.com, kubearmorconfigs.operator.kubearmor.com]
          action: delete
          waitFor: [deleted]
          timeout: 2m

        """

    static let gatekeeper = """
        # kreconcile teardown profile for OPA Gatekeeper (names as the chart has them).
        apiVersion: kreconcile.io/v1alpha1
        kind: TeardownProfile
        name: gatekeeper
        namespace: gatekeeper-system
        steps:
        # Webhooks first: a webhook whose pods are gone blocks (validating, failurePolicy
        # Fail) or slows (mutating) every matching request in the cluster.
        - name: webhooks
          objects:
          - {group: admissionregistration.k8s.io, kind: ValidatingWebhookConfiguration, names: [gatekeeper-validating-webhook-configuration]}
          - {group: admissionregistration.k8s.io, kind: MutatingWebhookConfiguration, names: [gatekeeper-mutating-webhook-configuration]}
          action: delete
          waitFor: [deleted]
          timeout: 1m
        # The controllers generate the ValidatingAdmissionPolicies and bindings: stop them so
        # they do not recreate what the next step deletes.
        - name: stop-controllers
          objects:
          - {group: apps, kind: Deployment, names: [gatekeeper-controller-manager, gatekeeper-audit]}
          action: scaleToZero
          waitFor: [podsGone]
          timeout: 2m
        # Generated policies carry no labels and their names are truncated hashes: they are
        # found by their controller ownerReference (binding -> Constraint, policy ->
        # ConstraintTemplate), matched by group and kind, never by name pattern.
        - name: generated-policies
          objects:
          - {group: admissionregistration.k8s.io, kind: ValidatingAdmissionPolicyBinding, ownedBy: {group: constraints.gatekeeper.sh, kind: "*"}}
          - {group: admissionregistration.k8s.io, kind: ValidatingAdmissionPolicy, ownedBy: {group: templates.gatekeeper.sh, kind: ConstraintTemplate}}
          action: delete
          waitFor: [deleted]
          timeout: 1m
        - name: controllers
          objects:
          - {group: apps, kind: Deployment, names: [gatekeeper-controller-manager, gatekeeper-audit]}
          action: delete
          propagation: Foreground
          waitFor: [deleted, podsGone]
          timeout: 3m
        - name: namespaced-objects
          objects:
          - {kind: Service, names: [gatekeeper-webhook-service]}
          - {kind: Secret, names: [gatekeeper-webhook-server-cert]}
          - {group: policy, kind: PodDisruptionBudget, names: [gatekeeper-controller-manager]}
          - {kind: ResourceQuota, names: [gatekeeper-critical-pods]}
          - {kind: ServiceAccount, names: [gatekeeper-admin]}
          - {group: rbac.authorization.k8s.io, kind: RoleBinding, names: [gatekeeper-manager-rolebinding]}
          - {group: rbac.authorization.k8s.io, kind: Role, names: [gatekeeper-manager-role]}
          action: delete
          waitFor: [deleted]
          timeout: 1m
        - name: cluster-rbac
          objects:
          - {group: rbac.authorization.k8s.io, kind: ClusterRoleBinding, names: [gatekeeper-manager-rolebinding]}
          - {group: rbac.authorization.k8s.io, kind: ClusterRole, names: [gatekeeper-manager-role]}
          action: delete
          waitFor: [deleted]
          timeout: 1m
        # Constraint and template CRDs hold every user policy: only with --delete-crds.
        # Constraint CRDs first (each is owned by its template), then Gatekeeper's own CRDs.
        - name: constraint-crds
          onlyWith: deleteCRDs
          objects:
          - {group: apiextensions.k8s.io, kind: CustomResourceDefinition, labelSelector: gatekeeper.sh/constraint=yes}
          action: delete
          waitFor: [deleted]
          timeout: 2m
        - name: gatekeeper-crds
          onlyWith: deleteCRDs
          objects:
          - {group: apiextensions.k8s.io, kind: CustomResourceDefinition, labelSelector: gatekeeper.sh/system=yes}
          action: delete
          waitFor: [deleted]
          timeout: 2m

        """
}
