import KubeClient
@testable import Reconciler
import XCTest

/// `gatekeeper-mutation-drift` from fixtures: which pods missed which mutator, and what
/// each fix mode proposes.
final class GatekeeperMutationDriftCheckTests: XCTestCase {
    let check = MutationDriftCheck()

    static func mutator(_ kind: String, _ name: String, _ spec: JSONValue, apiVersion: String = "mutations.gatekeeper.sh/v1") -> ObjectRecord {
        ObjectRecord(apiVersion: apiVersion, kind: kind, meta: MetaRecord(name: name, uid: "m-\(name)", resourceVersion: "7"), spec: spec)
    }
    static let podApplyTo: JSONValue = [["groups": [""], "kinds": ["Pod"], "versions": ["v1"]]]
    static func assign(_ name: String = "no-priv-esc", location: String = "spec.containers[name:*].securityContext.allowPrivilegeEscalation",
                       value: JSONValue = ["value": false], match: JSONValue = ["scope": "Namespaced", "namespaces": ["shop"]],
                       extra: [String: JSONValue] = [:]) -> ObjectRecord {
        var parameters: [String: JSONValue] = ["assign": value]
        for (k, v) in extra { parameters[k] = v }
        return mutator("Assign", name, ["applyTo": podApplyTo, "match": match, "location": .string(location), "parameters": .object(parameters)])
    }

    static func container(_ name: String, privEsc: Bool?) -> JSONValue {
        var c: [String: JSONValue] = ["name": .string(name), "image": "nginx"]
        if let privEsc { c["securityContext"] = ["allowPrivilegeEscalation": .bool(privEsc)] }
        return .object(c)
    }

    let deployment = WorkloadRecord(kind: "Deployment", meta: MetaRecord(name: "cart", namespace: "shop", uid: "d1", resourceVersion: "40"),
                                    replicas: 2, selector: ["app": "cart"], templateLabels: ["app": "cart"],
                                    status: WorkloadStatus(observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2),
                                    templateSpec: ["containers": [container("cart", privEsc: nil)]])
    let replicaSet = ObjectRecord(apiVersion: "apps/v1", kind: "ReplicaSet",
                                  meta: MetaRecord(name: "cart-1", namespace: "shop", uid: "rs1",
                                                   ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "Deployment", name: "cart", uid: "d1", controller: true)]))
    let webhook = Fixture.deployment("gatekeeper-controller-manager", ns: "gatekeeper-system", labels: ["gatekeeper.sh/operation": "webhook"])
    let webhookConfig = ObjectRecord(apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration",
                                     meta: MetaRecord(name: "gatekeeper-mutating-webhook-configuration", uid: "mwc"))

    func pod(_ name: String, ns: String = "shop", privEsc: Bool?, labels: [String: String] = ["app": "cart"], node: String = "node-1",
             owner: String? = "rs1") -> PodRecord {
        PodRecord(meta: MetaRecord(name: name, namespace: ns, uid: "u-\(name)", labels: labels,
                                   ownerReferences: owner.map { [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "cart-1", uid: $0, controller: true)] } ?? []),
                  nodeName: node, spec: ["containers": [Self.container("cart", privEsc: privEsc)]])
    }

    func snapshot(pods: [PodRecord], mutators: [ObjectRecord], namespaces: [ObjectRecord]? = nil, webhookUp: Bool = true) -> Snapshot {
        var gk = webhook
        if !webhookUp { gk.status.availableReplicas = 0 }
        let ns = namespaces ?? [Fixture.namespace("shop"), Fixture.namespace("other"), Fixture.namespace("gatekeeper-system")]
        return Snapshot(pods: pods, workloads: [deployment, gk], objects: mutators + ns + [replicaSet, webhookConfig])
    }

    func settings(_ yaml: String) throws -> Settings { try Fixture.settings("checks:\n  gatekeeper-mutation-drift:\n" + yaml) }

    /// The pods the evaluation says missed a mutation (before any fix mode groups them).
    func drifted(_ s: Snapshot) -> [String] {
        MutationEvaluator(mutators: check.mutators(s).valid, snapshot: s).drifts().map(\.pod.meta.name)
    }

    func testFindsOnlyThePodsThatLackTheResult() {
        let s = snapshot(pods: [pod("cart-a", privEsc: false), pod("cart-b", privEsc: nil), pod("cart-c", privEsc: true),
                                pod("elsewhere", ns: "other", privEsc: nil)], mutators: [Self.assign()])
        XCTAssertEqual(drifted(s), ["cart-b", "cart-c"])
    }

    func testRestartModeRestartsTheWorkloadOnlyWhileTheWebhookIsUp() throws {
        let pods = [pod("cart-a", privEsc: false, node: "node-1"), pod("cart-b", privEsc: nil, node: "node-2")]
        let up = check.evaluate(snapshot(pods: pods, mutators: [Self.assign()]), .defaults).findings.filter { $0.object.kind == "Deployment" }
        XCTAssertEqual(up.count, 1)
        XCTAssertTrue(up[0].reason.hasPrefix("1 pod to recreate: cart-b (missed Assign no-priv-esc (spec.containers[name: *].securityContext.allowPrivilegeEscalation); no gatekeeper.sh/mutations annotation)"), up[0].reason)
        let action = try XCTUnwrap(up[0].action)
        XCTAssertEqual(action.actionClass, .disruptive)
        XCTAssertEqual(action.request.contentType, MediaType.strategicMergePatch)
        XCTAssertEqual(action.disruptedNodes, ["node-1", "node-2"], "the restart replaces every pod of the workload")

        let down = check.evaluate(snapshot(pods: pods, mutators: [Self.assign()], webhookUp: false), .defaults).findings.filter { $0.object.kind == "Deployment" }
        XCTAssertNil(down.first?.action)
        XCTAssertTrue(down.first?.reason.contains("Gatekeeper's mutating webhook is not available (Deployment gatekeeper-system/gatekeeper-controller-manager has no available replicas), so a recreated pod would miss the mutation again") == true,
                      down.first?.reason ?? "")
    }

    func testAPodTheLastRestartCreatedIsNotRestartedAgain() throws {
        var restarted = deployment
        restarted.templateAnnotations = ["kubectl.kubernetes.io/restartedAt": "2026-03-02T10:00:00Z"]
        var before = pod("cart-old", privEsc: nil), after = pod("cart-new", privEsc: nil)
        before.created = "2026-03-02T09:00:00Z"
        after.created = "2026-03-02T10:00:05Z"
        let s = Snapshot(pods: [before, after], workloads: [restarted, webhook],
                         objects: [Self.assign(), Fixture.namespace("shop"), replicaSet, webhookConfig])
        let findings = check.evaluate(s, .defaults).findings.filter { $0.object.kind != "Assign" }
        let looped = try XCTUnwrap(findings.first { $0.object.name == "cart-new" })
        XCTAssertNil(looped.action)
        XCTAssertTrue(looped.reason.contains("created at 2026-03-02T10:00:05Z, after Deployment shop/cart's restart at 2026-03-02T10:00:00Z, and still unmutated"), looped.reason)
        XCTAssertNotNil(findings.first { $0.object.name == "cart" }?.action, "the older pod still gets its restart")
    }

    func testMatchNamespacesGlobsExclusionsAndSelectors() {
        let pods = [pod("a", privEsc: nil), pod("b", privEsc: nil, labels: ["app": "cart", "tier": "db"]), pod("c", ns: "other", privEsc: nil)]
        func run(_ match: JSONValue) -> [String] { drifted(snapshot(pods: pods, mutators: [Self.assign(match: match)])) }
        XCTAssertEqual(run(["namespaces": ["sh*"]]), ["a", "b"])
        XCTAssertEqual(run(["namespaces": ["*her"]]), ["c"])
        XCTAssertEqual(run(["excludedNamespaces": ["*op"]]), ["c"])
        XCTAssertEqual(run(["scope": "Cluster"]), [])
        XCTAssertEqual(run(["labelSelector": ["matchLabels": ["tier": "db"]]]), ["b"])
        XCTAssertEqual(run(["labelSelector": ["matchExpressions": [["key": "tier", "operator": "DoesNotExist"]]]]), ["c", "a"], "namespace order: other, shop")
        XCTAssertEqual(run(["name": "b*"]), ["b"])
        XCTAssertEqual(run(["kinds": [["apiGroups": ["apps"], "kinds": ["Deployment"]]]]), [])
        XCTAssertEqual(run(["source": "Generated"]), [])
        XCTAssertEqual(run(["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": "other"]]]), [],
                       "the fixture namespaces have no labels")
        let labelled = [Fixture.namespace("shop", labels: ["env": "prod"]), Fixture.namespace("other")]
        XCTAssertEqual(drifted(snapshot(pods: pods, mutators: [Self.assign(match: ["namespaceSelector": ["matchLabels": ["env": "prod"]]])], namespaces: labelled)), ["a", "b"])
    }

    func testGatekeeperOwnNamespaceAndIgnoredNamespacesAreNeverMutated() {
        let ns = [Fixture.namespace("shop", labels: ["admission.gatekeeper.sh/ignore": "x"]), Fixture.namespace("gatekeeper-system")]
        let s = snapshot(pods: [pod("a", privEsc: nil), pod("gk", ns: "gatekeeper-system", privEsc: nil)],
                         mutators: [Self.assign(match: [:])], namespaces: ns)
        XCTAssertEqual(drifted(s), [])
    }

    func testApplyToMustNameThePodKind() {
        let m = Self.mutator("Assign", "deployments-only", ["applyTo": [["groups": ["apps"], "kinds": ["Deployment"], "versions": ["v1"]]],
                                                             "location": "spec.template.spec.dnsPolicy", "parameters": ["assign": ["value": "None"]]])
        XCTAssertEqual(drifted(snapshot(pods: [pod("a", privEsc: nil)], mutators: [m])), [])
    }

    func testAssignMetadataAddsOnlyMissingKeys() {
        let m = Self.mutator("AssignMetadata", "team", ["match": ["namespaces": ["shop"]], "location": "metadata.labels.team",
                                                        "parameters": ["assign": ["value": "payments"]]])
        let s = snapshot(pods: [pod("has", privEsc: false, labels: ["app": "cart", "team": "other"]), pod("lacks", privEsc: false)], mutators: [m])
        XCTAssertEqual(drifted(s), ["lacks"])
    }

    func testModifySetAndPathTests() {
        let merge = Self.mutator("ModifySet", "args", ["applyTo": Self.podApplyTo, "location": "spec.containers[name: cart].args",
                                                       "parameters": ["operation": "merge", "values": ["fromList": ["--safe"]]]])
        let guarded = Self.assign("guarded", value: ["value": true],
                                  extra: ["pathTests": [["subPath": "spec.containers[name:*].securityContext", "condition": "MustExist"]]])
        var withArgs = pod("with-args", privEsc: nil)
        withArgs.admission = AdmissionView(labels: withArgs.meta.labels, annotations: withArgs.meta.annotations,
                                           spec: ["containers": [["name": "cart", "args": ["--safe"]]]])
        let s = snapshot(pods: [pod("no-args", privEsc: nil), withArgs, pod("sc", privEsc: false)], mutators: [merge, guarded])
        // ModifySet misses no-args and sc; the guarded Assign (MustExist securityContext) only sc.
        let drifts = MutationEvaluator(mutators: check.mutators(s).valid, snapshot: s).drifts()
        XCTAssertEqual(drifts.map(\.pod.meta.name), ["no-args", "sc"])
        XCTAssertEqual(drifts.map { $0.missed.map(\.label) }, [["ModifySet args"], ["Assign guarded", "ModifySet args"]])
    }

    func testUnsupportedMutatorsAreReportedNotGuessed() {
        let bad = [
            Self.assign("bad-path", location: "spec.containers[name: *][x: y].image"),
            Self.assign("meta", location: "metadata.labels.x", value: ["value": "y"]),
            Self.assign("glob-end", location: "spec.containers[name: *]", value: ["value": ["name": "x"]]),
            Self.assign("external", value: ["externalData": ["provider": "p"]]),
            Self.assign("wrong-key", location: "spec.containers[name: a]", value: ["value": ["name": "b"]]),
            Self.mutator("AssignMetadata", "not-meta", ["location": "spec.x", "parameters": ["assign": ["value": "v"]]]),
        ]
        let report = check.evaluate(snapshot(pods: [pod("a", privEsc: nil)], mutators: bad), .defaults)
        let reasons = Dictionary(uniqueKeysWithValues: report.findings.filter { $0.reason.hasSuffix("pods are not evaluated against it") }.map { ($0.object.name, $0.reason) })
        XCTAssertEqual(reasons.count, 6, "\(report.findings.map(\.reason))")
        XCTAssertEqual(reasons["bad-path"], "unsupported location: location \"spec.containers[name: *][x: y].image\": expected '.' or end, got '['; pods are not evaluated against it")
        XCTAssertEqual(reasons["meta"], "unsupported location: Assign cannot change metadata (metadata.labels.x); pods are not evaluated against it")
        XCTAssertTrue(reasons["glob-end"]!.hasPrefix("unsupported location: an Assign location cannot end in a glob"))
        XCTAssertTrue(reasons["external"]!.hasPrefix("parameters.assign.externalData asks an external provider"))
        XCTAssertTrue(reasons["wrong-key"]!.hasPrefix("parameters.assign.value must be an object whose name is \"a\""))
        XCTAssertTrue(reasons["not-meta"]!.hasPrefix("unsupported location: AssignMetadata may only set metadata.labels.<key> or metadata.annotations.<key>"))
        XCTAssertEqual(drifted(snapshot(pods: [pod("a", privEsc: nil)], mutators: bad)).filter { $0 == "a" }, [])
    }

    func testMutatorsTargetingOnlyPodsAreAtRisk() throws {
        let deploymentsToo = Self.mutator("Assign", "broad", ["applyTo": [["groups": [""], "kinds": ["Pod"], "versions": ["v1"]],
                                                                         ["groups": ["apps"], "kinds": ["Deployment"], "versions": ["v1"]]],
                                                              "location": "spec.dnsPolicy", "parameters": ["assign": ["value": "Default"]]])
        let report = check.evaluate(snapshot(pods: [], mutators: [Self.assign(), deploymentsToo]), .defaults)
        let atRisk = report.findings.filter { $0.reason.hasPrefix("at risk") }
        XCTAssertEqual(atRisk.map(\.object.name), ["no-priv-esc"])
        XCTAssertTrue(atRisk[0].reason.contains("spec.template.spec.containers[name: *].securityContext.allowPrivilegeEscalation"), atRisk[0].reason)
        let off = try settings("    reportAtRisk: false\n")
        XCTAssertEqual(check.evaluate(snapshot(pods: [], mutators: [Self.assign()]), off).findings, [])
    }

    func testTemplateModePatchesThePodTemplateWithAResourceVersionTest() throws {
        let s = snapshot(pods: [pod("cart-a", privEsc: nil, node: "node-1"), pod("cart-b", privEsc: nil, node: "node-2")], mutators: [Self.assign()])
        let report = check.evaluate(s, try settings("    fix: template\n    reportAtRisk: false\n"))
        XCTAssertEqual(report.findings.count, 1)
        let f = report.findings[0]
        XCTAssertEqual(f.object, deployment.ref)
        let action = try XCTUnwrap(f.action)
        XCTAssertEqual(action.actionClass, .disruptive)
        XCTAssertEqual(action.disruptedNodes, ["node-1", "node-2"])
        XCTAssertEqual(action.request.path, "/apis/apps/v1/namespaces/shop/deployments/cart")
        XCTAssertEqual(try Fixture.patchOps(action.request), [
            ["op": "test", "path": "/metadata/resourceVersion", "value": "40"],
            ["op": "add", "path": "/spec/template/spec/containers/0/securityContext", "value": ["allowPrivilegeEscalation": false]],
        ])
    }

    func testTemplateModeReportsWhatATemplateCannotHold() throws {
        let template = try settings("    fix: template\n    reportAtRisk: false\n")
        let byName = Self.assign("by-name", location: "spec.hostname", value: ["fromMetadata": ["field": "name"]])
        let f1 = check.evaluate(snapshot(pods: [pod("cart-a", privEsc: false)], mutators: [byName]), template).findings
        XCTAssertEqual(f1.count, 1)
        XCTAssertNil(f1[0].action)
        XCTAssertTrue(f1[0].reason.hasSuffix("Assign by-name assigns the pod's own name (fromMetadata), which differs per pod: not expressible on the template"), f1[0].reason)

        let byNamespace = Self.assign("by-ns", location: "spec.subdomain", value: ["fromMetadata": ["field": "namespace"]])
        let f2 = check.evaluate(snapshot(pods: [pod("cart-a", privEsc: false)], mutators: [byNamespace]), template).findings
        XCTAssertEqual(try Fixture.patchOps(try XCTUnwrap(f2.first?.action).request).last, ["op": "add", "path": "/spec/template/spec/subdomain", "value": "shop"])

        let outside = Self.assign("status", location: "status.phase", value: ["value": "x"])
        let f3 = check.evaluate(snapshot(pods: [pod("cart-a", privEsc: false)], mutators: [outside]), template).findings
        XCTAssertTrue(f3[0].reason.hasSuffix("Assign status writes status.phase, outside the pod's spec and metadata: not expressible on the template"), f3[0].reason)

        let bare = check.evaluate(snapshot(pods: [pod("bare", privEsc: nil, owner: nil)], mutators: [Self.assign()]), template).findings
        XCTAssertEqual(bare.map(\.object.name), ["bare"])
        XCTAssertNil(bare[0].action)
    }

    /// A kept pod's admission view holds only the labels the selectors read and the labels
    /// and annotations an AssignMetadata sets (and the webhook's own record).
    func testAdmissionViewsKeepOnlyTheMetadataMutatorsRead() throws {
        let selected = Self.assign("selected", match: ["scope": "Namespaced", "labelSelector": [
            "matchLabels": ["team": "a"], "matchExpressions": [["key": "tier", "operator": "Exists"]]]])
        let owner = Self.mutator("AssignMetadata", "owner", ["match": ["scope": "Namespaced"], "location": "metadata.labels.owner",
                                                             "parameters": ["assign": ["value": "x"]]])
        let note = Self.mutator("AssignMetadata", "note", ["match": ["scope": "Namespaced"], "location": "metadata.annotations.note",
                                                            "parameters": ["assign": ["value": "y"]]])
        let retention = try XCTUnwrap(check.specRetention(Snapshot(objects: [selected, owner, note, Fixture.namespace("shop")]), .defaults))
        XCTAssertEqual(retention.labelKeys, ["team", "tier", "owner"])
        XCTAssertEqual(retention.annotationKeys, ["gatekeeper.sh/mutations", "note"])
    }

    func testPodSpecsAreKeptOnlyWhereAMutatorReaches() throws {
        let objects = Snapshot(objects: [Self.assign(match: ["namespaces": ["shop"]]), Fixture.namespace("shop"), Fixture.namespace("other")])
        let reached = SpecProjection.fields(["containers": .elements(keys: ["name"], each: .fields(["securityContext": .fields(["allowPrivilegeEscalation": .whole])]))])
        XCTAssertEqual(check.specRetention(objects, .defaults), SpecRetention(namespaces: ["shop"], templates: false, podSpec: reached,
                                                                              labelKeys: [], annotationKeys: ["gatekeeper.sh/mutations"]))
        XCTAssertEqual(check.specRetention(objects, try settings("    fix: template\n"))?.templates, true)
        XCTAssertNil(check.specRetention(Snapshot(objects: [Fixture.namespace("shop")]), .defaults))
    }

    func testInvalidFixIsASettingsError() {
        XCTAssertThrowsError(try settings("    fix: rollout\n")) { error in
            XCTAssertTrue("\(error)".contains("checks.gatekeeper-mutation-drift.fix: \"rollout\" is not restart or template"), "\(error)")
        }
    }
}
