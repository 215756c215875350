import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// Which built-in kinds and versions are served, and pod field/label selectors.
final class BuiltInTypesTests: XCTestCase {
    let ar = "admissionregistration.k8s.io"

    func names(_ h: Harness, _ gv: String) throws -> Set<String> {
        Set((try h.get("/apis/\(gv)").json["resources"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
    }

    func testRequiredBuiltInsAreServed() async throws {
        let h = try await Harness()
        let core = Set((try h.get("/api/v1").json["resources"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        XCTAssertTrue(core.isSuperset(of: ["namespaces", "nodes", "pods", "pods/eviction", "pods/status", "configmaps", "secrets",
                                           "services", "serviceaccounts", "events"]))
        XCTAssertTrue(try names(h, "apps/v1").isSuperset(of: ["deployments", "replicasets", "daemonsets", "statefulsets"]))
        XCTAssertTrue(try names(h, "batch/v1").isSuperset(of: ["jobs", "cronjobs"]))
        XCTAssertTrue(try names(h, "policy/v1").contains("poddisruptionbudgets"))
        XCTAssertTrue(try names(h, "coordination.k8s.io/v1").contains("leases"))
        XCTAssertTrue(try names(h, "events.k8s.io/v1").contains("events"))
        XCTAssertTrue(try names(h, "rbac.authorization.k8s.io/v1").isSuperset(of: ["roles", "rolebindings", "clusterroles", "clusterrolebindings"]))
        XCTAssertTrue(try names(h, "apiextensions.k8s.io/v1").contains("customresourcedefinitions"))
        XCTAssertEqual(try names(h, "\(ar)/v1"), ["mutatingwebhookconfigurations", "validatingwebhookconfigurations",
                                                  "validatingadmissionpolicies", "validatingadmissionpolicies/status",
                                                  "validatingadmissionpolicybindings"])
        XCTAssertEqual(try h.get("/apis/\(ar)/v1beta1").status, 404, "v1beta1 not served by default")
        await h.stop()
    }

    func testOlderServerServesAdmissionPoliciesAsV1beta1Only() async throws {
        let h = try await Harness(EmulatorOptions(admissionRegistrationVersions: ["v1beta1"]))
        XCTAssertEqual(try names(h, "\(ar)/v1"), ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"])
        XCTAssertEqual(try names(h, "\(ar)/v1beta1"), ["validatingadmissionpolicies", "validatingadmissionpolicies/status",
                                                       "validatingadmissionpolicybindings"])
        let group = try h.get("/apis/\(ar)").json
        XCTAssertEqual(group["versions"]?.arrayValue?.compactMap { $0["version"]?.stringValue }, ["v1", "v1beta1"])
        XCTAssertEqual(try h.get("/apis/\(ar)/v1/validatingadmissionpolicybindings").status, 404)
        await h.stop()
    }

    func testBothVersionsShareObjects() async throws {
        let h = try await Harness(EmulatorOptions(admissionRegistrationVersions: ["v1", "v1beta1"]))
        let binding: JSONValue = ["apiVersion": .string("\(ar)/v1beta1"), "kind": "ValidatingAdmissionPolicyBinding",
                                  "metadata": ["name": "gatekeeper-k8srequiredlabels-owner"],
                                  "spec": ["policyName": "gatekeeper-k8srequiredlabels"]]
        XCTAssertEqual(try h.post("/apis/\(ar)/v1beta1/validatingadmissionpolicybindings", binding).status, 201)
        let v1 = try h.get("/apis/\(ar)/v1/validatingadmissionpolicybindings/gatekeeper-k8srequiredlabels-owner")
        XCTAssertEqual(v1.json["apiVersion"], "admissionregistration.k8s.io/v1")
        XCTAssertEqual(v1.json["spec"]?["policyName"], "gatekeeper-k8srequiredlabels")
        let list = try h.get("/apis/\(ar)/v1beta1/validatingadmissionpolicybindings")
        XCTAssertEqual(list.json["apiVersion"], "admissionregistration.k8s.io/v1beta1")
        XCTAssertEqual(try h.get("/apis/\(ar)").json["preferredVersion"]?["version"], "v1")
        await h.stop()
    }

    func testPodFieldSelectorsAndSetBasedLabels() async throws {
        let h = try await Harness()
        try h.emulator.seed(runningPod("a", labels: ["app": "web", "rank": "3"], nodeName: "n1"))
        try h.emulator.seed(runningPod("b", labels: ["app": "db", "rank": "7"], phase: "Pending", nodeName: nil))
        try h.emulator.seed(runningPod("c", labels: ["app": "web"], phase: "Succeeded", nodeName: "n2"))
        func names(_ q: String) throws -> [String] {
            let r = try h.get("/api/v1/pods?" + q)
            XCTAssertEqual(r.status, 200, r.text)
            return r.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
        }
        XCTAssertEqual(try names("fieldSelector=spec.nodeName%3Dn1"), ["a"])
        XCTAssertEqual(try names("fieldSelector=spec.nodeName%3D"), ["b"], "unscheduled pods")
        XCTAssertEqual(try names("fieldSelector=status.phase!%3DSucceeded,status.phase!%3DFailed"), ["a", "b"])
        XCTAssertEqual(try names("fieldSelector=metadata.namespace%3Ddefault,metadata.name%3Dc"), ["c"])
        XCTAssertEqual(try names("labelSelector=rank%3E4"), ["b"])
        XCTAssertEqual(try names("labelSelector=rank%3C4,app%20in%20(web)"), ["a"])
        XCTAssertEqual(try h.get("/api/v1/pods?labelSelector=rank%3Ex").status, 400)
        XCTAssertEqual(try h.get("/api/v1/configmaps?fieldSelector=status.phase%3DRunning").status, 400, "pod-only field")
        let meta = try h.get("/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3Dn2",
                             accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
        XCTAssertEqual(meta.json["kind"], "PartialObjectMetadataList")
        XCTAssertEqual(meta.json["items"]?.arrayValue?.count, 1)
        XCTAssertNil(meta.json["items"]?[0]?["spec"])
        await h.stop()
    }
}
