import KubeClient
import XCTest

@testable import KubeEmulator

/// Pods made by the simulated controllers pass the admission hooks, so "pods created while
/// the KubeArmor webhook was down" can be reproduced end to end.
final class ControllerAdmissionTests: XCTestCase {
    private let annotation = "container.apparmor.security.beta.kubernetes.io/app"

    func testReplicaSetPodsGetTheWebhookMutation() throws {
        let emu = KubeEmulator()
        try emu.seed(node("n1"))
        emu.addAdmissionHook(.kubearmor())
        try emu.seed(deploymentSpec("web", replicas: 2))
        _ = emu.settle(maxSteps: 20)
        let pods = emu.livePods()
        XCTAssertEqual(pods.count, 2)
        for pod in pods {
            XCTAssertEqual(pod["metadata"]?["annotations"]?[annotation]?.stringValue, "localhost/kubearmor-default-web-app", pod.name)
        }
    }

    func testPodsCreatedWhileTheWebhookIsDownAreAdmittedUnmutated() throws {
        let emu = KubeEmulator()
        try emu.seed(node("n1"))
        emu.addAdmissionHook(.kubearmor(down: true))
        try emu.seed(deploymentSpec("web", replicas: 2))
        _ = emu.settle(maxSteps: 20)
        let pods = emu.livePods()
        XCTAssertEqual(pods.count, 2, "failurePolicy Ignore admits the pods")
        for pod in pods { XCTAssertNil(pod["metadata"]?["annotations"]?[annotation], pod.name) }
    }

    func testAFailingWebhookWithPolicyFailBlocksControllerCreates() throws {
        let emu = KubeEmulator()
        try emu.seed(node("n1"))
        emu.addAdmissionHook(AdmissionHook(name: "strict.example.com", resource: "pods", operations: [.create],
                                           failurePolicy: .fail, behaviour: .down))
        try emu.seed(deploymentSpec("web", replicas: 2))
        _ = emu.settle(maxSteps: 10)
        XCTAssertEqual(emu.livePods().count, 0)
        emu.removeAdmissionHook(named: "strict.example.com")
        _ = emu.settle(maxSteps: 20)
        XCTAssertEqual(emu.livePods().count, 2, "the ReplicaSet creates them once the webhook recovers")
    }
}
