import Foundation
import KubeClient
import KubeEmulator
import Reconciler
import XCTest

/// Both Gatekeeper checks end to end on the emulator: its garbage collector, its admission
/// hooks and its workload controllers play the cluster; kreconcile runs for real.
final class GatekeeperEmulatorTests: XCTestCase {
    /// A cluster-scoped CustomResourceDefinition that keeps any field; the first version stores.
    static func crd(_ group: String, kind: String, plural: String, versions: [String], labels: String = "{}") -> String {
        let served = versions.enumerated().map { i, v in
            "  - {name: \(v), served: true, storage: \(i == 0), schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}"
        }.joined(separator: "\n")
        return """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: \(plural).\(group), labels: \(labels)}
        spec:
          group: \(group)
          names: {kind: \(kind), listKind: \(kind)List, plural: \(plural), singular: \(plural)}
          scope: Cluster
          versions:
        \(served)
        """
    }

    // Gatekeeper's template CRD serves v1beta1 too: the version its controller writes in
    // owner references (the garbage collector resolves owners at that version).
    static let templateCRD = crd("templates.gatekeeper.sh", kind: "ConstraintTemplate", plural: "constrainttemplates", versions: ["v1", "v1beta1"])
    static let constraintCRD = crd("constraints.gatekeeper.sh", kind: "K8sAllowedRepos", plural: "k8sallowedrepos", versions: ["v1beta1"],
                                   labels: "{gatekeeper.sh/constraint: \"yes\"}")

    func uid(_ c: TestCluster, _ resource: String, _ name: String) throws -> String {
        try XCTUnwrap(c.emulator.object(resource, namespace: nil, name: name)?["metadata"]?["uid"]?.stringValue, "\(resource) \(name)")
    }

    func testTemplateAndCRDDeletedLeaveABindingThatARunDeletesWithAUIDPrecondition() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let e = c.emulator
        try e.seed(yamlOrJSON: Self.templateCRD)
        try e.seed(yamlOrJSON: Self.constraintCRD)
        try e.seed(yamlOrJSON: "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {name: k8sallowedrepos}\nspec: {crd: {spec: {names: {kind: K8sAllowedRepos}}}}")
        try e.seed(yamlOrJSON: "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nmetadata: {name: repo-is-opa}\nspec: {parameters: {repos: [openpolicyagent/]}}")
        let templateUID = try uid(c, "constrainttemplates", "k8sallowedrepos")
        let constraintUID = try uid(c, "k8sallowedrepos", "repo-is-opa")
        // What Gatekeeper generates: the policy owned by the template (its controller reads
        // v1beta1), the binding owned by the constraint.
        try e.seed(["apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
                    "metadata": ["name": "gatekeeper-k8sallowedrepos", "ownerReferences": [[
                        "apiVersion": "templates.gatekeeper.sh/v1beta1", "kind": "ConstraintTemplate", "name": "k8sallowedrepos",
                        "uid": .string(templateUID), "controller": true, "blockOwnerDeletion": true]]],
                    "spec": ["failurePolicy": "Fail", "validations": [["expression": "true"]]]])
        try e.seed(["apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
                    "metadata": ["name": "gatekeeper-k8sallowedrepos-repo-is-opa", "ownerReferences": [[
                        "apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sAllowedRepos", "name": "repo-is-opa",
                        "uid": .string(constraintUID), "controller": true, "blockOwnerDeletion": true]]],
                    "spec": ["policyName": "gatekeeper-k8sallowedrepos", "paramRef": ["name": "repo-is-opa"], "validationActions": ["Deny"]]])
        // An unrelated binding with a Gatekeeper-like name but no owner: never touched.
        try e.seed(["apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
                    "metadata": ["name": "gatekeeper-handmade"], "spec": ["policyName": "gatekeeper-k8sallowedrepos"]])
        let bindingUID = try uid(c, "validatingadmissionpolicybindings", "gatekeeper-k8sallowedrepos-repo-is-opa")

        // The template and the constraint CRD go; the garbage collector removes the policy
        // (its owner kind is still served) and keeps the binding (its owner kind is not).
        let client = c.client()
        _ = try await client.delete(ResourceDescriptor(group: "templates.gatekeeper.sh", version: "v1", plural: "constrainttemplates", kind: "ConstraintTemplate", namespaced: false),
                                    namespace: nil, name: "k8sallowedrepos")
        _ = try await client.delete(ResourceDescriptor(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false),
                                    namespace: nil, name: "k8sallowedrepos.constraints.gatekeeper.sh")
        e.settle()
        XCTAssertNil(e.object("validatingadmissionpolicies", namespace: nil, name: "gatekeeper-k8sallowedrepos"))
        XCTAssertNotNil(e.object("validatingadmissionpolicybindings", namespace: nil, name: "gatekeeper-k8sallowedrepos-repo-is-opa"),
                        "the garbage collector cannot resolve an owner whose kind is gone")

        e.clearRequests()
        let report = try await Run(options: RunOptions(mode: .real, identity: "gk-test"), client: client).execute()
        let entry = try XCTUnwrap(report.entries.first { $0.check == "gatekeeper-orphaned-vap" })
        XCTAssertEqual(entry.result, .applied, entry.detail ?? "")
        XCTAssertEqual(report.entries.filter { $0.check == "gatekeeper-orphaned-vap" }.count, 1, "the handmade binding is not Gatekeeper's")
        XCTAssertNil(e.object("validatingadmissionpolicybindings", namespace: nil, name: "gatekeeper-k8sallowedrepos-repo-is-opa"))
        XCTAssertNotNil(e.object("validatingadmissionpolicybindings", namespace: nil, name: "gatekeeper-handmade"))
        let deletes = c.writes.filter { $0.method == "DELETE" }
        XCTAssertEqual(deletes.map(\.path), ["/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/gatekeeper-k8sallowedrepos-repo-is-opa"])
        let body = try JSONValue.parse(try XCTUnwrap(deletes.first?.body))
        XCTAssertEqual(body["preconditions"]?["uid"], .string(bindingUID))
        XCTAssertNotNil(body["preconditions"]?["resourceVersion"])
    }

    func testABindingRecreatedUnderTheSameNameIsNeverDeleted() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        let e = c.emulator
        try e.seed(yamlOrJSON: Self.templateCRD)
        let binding: JSONValue = ["apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
                                  "metadata": ["name": "gatekeeper-x-y", "ownerReferences": [[
                                      "apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sGone", "name": "y",
                                      "uid": "gone-uid", "controller": true]]],
                                  "spec": ["policyName": "gatekeeper-x"]]
        try e.seed(binding)
        let snapshot = try await SnapshotLoader(client: c.client(), settings: .defaults, checks: [OrphanedVAPCheck()], progress: nil).load()
        let finding = try XCTUnwrap(OrphanedVAPCheck().evaluate(snapshot, .defaults).findings.first)
        // Meanwhile the binding is deleted and recreated under the same name.
        _ = try await c.client().delete(ResourceDescriptor(group: "admissionregistration.k8s.io", version: "v1", plural: "validatingadmissionpolicybindings",
                                                           kind: "ValidatingAdmissionPolicyBinding", namespaced: false), namespace: nil, name: "gatekeeper-x-y")
        try e.seed(binding)
        let newUID = try uid(c, "validatingadmissionpolicybindings", "gatekeeper-x-y")
        let plan = Plan(entries: [PlanEntry(finding: finding, decision: .planned(order: 0))])
        let results = await Applier(client: c.client(), mode: .real).apply(plan)
        XCTAssertEqual(results.first?.outcome, .skipped)
        XCTAssertEqual(results.first?.httpStatus, 409)
        XCTAssertEqual(try uid(c, "validatingadmissionpolicybindings", "gatekeeper-x-y"), newUID, "the new binding stays")
    }

    func testV1beta1OnlyServerIsReadAndWrittenAtV1beta1() async throws {
        let e = KubeEmulator(options: EmulatorOptions(admissionRegistrationVersions: ["v1beta1"]))
        try await e.start()
        let c = TestCluster(emulator: e)
        defer { Task { await c.stop() } }
        try e.seed(yamlOrJSON: Self.templateCRD)
        try e.seed(["apiVersion": "admissionregistration.k8s.io/v1beta1", "kind": "ValidatingAdmissionPolicy",
                    "metadata": ["name": "gatekeeper-gone", "ownerReferences": [[
                        "apiVersion": "templates.gatekeeper.sh/v1beta1", "kind": "ConstraintTemplate", "name": "gone",
                        "uid": "gone-uid", "controller": true]]],
                    "spec": ["validations": [["expression": "true"]]]])
        let report = try await Run(options: RunOptions(mode: .real, identity: "gk-test"), client: c.client()).execute()
        XCTAssertEqual(report.entries.filter { $0.check == "gatekeeper-orphaned-vap" }.map(\.result), [.applied])
        XCTAssertEqual(c.writes.filter { $0.method == "DELETE" }.map(\.path), ["/apis/admissionregistration.k8s.io/v1beta1/validatingadmissionpolicies/gatekeeper-gone"])
    }

    // MARK: mutation drift

    static let mutationCluster = """
    apiVersion: v1
    kind: Node
    metadata: {name: node-1}
    ---
    apiVersion: v1
    kind: Node
    metadata: {name: node-2}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: shop}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: gatekeeper-system}
    ---
    \(crd("mutations.gatekeeper.sh", kind: "Assign", plural: "assign", versions: ["v1"]))
    ---
    apiVersion: mutations.gatekeeper.sh/v1
    kind: Assign
    metadata: {name: shop-no-privilege-escalation}
    spec:
      applyTo: [{groups: [""], kinds: [Pod], versions: [v1]}]
      match: {scope: Namespaced, namespaces: [shop]}
      location: "spec.containers[name:*].securityContext.allowPrivilegeEscalation"
      parameters: {assign: {value: false}}
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: MutatingWebhookConfiguration
    metadata:
      name: gatekeeper-mutating-webhook-configuration
      labels: {gatekeeper.sh/system: "yes"}
    webhooks: []
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: gatekeeper-controller-manager
      namespace: gatekeeper-system
      labels: {gatekeeper.sh/operation: webhook}
    spec:
      replicas: 1
      selector: {matchLabels: {control-plane: controller-manager}}
      template:
        metadata: {labels: {control-plane: controller-manager}}
        spec:
          containers: [{name: manager, image: "openpolicyagent/gatekeeper:v3.23.0"}]
    """

    static let cart = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: cart, namespace: shop}
    spec:
      replicas: 4
      selector: {matchLabels: {app: cart}}
      strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
      template:
        metadata: {labels: {app: cart}}
        spec:
          containers: [{name: cart, image: "shop/cart:1"}]
    """

    static let hook = AdmissionHook.gatekeeperAssign(target: .containerSecurityContext("allowPrivilegeEscalation"), value: false)

    /// Deployment cart rolled out while Gatekeeper's webhook was down: 4 unmutated pods.
    func clusterWithUnmutatedPods() async throws -> TestCluster {
        let c = try await TestCluster.start()
        let e = c.emulator
        try e.seed(yamlOrJSON: Self.mutationCluster)
        e.settle()
        e.addAdmissionHook(.gatekeeperAssign(target: .containerSecurityContext("allowPrivilegeEscalation"), value: false, down: true))
        try e.seed(yamlOrJSON: Self.cart)
        e.settle()
        XCTAssertEqual(unmutated(e).count, 4, "created while the webhook was down")
        e.removeAdmissionHook(named: Self.hook.name)
        e.addAdmissionHook(Self.hook)
        e.clearRequests()
        return c
    }

    func cartPods(_ e: KubeEmulator) -> [JSONValue] {
        e.objects("pods", namespace: "shop").filter { $0["metadata"]?["deletionTimestamp"] == nil }
    }

    func unmutated(_ e: KubeEmulator) -> [JSONValue] {
        cartPods(e).filter { pod in
            (pod["spec"]?["containers"]?.arrayValue ?? []).contains { $0["securityContext"]?["allowPrivilegeEscalation"] != .bool(false) }
        }
    }

    func testTemplateModeWritesTheMutationIntoTheDeploymentAndTheRolloutCarriesIt() async throws {
        let c = try await clusterWithUnmutatedPods()
        defer { Task { await c.stop() } }
        let e = c.emulator
        let settings = try Settings.load(yaml: "budgets: {maxChanges: 3, maxPerNamespace: 1}\nchecks:\n  gatekeeper-mutation-drift: {fix: template}\n", path: "test.yaml")
        let report = try await Run(options: RunOptions(mode: .real, settings: settings, identity: "gk-test"), client: c.client()).execute()
        let entries = report.entries.filter { $0.check == "gatekeeper-mutation-drift" && $0.action != nil }
        XCTAssertEqual(entries.map(\.object.name), ["cart"])
        XCTAssertEqual(entries.first?.result, .applied, entries.first?.detail ?? "")
        let patches = c.writes.filter { $0.method == "PATCH" && $0.resource == "deployments" }
        XCTAssertEqual(patches.map(\.name), ["cart"])
        let ops = try JSONValue.parse(try XCTUnwrap(patches.first?.body))
        XCTAssertEqual(ops[0]?["op"], "test")
        XCTAssertEqual(ops[0]?["path"], "/metadata/resourceVersion")

        // The Deployment rolls at its own pace (maxUnavailable 1); afterwards every pod has it.
        e.settle()
        XCTAssertEqual(cartPods(e).count, 4)
        XCTAssertEqual(unmutated(e).count, 0)
        let template = try XCTUnwrap(e.object("deployments", namespace: "shop", name: "cart"))
        XCTAssertEqual(template["spec"]?["template"]?["spec"]?["containers"]?[0]?["securityContext"]?["allowPrivilegeEscalation"], false)

        // A second run finds nothing left to do for the pods.
        let again = try await Run(options: RunOptions(mode: .real, settings: settings, identity: "gk-test"), client: c.client()).execute()
        XCTAssertEqual(again.entries.filter { $0.check == "gatekeeper-mutation-drift" && $0.object.kind != "Assign" }.count, 0)
    }

    func testRestartModeWaitsForTheWebhook() async throws {
        let c = try await clusterWithUnmutatedPods()
        defer { Task { await c.stop() } }
        let e = c.emulator
        // Gatekeeper's webhook Deployment scaled to 0: nothing can mutate a new pod.
        _ = try await c.client().patch(.deployments, namespace: "gatekeeper-system", name: "gatekeeper-controller-manager",
                                       patch: .merge(["spec": ["replicas": 0]]))
        e.settle()
        e.clearRequests()
        let report = try await Run(options: RunOptions(mode: .real, identity: "gk-test"), client: c.client()).execute()
        let cart = report.entries.filter { $0.check == "gatekeeper-mutation-drift" && $0.object.name == "cart" }
        XCTAssertEqual(cart.count, 1)
        XCTAssertNil(cart.first?.action)
        XCTAssertTrue(cart.first?.finding.hasPrefix("4 pods to recreate") == true, cart.first?.finding ?? "")
        XCTAssertTrue(cart.first?.finding.contains("mutating webhook is not available") == true, cart.first?.finding ?? "")
        XCTAssertTrue(c.writes.filter { $0.resource == "deployments" || $0.resource == "pods" }.isEmpty)
    }

    func testRestartModeBringsThePodsUnderTheMutationWithinBudgets() async throws {
        let c = try await clusterWithUnmutatedPods()
        defer { Task { await c.stop() } }
        let e = c.emulator
        let settings = try Settings.load(yaml: "budgets: {maxChanges: 1, maxPerNamespace: 1, maxPerNode: 4}\n", path: "test.yaml")
        let report = try await Run(options: RunOptions(mode: .real, settings: settings, identity: "gk-test"), client: c.client()).execute()
        let cart = report.entries.filter { $0.check == "gatekeeper-mutation-drift" && $0.object.name == "cart" }
        XCTAssertEqual(cart.map(\.result), [.applied], cart.first?.detail ?? "")
        let writes = c.writes.filter { $0.resource == "deployments" || $0.resource == "pods" }
        XCTAssertEqual(writes.map { "\($0.method) \($0.resource ?? "") \($0.name ?? "")" }, ["PATCH deployments cart"], "one rollout restart, no pod deleted directly")
        XCTAssertLessThanOrEqual(report.entries.filter { $0.result == .applied }.count, 1, "maxChanges")

        // The Deployment replaces its pods at its own pace; the webhook is up and mutates them.
        e.settle()
        XCTAssertEqual(cartPods(e).count, 4)
        XCTAssertEqual(unmutated(e).count, 0)
        let again = try await Run(options: RunOptions(mode: .real, settings: settings, identity: "gk-test"), client: c.client()).execute()
        XCTAssertEqual(again.entries.filter { $0.check == "gatekeeper-mutation-drift" && $0.object.kind != "Assign" }.map(\.finding), [])
    }
}
