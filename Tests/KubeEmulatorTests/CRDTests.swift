import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// CustomResourceDefinitions registered and removed at run time.
final class CRDTests: XCTestCase {
    let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"

    func gadgetCRD(scope: String = "Namespaced") -> JSONValue {
        ["apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "metadata": ["name": "gadgets.example.io"],
         "spec": ["group": "example.io", "scope": .string(scope),
                  "names": ["kind": "Gadget", "plural": "gadgets", "singular": "gadget", "shortNames": ["gd"], "listKind": "GadgetList"],
                  "versions": [["name": "v1", "served": true, "storage": true, "subresources": ["status": [:]]],
                               ["name": "v1beta1", "served": true, "storage": false],
                               ["name": "v1alpha1", "served": false, "storage": false]]]]
    }

    func testCreatingACRDServesItAndDeletingItStops() async throws {
        let h = try await Harness()
        XCTAssertEqual(try h.get("/apis/example.io/v1/namespaces/default/gadgets").status, 404)
        let created = try h.post(crds, gadgetCRD())
        XCTAssertEqual(created.status, 201, created.text)
        let conditions = created.json["status"]?["conditions"]?.arrayValue ?? []
        XCTAssertTrue(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })
        XCTAssertTrue(conditions.contains { $0["type"] == "NamesAccepted" && $0["status"] == "True" })
        XCTAssertEqual(created.json["status"]?["acceptedNames"]?["kind"], "Gadget")
        XCTAssertEqual(created.json["status"]?["storedVersions"], ["v1"])

        let groups = try h.get("/apis").json["groups"]?.arrayValue ?? []
        let group = try XCTUnwrap(groups.first { $0["name"] == "example.io" })
        XCTAssertEqual(group["versions"]?.arrayValue?.compactMap { $0["version"]?.stringValue }, ["v1", "v1beta1"])
        XCTAssertEqual(group["preferredVersion"]?["version"], "v1")
        XCTAssertEqual(try h.get("/apis/example.io").json["kind"], "APIGroup")
        let resources = try h.get("/apis/example.io/v1").json["resources"]?.arrayValue ?? []
        let gadgets = try XCTUnwrap(resources.first { $0["name"] == "gadgets" })
        XCTAssertEqual(gadgets["shortNames"], ["gd"])
        XCTAssertEqual(gadgets["namespaced"], true)
        XCTAssertTrue(resources.contains { $0["name"] == "gadgets/status" })
        XCTAssertFalse((try h.get("/apis/example.io/v1beta1").json["resources"]?.arrayValue ?? []).contains { $0["name"] == "gadgets/status" })
        XCTAssertEqual(try h.get("/apis/example.io/v1alpha1").status, 404, "an unserved version is not served")

        let gadget: JSONValue = ["apiVersion": "example.io/v1", "kind": "Gadget", "metadata": ["name": "g1"], "spec": ["size": 2]]
        XCTAssertEqual(try h.post("/apis/example.io/v1/namespaces/default/gadgets", gadget).status, 201)
        let listed = try h.get("/apis/example.io/v1beta1/namespaces/default/gadgets")
        XCTAssertEqual(listed.json["kind"], "GadgetList")
        XCTAssertEqual(listed.json["items"]?[0]?["apiVersion"], "example.io/v1beta1", "objects are shared across versions")

        let deleted = try h.delete(crds + "/gadgets.example.io")
        XCTAssertEqual(deleted.status, 200)
        XCTAssertEqual(deleted.json["kind"], "CustomResourceDefinition")
        XCTAssertNotNil(deleted.json["metadata"]?["deletionTimestamp"]?.stringValue)
        // The CRD finalizer controller removes the custom resources, then the CRD.
        h.emulator.settle()
        let gone = try h.get("/apis/example.io/v1/namespaces/default/gadgets")
        XCTAssertEqual(gone.status, 404)
        XCTAssertEqual(gone.text, "404 page not found\n")
        XCTAssertFalse((try h.get("/apis").json["groups"]?.arrayValue ?? []).contains { $0["name"] == "example.io" })

        // Recreating the CRD does not bring the old objects back.
        XCTAssertEqual(try h.post(crds, gadgetCRD()).status, 201)
        XCTAssertEqual(try h.get("/apis/example.io/v1/namespaces/default/gadgets").json["items"]?.arrayValue?.count, 0)
        await h.stop()
    }

    func testInvalidCRDNameAndDryRun() async throws {
        let h = try await Harness()
        var wrong = gadgetCRD()
        wrong["metadata"]?["name"] = "gadgets.other.io"
        let r = try h.post(crds, wrong)
        XCTAssertEqual(r.status, 422)
        XCTAssertEqual(r.json["message"], "CustomResourceDefinition.apiextensions.k8s.io \"gadgets.other.io\" is invalid: metadata.name: Invalid value: \"gadgets.other.io\": must be spec.names.plural+\".\"+spec.group")
        XCTAssertEqual(try h.post(crds + "?dryRun=All", gadgetCRD()).status, 201)
        XCTAssertEqual(try h.get("/apis/example.io/v1").status, 404, "a dry-run CRD serves nothing")
        await h.stop()
    }

    func testSeededCRDThenItsObjects() async throws {
        let h = try await Harness()
        try h.emulator.seed(yamlOrJSON: """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: k8srequiredlabels.constraints.gatekeeper.sh, labels: {gatekeeper.sh/constraint: "yes"}}
            spec:
              group: constraints.gatekeeper.sh
              scope: Cluster
              names: {kind: K8sRequiredLabels, plural: k8srequiredlabels}
              versions: [{name: v1beta1, served: true, storage: true}]
            ---
            apiVersion: constraints.gatekeeper.sh/v1beta1
            kind: K8sRequiredLabels
            metadata: {name: must-have-owner}
            spec: {enforcementAction: deny}
            """)
        let crd = try h.get(crds + "/k8srequiredlabels.constraints.gatekeeper.sh").json
        XCTAssertEqual(crd["status"]?["acceptedNames"]?["listKind"], "K8sRequiredLabelsList")
        let list = try h.get("/apis/constraints.gatekeeper.sh/v1beta1/k8srequiredlabels")
        XCTAssertEqual(list.json["items"]?[0]?["metadata"]?["name"], "must-have-owner")
        XCTAssertNil(list.json["items"]?[0]?["metadata"]?["namespace"], "cluster-scoped")
        let resources = try h.get("/apis/constraints.gatekeeper.sh/v1beta1").json["resources"]?.arrayValue ?? []
        XCTAssertEqual(resources.first?["singularName"], "k8srequiredlabels")
        XCTAssertEqual(resources.first?["namespaced"], false)
        await h.stop()
    }
}
