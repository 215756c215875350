import Foundation
import KubeClient
import KubeEmulator
@testable import Reconciler
import XCTest

final class EventRecorderTests: XCTestCase {
    func testEventDescribesTheChangedObject() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try c.emulator.seed(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "kubearmor"]])
        try c.emulator.seed(configMapJSON("a", namespace: "kubearmor"))
        let ref = try c.ref("configmaps", "kubearmor", "a")
        let time = Date(timeIntervalSince1970: 1_800_000_000.25)
        let recorder = EventRecorder(client: c.client(), instance: "pod-1_abc", now: { time })
        let entry = PlanEntry(finding: labelFinding(ref), decision: .planned(order: 0))
        let stored = await recorder.record(ActionResult(entry: entry, outcome: .applied))
        XCTAssertTrue(stored)

        let events = c.emulator.objects("events.events.k8s.io", namespace: "kubearmor")
        XCTAssertEqual(events.count, 1)
        let e = try XCTUnwrap(events.first)
        XCTAssertEqual(e["apiVersion"], "events.k8s.io/v1")
        XCTAssertEqual(e["reportingController"], "kreconcile.io/kreconcile")
        XCTAssertEqual(e["reportingInstance"], "pod-1_abc")
        XCTAssertEqual(e["action"], "Patch")
        XCTAssertEqual(e["reason"], "OwnerReferencesReconciled")
        XCTAssertEqual(e["type"], "Normal")
        XCTAssertEqual(e["eventTime"], "2027-01-15T08:00:00.250000Z")
        XCTAssertEqual(e["regarding"]?["uid"]?.stringValue, ref.uid)
        XCTAssertEqual(e["regarding"]?["namespace"], "kubearmor")
        XCTAssertEqual(e["note"], "add label fixed=yes: ConfigMap a lacks label fixed")
        XCTAssertTrue(e["metadata"]?["name"]?.stringValue?.hasPrefix("a.") == true)
    }

    func testClusterScopedObjectsGetEventsInDefault() throws {
        let ref = ObjectRef(apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding",
                            namespace: nil, name: "gatekeeper-x", uid: "u1", resourceVersion: "7")
        let request = KubeRequest.delete(.init(group: "admissionregistration.k8s.io", version: "v1",
                                               plural: "validatingadmissionpolicybindings", kind: "ValidatingAdmissionPolicyBinding",
                                               namespaced: false), namespace: nil, name: "gatekeeper-x")
        let action = Action(actionClass: .orphanDeletion, target: ref, summary: "delete", request: request)
        let event = EventRecorder.event(for: action, finding: Finding(check: "gatekeeper-orphaned-vap", object: ref, reason: "r", action: action), instance: "i", at: Date())
        XCTAssertEqual(event["metadata"]?["namespace"], "default")
        XCTAssertNil(event["regarding"]?["namespace"])
        XCTAssertEqual(event["action"], "Delete")

        // A 253-character object name still gives a valid Event name (DNS subdomain, <= 253).
        var long = ref
        long.name = String(repeating: "a", count: 235) + "-" + String(repeating: "b", count: 17)
        let longEvent = EventRecorder.event(for: Action(actionClass: .orphanDeletion, target: long, summary: "delete", request: request),
                                            finding: Finding(check: "c", object: long, reason: "r", action: nil), instance: "i", at: Date())
        let name = try XCTUnwrap(longEvent["metadata"]?["name"]?.stringValue)
        XCTAssertLessThanOrEqual(name.count, 253)
        XCTAssertNotNil(name.wholeMatch(of: /a{235}\.[0-9a-f]+/), name)
    }

    func testAFailedEventNeverFailsTheRun() async throws {
        let c = try await TestCluster.start()
        defer { Task { await c.stop() } }
        try c.emulator.seed(configMapJSON("a"))
        let ref = try c.ref("configmaps", "default", "a")
        c.emulator.addFault(FaultRule(verb: "create", resource: "events", action: .status(
            code: 403, reason: "Forbidden", message: "events is forbidden", retryAfterSeconds: nil)))
        let recorder = EventRecorder(client: c.client(), instance: "i")
        let stored = await recorder.record(ActionResult(entry: PlanEntry(finding: labelFinding(ref), decision: .planned(order: 0)),
                                                        outcome: .applied))
        XCTAssertFalse(stored)
        XCTAssertTrue(c.emulator.objects("events.events.k8s.io", namespace: "default").isEmpty)
    }
}
