import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// examples/cluster.yaml, found from this file's path (Tests/ReconcilerTests/ -> package root).
enum ExampleCluster {
    static var path: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/cluster.yaml").path
    }

    static func text() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// Seeds the example into an emulator; its CustomResourceDefinitions are served as they
    /// are seeded, so the custom resources after them load too.
    static func seed(_ emulator: KubeEmulator, text: String? = nil) throws {
        try emulator.seed(yamlOrJSON: text ?? Self.text())
    }
}

final class ExampleClusterTests: XCTestCase {
    func testExampleLoadsIntoTheEmulatorWithConsistentObjects() throws {
        let emulator = KubeEmulator()
        try ExampleCluster.seed(emulator)
        XCTAssertEqual(emulator.objects("nodes", namespace: nil).count, 3)
        XCTAssertEqual(emulator.objects("nodes", namespace: nil).filter {
            $0["metadata"]?["labels"]?["kubearmor.io/enforcer"] == "apparmor"
        }.map { $0["metadata"]?["name"] }, ["node-1"])
        XCTAssertEqual(emulator.objects("kubearmorconfigs", namespace: "kubearmor").count, 1)
        XCTAssertEqual(emulator.objects("validatingadmissionpolicybindings", namespace: nil).count, 2)
        XCTAssertEqual(emulator.objects("assign", namespace: nil).count, 1)
        XCTAssertEqual(emulator.objects("k8srequiredlabels", namespace: nil).count, 1)

        // Every ownerReference resolves by uid to an object of that kind and name, except the
        // one orphaned binding (PROBLEM 4).
        var byUID: [String: JSONValue] = [:]
        let resources = ["namespaces", "nodes", "pods", "configmaps", "secrets", "services", "serviceaccounts", "deployments",
                         "replicasets", "daemonsets", "poddisruptionbudgets", "roles", "rolebindings", "mutatingwebhookconfigurations",
                         "validatingadmissionpolicies", "validatingadmissionpolicybindings", "customresourcedefinitions",
                         "kubearmorconfigs", "constrainttemplates", "k8srequiredlabels", "assign"]
        var all: [JSONValue] = []
        for r in resources { all += emulator.objects(r, namespace: nil) }
        for o in all { byUID[o["metadata"]?["uid"]?.stringValue ?? ""] = o }
        var dangling: [String] = []
        for o in all {
            for ref in o["metadata"]?["ownerReferences"]?.arrayValue ?? [] {
                let uid = ref["uid"]?.stringValue ?? ""
                if let owner = byUID[uid] {
                    XCTAssertEqual(owner["kind"], ref["kind"])
                    XCTAssertEqual(owner["metadata"]?["name"], ref["name"])
                } else {
                    dangling.append(o["metadata"]?["name"]?.stringValue ?? "")
                }
            }
        }
        XCTAssertEqual(dangling, ["gatekeeper-k8sallowedrepos-repo-is-openpolicyagent"])
        // PROBLEM 1: the controller Deployment is the only operator object without its owner.
        let operatorUID = emulator.object("deployments", namespace: "kubearmor", name: "kubearmor-operator")?["metadata"]?["uid"]
        let owned = ["deployments", "services", "secrets", "configmaps", "serviceaccounts", "daemonsets", "roles", "rolebindings"]
            .flatMap { emulator.objects($0, namespace: "kubearmor") }
            .filter { $0["metadata"]?["name"]?.stringValue != "kubearmor-operator" }
            .filter { $0["metadata"]?["ownerReferences"]?[0]?["uid"] != operatorUID }
            .compactMap { $0["metadata"]?["name"]?.stringValue }
        XCTAssertEqual(owned, ["kubearmor-controller"])
        // PROBLEM 2: the DaemonSet runs another kubearmor image than the CR asks for.
        let ds = emulator.object("daemonsets", namespace: "kubearmor", name: "kubearmor-apparmor-containerd-98c2c")
        let cr = emulator.object("kubearmorconfigs", namespace: "kubearmor", name: "kubearmorconfig-default")
        XCTAssertEqual(ds?.value(at: ["spec", "template", "spec", "containers"])?[0]?["image"], "kubearmor/kubearmor:v1.5.3")
        XCTAssertEqual(cr?.value(at: ["spec", "kubearmorImage", "image"]), "kubearmor/kubearmor:v1.5.4")

        // PROBLEM 3: the only pod outside excluded/KubeArmor namespaces on the AppArmor node
        // without a profile; PROBLEM 5: the only pod in `shop` without the Assign's field.
        let shop = emulator.objects("pods", namespace: "shop")
        let unprotected = shop.filter { pod in
            pod.value(at: ["spec", "nodeName"]) == "node-1"
                && !(pod["metadata"]?["annotations"]?.objectValue?.keys.contains { $0.hasPrefix("container.apparmor.security.beta.kubernetes.io/") } ?? false)
                && pod.value(at: ["spec", "securityContext", "appArmorProfile"]) == nil
        }.compactMap { $0["metadata"]?["name"]?.stringValue }
        XCTAssertEqual(unprotected, ["checkout-5f6d7c8b9a-klmno"])
        let unmutated = shop.filter { pod in
            (pod.value(at: ["spec", "containers"])?.arrayValue ?? []).contains {
                $0.value(at: ["securityContext", "allowPrivilegeEscalation"]) != .bool(false)
            }
        }.compactMap { $0["metadata"]?["name"]?.stringValue }
        XCTAssertEqual(unmutated, ["cart-6c7d8e9f0a-pqrst"])
    }
}
