import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

final class GeneratorTests: XCTestCase {
    /// Every stored body, by storage key and object key.
    private func snapshot(_ emu: KubeEmulator) -> [String: Data] {
        emu.core.state.withLock { s in
            var out: [String: Data] = [:]
            for (type, bucket) in s.buckets {
                for (key, stored) in bucket.objects { out["\(type)/\(key)"] = stored.body }
            }
            return out
        }
    }

    func testSameSeedSameBytesAndPodSize() throws {
        let spec = ClusterSpec(nodes: 4, namespaces: 3, pods: 120, daemonsets: 1, statefulsets: 2, pdbs: 3, seed: 42, problemRate: 0.2)
        let a = KubeEmulator(), b = KubeEmulator(), c = KubeEmulator()
        let report = a.generate(spec)
        b.generate(spec)
        var other = spec
        other.seed = 43
        c.generate(other)
        let snapA = snapshot(a)
        // Namespaces created at start-up carry random uids; compare what the generator made.
        let generated = snapA.filter { !$0.key.hasPrefix("namespaces/default") && !$0.key.hasPrefix("namespaces/kube-") }
        let snapB = snapshot(b)
        for (key, bytes) in generated { XCTAssertEqual(snapB[key], bytes, key) }
        XCTAssertNotEqual(snapshot(c).filter { $0.key.hasPrefix("pods/") }, snapA.filter { $0.key.hasPrefix("pods/") })
        XCTAssertEqual(report.objects, generated.count)

        let pods = a.objects("pods", namespace: nil)
        XCTAssertEqual(pods.count, 120, "pods is the total")
        // Application pods (the KubeArmor/Gatekeeper system pods are smaller, as real ones are).
        let sizes = a.core.state.withLock { s in
            (s.buckets["pods"]?.objects ?? [:]).filter { !$0.key.hasPrefix("kubearmor/") && !$0.key.hasPrefix("gatekeeper-system/") }
                .map { $0.value.body.count + #"{"kind":"Pod","apiVersion":"v1",}"#.count }
        }
        XCTAssertGreaterThan(sizes.count, 100)
        // 4-6 KB of object plus the managedFields of kube-controller-manager and the kubelet.
        for size in sizes { XCTAssertTrue((6_000...11_000).contains(size), "pod JSON of \(size) bytes") }
        for pod in pods where pod.namespace != "kubearmor" && pod.namespace != "gatekeeper-system" {
            let entries = pod["metadata"]?["managedFields"]?.arrayValue ?? []
            XCTAssertEqual(entries.compactMap { $0["manager"]?.stringValue }, ["kube-controller-manager", "kubelet"])
            XCTAssertEqual(entries.last?["subresource"], "status")
            let bytes = JSONValue.array(entries).jsonData().count
            XCTAssertTrue((1_000...5_500).contains(bytes), "managedFields of \(bytes) bytes")
        }
        print("application pod JSON: \(sizes.min() ?? 0)...\(sizes.max() ?? 0) bytes, mean \(sizes.reduce(0, +) / max(1, sizes.count))")
        for pod in pods.prefix(20) {
            XCTAssertEqual(pod["status"]?["phase"], "Running")
            XCTAssertNotNil(pod["status"]?["containerStatuses"]?[0]?["imageID"])
            XCTAssertNotNil(pod["spec"]?["nodeName"])
            XCTAssertNotNil(pod["metadata"]?["resourceVersion"])
        }
    }

    func testGeneratedClusterIsSettledAndShowsTheFiveProblems() throws {
        let emu = KubeEmulator()
        emu.generate(ClusterSpec(nodes: 4, namespaces: 2, pods: 60, daemonsets: 1, statefulsets: 1, pdbs: 2, seed: 7, problemRate: 0.3))
        // (1) KubeArmor install, the controller Deployment without its owner reference.
        let controller = try XCTUnwrap(emu.object("deployments", namespace: "kubearmor", name: "kubearmor-controller"))
        XCTAssertNil(controller["metadata"]?["ownerReferences"])
        let operatorUID = emu.object("deployments", namespace: "kubearmor", name: "kubearmor-operator")?["metadata"]?["uid"]
        XCTAssertNotNil(operatorUID)
        XCTAssertEqual(emu.object("secrets", namespace: "kubearmor", name: "kubearmor-controller-webhook-server-cert")?["type"], "kubernetes.io/tls")
        XCTAssertEqual(emu.objects("serviceaccounts", namespace: "kubearmor").count, 4)
        // (2) CR image differs from the DaemonSet's.
        let ds = try XCTUnwrap(emu.object("daemonsets", namespace: "kubearmor", name: "kubearmor-apparmor-containerd-98c2c"))
        let cr = try XCTUnwrap(emu.object("kubearmorconfigs", namespace: "kubearmor", name: "kubearmorconfig-default"))
        XCTAssertNotEqual(cr["spec"]?["kubearmorImage"]?["image"], ds["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"])
        // (3) Some pods on AppArmor nodes lack the annotation, others have it.
        let apparmorNodes = Set(emu.objects("nodes", namespace: nil).filter { $0["metadata"]?["labels"]?["kubearmor.io/enforcer"] == "apparmor" }.map(\.name))
        let appPods = emu.objects("pods", namespace: nil).filter { !["kubearmor", "gatekeeper-system"].contains($0.namespace) }
        let onApparmor = appPods.filter { apparmorNodes.contains($0["spec"]?["nodeName"]?.stringValue ?? "") }
        let annotated = onApparmor.filter { ($0["metadata"]?["annotations"]?.objectValue ?? [:]).keys.contains { $0.hasPrefix("container.apparmor.security.beta.kubernetes.io/") } }
        XCTAssertGreaterThan(annotated.count, 0)
        XCTAssertLessThan(annotated.count, onApparmor.count)
        // (4) Generated VAP objects: one binding's constraint is gone, one's kind is not served.
        let bindings = emu.objects("validatingadmissionpolicybindings", namespace: nil)
        XCTAssertTrue(bindings.contains { $0.name == "gatekeeper-k8sdisallowedtags-no-latest-tag" })
        XCTAssertTrue(bindings.allSatisfy { $0["metadata"]?["ownerReferences"]?[0]?["controller"] == true })
        let templates = emu.objects("constrainttemplates", namespace: nil).map(\.name)
        XCTAssertEqual(templates.sorted(), ["k8sallowedrepos", "k8scontainerlimits", "k8srequiredlabels"])
        XCTAssertEqual(emu.objects("customresourcedefinitions", namespace: nil)
            .filter { $0["metadata"]?["labels"]?["gatekeeper.sh/constraint"] == "yes" }.count, 3)
        // (5) The Assign mutator, with some pods missing its field.
        let assign = try XCTUnwrap(emu.object("assign", namespace: nil, name: "deny-privilege-escalation"))
        XCTAssertEqual(assign["spec"]?["location"], "spec.containers[name:*].securityContext.allowPrivilegeEscalation")
        let mutated = appPods.filter { $0["spec"]?["containers"]?[0]?["securityContext"]?["allowPrivilegeEscalation"] == false }
        XCTAssertGreaterThan(mutated.count, 0)
        XCTAssertLessThan(mutated.count, appPods.count)

        // Settled: the controllers keep every pod; the collector removes generated objects
        // whose owner uid is gone but keeps the binding whose owner kind is not served.
        let podNames = Set(emu.objects("pods", namespace: nil).map(\.name))
        XCTAssertLessThan(emu.settle(maxSteps: 20), 20)
        XCTAssertEqual(Set(emu.objects("pods", namespace: nil).map(\.name)), podNames)
        let after = emu.objects("validatingadmissionpolicybindings", namespace: nil)
        XCTAssertTrue(after.contains { $0.name == "gatekeeper-k8sdisallowedtags-no-latest-tag" })
        XCTAssertLessThan(after.count, bindings.count, "bindings of deleted constraints are collected")
        XCTAssertNil(emu.object("validatingadmissionpolicies", namespace: nil, name: "gatekeeper-k8sdisallowedtags"),
                     "its template (a served kind) is gone: collected")
    }

    func testSpecParsing() throws {
        let spec = try ClusterSpec(parsing: "pods=150000,nodes=50,namespaces=20,seed=9,problems=0.05")
        XCTAssertEqual(spec.pods, 150_000)
        XCTAssertEqual(spec.nodes, 50)
        XCTAssertEqual(spec.seed, 9)
        XCTAssertEqual(spec.problemRate, 0.05)
        XCTAssertThrowsError(try ClusterSpec(parsing: "pods=1,colour=blue")) { error in
            XCTAssertTrue("\(error)".contains("unknown key \"colour\""), "\(error)")
        }
        XCTAssertThrowsError(try ClusterSpec(parsing: "problems=2"))
        XCTAssertThrowsError(try ClusterSpec(parsing: "pods=-1"))
    }
}
