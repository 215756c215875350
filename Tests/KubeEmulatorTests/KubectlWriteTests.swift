import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// kubectl 1.32 writing through the emulator; each test checks the stored state.
final class KubectlWriteTests: XCTestCase {
    func testApplyCreatesThenPatchesWithLastAppliedAnnotation() async throws {
        let k = try await KubectlHarness()
        try await k.ok(["apply", "-f", "-"], stdin: KubectlFixtures.deploymentYAML)
        let created = try XCTUnwrap(k.emulator.object("deployments", namespace: "default", name: "web"))
        let lastApplied = try XCTUnwrap(created["metadata"]?["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"]?.stringValue)
        XCTAssertTrue(lastApplied.contains("nginx:1"))

        k.emulator.clearRequests()
        let changed = KubectlFixtures.deploymentYAML.replacingOccurrences(of: "nginx:1", with: "nginx:2")
            .replacingOccurrences(of: "replicas: 1", with: "replicas: 4")
        let r = try await k.ok(["apply", "-f", "-"], stdin: changed)
        XCTAssertTrue(r.stdout.contains("deployment.apps/web configured"), r.stdout)
        let patches = k.requests(resource: "deployments", verb: "patch")
        XCTAssertEqual(patches.count, 1)
        XCTAssertEqual(patches.first?.contentType, "application/strategic-merge-patch+json")
        let updated = try XCTUnwrap(k.emulator.object("deployments", namespace: "default", name: "web"))
        XCTAssertEqual(updated["spec"]?["replicas"], 4)
        XCTAssertEqual(updated["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"], "nginx:2")
        XCTAssertEqual(updated["spec"]?["template"]?["spec"]?["containers"]?[0]?["env"], [["name": "A", "value": "1"]])
        XCTAssertEqual(updated["metadata"]?["generation"], 2)

        let ssa = try await k.ok(["apply", "--server-side", "-f", "-"],
                                 stdin: changed.replacingOccurrences(of: "replicas: 4", with: "replicas: 5"))
        XCTAssertTrue(ssa.stdout.contains("serverside-applied"), ssa.stdout)
        XCTAssertEqual(k.emulator.object("deployments", namespace: "default", name: "web")?["spec"]?["replicas"], 5)
        await k.stop()
    }

    func testApplyCustomResourceUsesMergePatch() async throws {
        let k = try await KubectlHarness()
        k.emulator.register(KubectlFixtures.widgetType)
        try k.emulator.seed(KubectlFixtures.widgetCRD)
        let yaml = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\nspec: {size: 1, color: red}\n"
        try await k.ok(["apply", "-f", "-"], stdin: yaml)
        k.emulator.clearRequests()
        try await k.ok(["apply", "-f", "-"], stdin: yaml.replacingOccurrences(of: "size: 1, color: red", with: "size: 2"))
        XCTAssertEqual(k.requests(resource: "widgets", verb: "patch").first?.contentType, "application/merge-patch+json")
        XCTAssertEqual(k.emulator.object("widgets", namespace: "default", name: "w")?["spec"], ["size": 2])
        await k.stop()
    }

    func testPatchTypes() async throws {
        let k = try await KubectlHarness()
        try k.emulator.seed(deployment("web"))
        try await k.ok(["patch", "deployment", "web", "--type=merge", "-p", #"{"metadata":{"labels":{"tier":"front"}}}"#])
        try await k.ok(["patch", "deployment", "web", "--type=strategic", "-p",
                        #"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:9"}]}}}}"#])
        try await k.ok(["patch", "deployment", "web", "--type=json", "-p", #"[{"op":"replace","path":"/spec/replicas","value":7}]"#])
        let d = try XCTUnwrap(k.emulator.object("deployments", namespace: "default", name: "web"))
        XCTAssertEqual(d["metadata"]?["labels"]?["tier"], "front")
        // Strategic merge kept the env list of the container it merged into by name.
        XCTAssertEqual(d["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"], "nginx:9")
        XCTAssertEqual(d["spec"]?["template"]?["spec"]?["containers"]?[0]?["env"]?.arrayValue?.count, 2)
        XCTAssertEqual(d["spec"]?["replicas"], 7)
        let types = k.requests(resource: "deployments", verb: "patch").compactMap(\.contentType)
        XCTAssertEqual(types, ["application/merge-patch+json", "application/strategic-merge-patch+json", "application/json-patch+json"])
        // A failed JSON-patch test is refused and nothing changes.
        let failed = try await k.run(["patch", "deployment", "web", "--type=json", "-p", #"[{"op":"test","path":"/spec/replicas","value":1}]"#])
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertEqual(k.emulator.object("deployments", namespace: "default", name: "web")?["spec"]?["replicas"], 7)
        await k.stop()
    }

    func testDeletePodAndDeployment() async throws {
        let k = try await KubectlHarness()
        try k.emulator.seed(KubectlFixtures.pod("lonely"))
        try k.emulator.seed(deployment("web"))
        let pod = try await k.ok(["delete", "pod", "lonely", "--wait=false"])
        XCTAssertTrue(pod.stdout.contains("pod \"lonely\" deleted"), pod.stdout)
        let dep = try await k.ok(["delete", "deployment", "web"])
        XCTAssertTrue(dep.stdout.contains("deployment.apps \"web\" deleted"), dep.stdout)
        XCTAssertNil(k.emulator.object("deployments", namespace: "default", name: "web"))
        XCTAssertNil(k.emulator.object("pods", namespace: "default", name: "lonely"))
        let again = try await k.run(["delete", "deployment", "web"])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("NotFound"), again.stderr)
        await k.stop()
    }

    func testCreateDryRunServerStoresNothing() async throws {
        let k = try await KubectlHarness()
        let r = try await k.ok(["create", "-f", "-", "--dry-run=server", "-o", "json"], stdin: KubectlFixtures.deploymentYAML)
        XCTAssertEqual(r.json["metadata"]?["name"], "web")
        XCTAssertNotNil(r.json["metadata"]?["uid"])
        XCTAssertNil(k.emulator.object("deployments", namespace: "default", name: "web"))
        XCTAssertEqual(k.requests(resource: "deployments", verb: "create").first?.query["dryRun"], ["All"])
        await k.stop()
    }

    func testRolloutRestartSetsTemplateAnnotation() async throws {
        let k = try await KubectlHarness()
        try k.emulator.seed(deployment("web"))
        let r = try await k.ok(["rollout", "restart", "deployment/web"])
        XCTAssertTrue(r.stdout.contains("deployment.apps/web restarted"), r.stdout)
        let d = try XCTUnwrap(k.emulator.object("deployments", namespace: "default", name: "web"))
        let stamp = try XCTUnwrap(d["spec"]?["template"]?["metadata"]?["annotations"]?["kubectl.kubernetes.io/restartedAt"]?.stringValue)
        XCTAssertNotNil(HumanDuration.parse(stamp), stamp)
        XCTAssertEqual(k.requests(resource: "deployments", verb: "patch").first?.contentType, "application/strategic-merge-patch+json")
        await k.stop()
    }
}
