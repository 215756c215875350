import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// The "Validation and errors" answers of a 1.32 server, over HTTP.
final class ValidationAnswerTests: XCTestCase {
    let deploys = "/apis/apps/v1/namespaces/default/deployments"
    let cms = "/api/v1/namespaces/default/configmaps"

    func causes(_ r: HTTPResult) -> [String] {
        (r.json["details"]?["causes"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue }
    }

    func testDeploymentSelectorMustMatchTemplateLabels() async throws {
        let h = try await Harness()
        var d = deployment("web")
        d["spec"]?["selector"] = ["matchLabels": ["app": "other"]]
        let r = try h.post(deploys, d)
        XCTAssertEqual(r.status, 422, r.text)
        XCTAssertEqual(r.json["reason"], "Invalid")
        XCTAssertEqual(causes(r), ["spec.template.metadata.labels"])
        XCTAssertEqual(r.json["message"], #"Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`"#)
        XCTAssertEqual(try h.post(deploys, deployment("web")).status, 201)
        // An update that breaks the match is refused as well.
        let labels = try h.patch(deploys + "/web", ["spec": ["template": ["metadata": ["labels": ["app": "x"]]]]], type: EmulatorCore.mergePatch)
        XCTAssertEqual(labels.status, 422, labels.text)
        await h.stop()
    }

    func testOwnerReferenceRules() async throws {
        let h = try await Harness()
        var cm = configMap("owned")
        cm["metadata"]?["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"]]
        let noUID = try h.post(cms, cm)
        XCTAssertEqual(noUID.status, 422)
        XCTAssertEqual(causes(noUID), ["metadata.ownerReferences.uid"])
        XCTAssertEqual(noUID.json["details"]?["causes"]?[0]?["message"], #"Invalid value: "": uid must not be empty"#)

        cm["metadata"]?["ownerReferences"] = [["apiVersion": "", "kind": "", "name": "", "uid": "u"]]
        XCTAssertEqual(causes(try h.post(cms, cm)), ["metadata.ownerReferences.apiVersion", "metadata.ownerReferences.kind",
                                                     "metadata.ownerReferences.name"])

        cm["metadata"]?["ownerReferences"] = [
            ["apiVersion": "apps/v1", "kind": "Deployment", "name": "a", "uid": "1", "controller": true],
            ["apiVersion": "apps/v1", "kind": "Deployment", "name": "b", "uid": "2", "controller": true]]
        let two = try h.post(cms, cm)
        XCTAssertEqual(two.status, 422)
        XCTAssertEqual(causes(two), ["metadata.ownerReferences"])
        XCTAssertTrue(two.text.contains(#"Only one reference can have Controller set to true. Found \"true\" in references for Deployment/a and Deployment/b"#), two.text)

        cm["metadata"]?["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "Deployment", "name": "a", "uid": "1", "controller": true]]
        XCTAssertEqual(try h.post(cms, cm).status, 201)
        await h.stop()
    }

    func testMalformedLabelSelectorIsBadRequest() async throws {
        let h = try await Harness()
        let r = try h.get(cms + "?labelSelector=app%20in%20(a")
        XCTAssertEqual(r.status, 400, r.text)
        XCTAssertEqual(r.json["reason"], "BadRequest")
        await h.stop()
    }

    func testLeaseTimesMustBeMicroTime() async throws {
        let h = try await Harness()
        let leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
        func lease(_ time: String) -> JSONValue {
            ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "lock"],
             "spec": ["holderIdentity": "me", "leaseDurationSeconds": 30, "renewTime": .string(time), "acquireTime": "2026-01-02T15:04:05.000000Z"]]
        }
        for bad in ["2026-01-02T15:04:05Z", "2026-01-02T15:04:05.123Z", "2026-01-02T15:04:05.1234567Z", "yesterday"] {
            let r = try h.post(leases, lease(bad))
            XCTAssertEqual(r.status, 400, "\(bad): \(r.text)")
            XCTAssertTrue((r.json["message"]?.stringValue ?? "").hasPrefix(#"Lease in version "v1" cannot be handled as a Lease: parsing time"#), r.text)
        }
        XCTAssertEqual(try h.post(leases, lease("2026-01-02T15:04:05.000000Z")).status, 201)
        XCTAssertEqual(try h.post(leases, lease("2026-01-02T15:04:05.123456+02:00")).status, 409, "valid, and already exists")
        let renew = try h.patch(leases + "/lock", ["spec": ["renewTime": "2026-01-02T15:05:05Z"]], type: EmulatorCore.mergePatch)
        XCTAssertEqual(renew.status, 400, "an update is decoded the same way")
        await h.stop()
    }

    func testImmutableSecretAndConfigMapData() async throws {
        let h = try await Harness()
        var cm = configMap("frozen")
        cm["immutable"] = true
        XCTAssertEqual(try h.post(cms, cm).status, 201)
        let change = try h.patch(cms + "/frozen", ["data": ["k": "changed"]], type: EmulatorCore.mergePatch)
        XCTAssertEqual(change.status, 422, change.text)
        XCTAssertEqual(causes(change), ["data"])
        XCTAssertEqual(change.json["details"]?["causes"]?[0]?["message"], "Forbidden: field is immutable when `immutable` is set")
        XCTAssertEqual(try h.patch(cms + "/frozen", ["metadata": ["labels": ["a": "b"]]], type: EmulatorCore.mergePatch).status, 200,
                       "metadata may still change")

        let secrets = "/api/v1/namespaces/default/secrets"
        XCTAssertEqual(try h.post(secrets, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "immutable": true,
                                            "data": ["k": "dg=="]]).status, 201)
        let s = try h.patch(secrets + "/s", ["data": ["k": "dw=="]], type: EmulatorCore.mergePatch)
        XCTAssertEqual(s.status, 422)
        XCTAssertEqual(causes(s), ["data"])
        await h.stop()
    }

    func testDeletePreconditionConflictNamesTheKind() async throws {
        let h = try await Harness()
        XCTAssertEqual(try h.post(cms, configMap("c")).status, 201)
        let r = try h.delete(cms + "/c", ["preconditions": ["uid": "00000000-0000-0000-0000-000000000000"]])
        XCTAssertEqual(r.status, 409)
        XCTAssertEqual(r.json["details"]?["kind"], "ConfigMap")
        XCTAssertTrue((r.json["message"]?.stringValue ?? "").hasPrefix(#"Operation cannot be fulfilled on ConfigMap "c": the UID in the precondition (00000000-0000-0000-0000-000000000000) does not match the UID in record"#), r.text)
        XCTAssertEqual(try h.post(deploys, deployment("d")).status, 201)
        let rv = try h.delete(deploys + "/d", ["preconditions": ["resourceVersion": "1"]])
        XCTAssertEqual(rv.status, 409)
        XCTAssertEqual(rv.json["details"]?["kind"], "Deployment")
        XCTAssertEqual(rv.json["details"]?["group"], "apps")
        XCTAssertTrue((rv.json["message"]?.stringValue ?? "").contains("on Deployment.apps \"d\": the ResourceVersion in the precondition (1)"))
        await h.stop()
    }

    func testMalformedPatchBodiesAreBadRequests() async throws {
        let h = try await Harness()
        XCTAssertEqual(try h.post(cms, configMap("c")).status, 201)
        for type in [EmulatorCore.jsonPatch, EmulatorCore.mergePatch, EmulatorCore.strategicPatch] {
            let r = try h.call("PATCH", cms + "/c", raw: Data("{not json".utf8), contentType: type)
            XCTAssertEqual(r.status, 400, "\(type): \(r.text)")
            XCTAssertEqual(r.json["reason"], "BadRequest")
        }
        XCTAssertEqual(try h.call("PATCH", cms + "/c", raw: Data("xyz".utf8), contentType: EmulatorCore.mergePatch).json["message"], "Invalid JSON Patch")
        await h.stop()
    }

    func testDiscoveryListsSubresources() async throws {
        let h = try await Harness()
        let core = Set((try h.get("/api/v1").json["resources"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        for name in ["pods/eviction", "pods/status", "pods/log", "pods/binding", "pods/exec", "namespaces/finalize", "serviceaccounts/token"] {
            XCTAssertTrue(core.contains(name), name)
        }
        let apps = try h.get("/apis/apps/v1").json["resources"]?.arrayValue ?? []
        let scale = try XCTUnwrap(apps.first { $0["name"] == "deployments/scale" })
        XCTAssertEqual(scale["group"], "autoscaling")
        XCTAssertEqual(scale["kind"], "Scale")
        XCTAssertTrue(apps.contains { $0["name"] == "deployments/status" })
        XCTAssertFalse(apps.contains { $0["name"] == "daemonsets/scale" })
        await h.stop()
    }

    func testPodDeleteWithGraceAnswersThePodAndTheKubeletFinishes() async throws {
        let h = try await Harness(.init(controllers: .manual))
        var pod = runningPod("p")
        pod["spec"]?["terminationGracePeriodSeconds"] = 20
        try h.emulator.seed(pod)
        let r = try h.delete("/api/v1/namespaces/default/pods/p")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.json["kind"], "Pod")
        XCTAssertEqual(r.json["metadata"]?["deletionGracePeriodSeconds"], 20)
        XCTAssertNotNil(r.json["metadata"]?["deletionTimestamp"]?.stringValue)
        h.emulator.settle()
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "p"))
        await h.stop()
    }
}
