import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// Mutating admission hooks and the two ready-made webhooks.
final class AdmissionTests: XCTestCase {
    let pods = "/api/v1/namespaces/default/pods"
    let key = "container.apparmor.security.beta.kubernetes.io/"

    func ownedPod(_ name: String, rs: String, hash: String) -> JSONValue {
        var pod = runningPod(name, labels: ["app": "web", "pod-template-hash": .string(hash)], nodeName: nil)
        pod["metadata"]?["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": .string(rs),
                                                 "uid": "u", "controller": true]]
        pod["spec"]?["containers"] = [["name": "app", "image": "a"], ["name": "proxy", "image": "p"]]
        return pod
    }

    func testKubeArmorWebhookAnnotatesAndMissesPodsWhileDown() async throws {
        let h = try await Harness()
        h.emulator.addAdmissionHook(.kubearmor())
        let created = try h.post(pods, ownedPod("web-7d4b9-abcde", rs: "web-7d4b9", hash: "7d4b9")).json
        XCTAssertEqual(created["metadata"]?["annotations"]?[key + "app"], "localhost/kubearmor-default-web-app")
        XCTAssertEqual(created["metadata"]?["annotations"]?[key + "proxy"], "localhost/kubearmor-default-web-proxy")
        let bare = try h.post(pods, runningPod("bare", nodeName: nil)).json
        XCTAssertEqual(bare["metadata"]?["annotations"]?[key + "c"], "localhost/kubearmor-default-bare-c")
        let own = try h.post(pods, runningPod("relay", labels: ["kubearmor-app": "kubearmor-relay"], nodeName: nil)).json
        XCTAssertNil(own["metadata"]?["annotations"]?[key + "c"], "KubeArmor skips its own pods")
        let system = try h.post("/api/v1/namespaces/kube-system/pods", runningPod("dns", nodeName: nil, namespace: "kube-system")).json
        XCTAssertNil(system["metadata"]?["annotations"]?[key + "c"])

        // The webhook goes down; failurePolicy Ignore admits the pod unmutated.
        h.emulator.removeAdmissionHook(named: "annotation.kubearmor.com")
        h.emulator.addAdmissionHook(.kubearmor(down: true))
        let missed = try h.post(pods, runningPod("missed", nodeName: nil))
        XCTAssertEqual(missed.status, 201)
        XCTAssertNil(missed.json["metadata"]?["annotations"]?[key + "c"])
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "missed")?["metadata"]?["annotations"])
        await h.stop()
    }

    func testFailurePolicyFailRejectsAndUpdateHooksRun() async throws {
        let h = try await Harness()
        h.emulator.addAdmissionHook(AdmissionHook(name: "strict.example.com", resource: "pods", failurePolicy: .fail, behaviour: .down))
        let r = try h.post(pods, runningPod("p", nodeName: nil))
        XCTAssertEqual(r.status, 500)
        XCTAssertEqual(r.json["reason"], "InternalError")
        let message = r.json["message"]?.stringValue ?? ""
        XCTAssertTrue(message.hasPrefix("Internal error occurred: failed calling webhook \"strict.example.com\": failed to call webhook: Post \"https://"), message)
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "p"))
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/configmaps", configMap("c")).status, 201, "other resources unaffected")

        h.emulator.removeAdmissionHook(named: "strict.example.com")
        h.emulator.addAdmissionHook(AdmissionHook(name: "stamp", resource: "configmaps", operations: [.update], behaviour: .mutate { obj in
            obj["data"]?["stamped"] = "yes"
        }))
        let patched = try h.patch("/api/v1/namespaces/default/configmaps/c", ["data": ["k": "2"]], type: "application/merge-patch+json")
        XCTAssertEqual(patched.json["data"]?["stamped"], "yes")
        XCTAssertNil(try h.post("/api/v1/namespaces/default/configmaps", configMap("d")).json["data"]?["stamped"], "create not in operations")
        await h.stop()
    }

    func testGatekeeperAssignAndItsTimeout() async throws {
        let h = try await Harness()
        h.emulator.addAdmissionHook(.gatekeeperAssign(target: .containerSecurityContext("runAsNonRoot"), value: true))
        h.emulator.addAdmissionHook(.gatekeeperAssign(name: "label.gatekeeper.sh", target: .label("owner"), value: "platform"))
        let created = try h.post(pods, runningPod("p", nodeName: nil)).json
        XCTAssertEqual(created["spec"]?["containers"]?[0]?["securityContext"]?["runAsNonRoot"], true)
        XCTAssertEqual(created["metadata"]?["labels"]?["owner"], "platform")
        XCTAssertEqual(created["metadata"]?["labels"]?["app"], "web")

        // Slower than its 1 s timeout: Ignore admits the pod unmutated.
        h.emulator.removeAdmissionHook(named: "mutation.gatekeeper.sh")
        var slow = AdmissionHook.gatekeeperAssign(target: .containerSecurityContext("runAsNonRoot"), value: true)
        slow.behaviour = .slow(seconds: 3)
        h.emulator.addAdmissionHook(slow)
        let unmutated = try h.post(pods, runningPod("q", nodeName: nil)).json
        XCTAssertNil(unmutated["spec"]?["containers"]?[0]?["securityContext"])
        await h.stop()
    }
}
