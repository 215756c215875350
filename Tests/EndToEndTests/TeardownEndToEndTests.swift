import Foundation
import KubeClient
import KubeEmulator
import Synchronization
import XCTest

/// `kreconcile teardown` against the emulator with its controllers running on their own
/// (a Deployment's pods go only when its ReplicaSet and the kubelet get to them).
final class TeardownEndToEndTests: XCTestCase {
    let secret = "kubearmor-controller-webhook-server-cert"

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Binary.path),
                          "kreconcile is not built at \(Binary.path); run `swift build --build-tests` first")
    }

    /// examples/cluster.yaml plus the rest of a full install, its workloads running.
    func startInstalled() async throws -> E2ECluster {
        let extras = try String(contentsOf: Binary.packageRoot.appendingPathComponent("Tests/Fixtures/teardown-install-extras.yaml"), encoding: .utf8)
        let c = try await E2ECluster.start(example: try E2ECluster.exampleYAML() + "\n---\n" + extras,
                                           options: EmulatorOptions(controllers: .auto(interval: 0.005)))
        try await waitUntil("the example's workloads run") {
            !Self.pods(c, "kubearmor", "kubearmor-controller").isEmpty && !Self.pods(c, "kubearmor", "kubearmor-operator").isEmpty
                && c.emulator.objects("pods", namespace: "gatekeeper-system").count >= 4
        }
        c.emulator.clearRequests()
        return c
    }

    static func pods(_ c: E2ECluster, _ namespace: String, _ app: String) -> [JSONValue] {
        c.emulator.objects("pods", namespace: namespace).filter { $0["metadata"]?["labels"]?["kubearmor-app"]?.stringValue == app }
    }

    func waitUntil(_ what: String, timeout: Double = 20, _ condition: () -> Bool) async throws {
        let end = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < end else { throw XCTSkip("timed out waiting until \(what)") }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    func deletes(_ c: E2ECluster) -> [String] {
        c.writes().filter { $0.method == "DELETE" }.map { "\($0.resource ?? "")/\($0.name ?? "")" }
    }

    func testKubeArmorTeardownDeletesInOrderAndASecondRunIsANoOp() async throws {
        let c = try await startInstalled()
        defer { Task { await c.stop() } }
        // Watches the cluster while the binary runs: whenever the controller's pods are seen,
        // how many requests the server had answered before that look.
        let seen = Samples()
        let emulator = c.emulator
        let monitor = Task {
            while !Task.isCancelled {
                let requests = emulator.requests().count
                let running = emulator.objects("pods", namespace: "kubearmor").contains {
                    $0["metadata"]?["labels"]?["kubearmor-app"]?.stringValue == "kubearmor-controller"
                }
                if running { seen.values.withLock { $0.append(requests) } }
                try? await Task.sleep(nanoseconds: 1_000_000)  // cancellation ends the loop
            }
        }
        let r = try await c.run(["teardown", "--profile", "kubearmor", "--poll-interval", "20ms", "-o", "json"])
        monitor.cancel()
        XCTAssertEqual(r.code, 0, r.stderr + r.stdout)
        let order = deletes(c)
        XCTAssertEqual(order, [
            "mutatingwebhookconfigurations/kubearmor-controller-mutating-webhook-configuration",
            "deployments/kubearmor-controller", "deployments/kubearmor-relay", "daemonsets/kubearmor-apparmor-containerd-98c2c",
            "services/kubearmor", "services/kubearmor-controller-webhook-service", "secrets/\(secret)", "configmaps/kubearmor-config",
            "serviceaccounts/kubearmor", "serviceaccounts/kubearmor-relay", "serviceaccounts/kubearmor-controller", "serviceaccounts/kubearmor-snitch",
            "roles/kubearmor-controller-leader-election-role", "rolebindings/kubearmor-controller-leader-election-rolebinding",
            "clusterrolebindings/kubearmor-clusterrolebinding", "clusterrolebindings/kubearmor-relay-clusterrolebinding",
            "clusterrolebindings/kubearmor-controller-clusterrolebinding", "clusterrolebindings/kubearmor-snitch-binding",
            "clusterroles/kubearmor-clusterrole", "clusterroles/kubearmor-relay-clusterrole", "clusterroles/kubearmor-controller-clusterrole",
            "clusterroles/kubearmor-snitch", "kubearmorconfigs/kubearmorconfig-default", "deployments/kubearmor-operator",
        ])
        // From the request log: the Secret's delete came after a pods list that found the
        // controller's pods gone, and no look after it still saw them.
        let log = c.emulator.requests()
        let secretDelete = try XCTUnwrap(log.firstIndex { $0.method == "DELETE" && $0.name == secret })
        let controllerDelete = try XCTUnwrap(log.firstIndex { $0.method == "DELETE" && $0.name == "kubearmor-controller" })
        XCTAssertTrue(log[controllerDelete..<secretDelete].contains {
            $0.resource == "pods" && $0.verb == "list" && ($0.query["labelSelector"] ?? []).contains("kubearmor-app=kubearmor-controller")
        })
        XCTAssertTrue(seen.values.withLock { $0.allSatisfy { $0 <= secretDelete } }, "controller pods seen after the Secret's delete")
        XCTAssertEqual(seen.values.withLock { $0.isEmpty }, false, "the monitor saw the controller running")
        let report = try r.json()
        XCTAssertEqual(report["kind"], "TeardownReport")
        XCTAssertEqual(report["steps"]?.arrayValue?.compactMap { $0["status"]?.stringValue },
                       ["finished", "finished", "finished", "finished", "finished", "finished", "finished", "finished", "skipped"])
        XCTAssertTrue(c.emulator.objects("pods", namespace: "kubearmor").isEmpty)

        c.emulator.clearRequests()
        let again = try await c.run(["teardown", "--profile", "kubearmor", "--poll-interval", "20ms"])
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertEqual(c.writes().map { "\($0.method) \($0.path)" }, [])
        XCTAssertTrue(again.stdout.contains("8/9 steps finished, 1 skipped"), again.stdout)
    }

    func testGatekeeperTeardownKeepsPolicyWithoutDeleteCRDs() async throws {
        let c = try await startInstalled()
        defer { Task { await c.stop() } }
        let r = try await c.run(["teardown", "--profile", "gatekeeper", "--poll-interval", "20ms"])
        XCTAssertEqual(r.code, 0, r.stderr + r.stdout)
        let order = deletes(c)
        XCTAssertEqual(Array(order.prefix(2)), ["validatingwebhookconfigurations/gatekeeper-validating-webhook-configuration",
                                                "mutatingwebhookconfigurations/gatekeeper-mutating-webhook-configuration"])
        let firstDeployment = try XCTUnwrap(order.firstIndex { $0.hasPrefix("deployments/") })
        XCTAssertEqual(Set(order[2..<firstDeployment]), ["validatingadmissionpolicybindings/gatekeeper-k8srequiredlabels-ns-must-have-owner",
                                                         "validatingadmissionpolicybindings/gatekeeper-k8sallowedrepos-repo-is-openpolicyagent",
                                                         "validatingadmissionpolicies/gatekeeper-k8srequiredlabels"])
        XCTAssertTrue(c.emulator.objects("pods", namespace: "gatekeeper-system").isEmpty)
        XCTAssertNotNil(c.object("constrainttemplates", nil, "k8srequiredlabels"))
        XCTAssertFalse(order.contains { $0.hasPrefix("customresourcedefinitions/") })
    }

    func testDryRunPrintsTheStepsAndWritesNothing() async throws {
        let c = try await startInstalled()
        defer { Task { await c.stop() } }
        let r = try await c.run(["teardown", "--profile", "kubearmor", "--dry-run"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(c.emulator.requests().filter { $0.method != "GET" }.map(\.path), [])
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("STEP") == true, r.stdout)
        let secretLine = try XCTUnwrap(lines.firstIndex { $0.contains("Secret kubearmor/\(secret)") })
        let controllerLine = try XCTUnwrap(lines.firstIndex { $0.contains("Deployment kubearmor/kubearmor-controller") })
        XCTAssertLessThan(controllerLine, secretLine)
        XCTAssertTrue(lines[secretLine].contains("planned"), lines[secretLine])
        XCTAssertTrue(r.stdout.contains("policy-crds") && r.stdout.contains("skipped"), r.stdout)
        XCTAssertTrue(lines.last?.contains("no write sent") == true, r.stdout)
    }

    func testAStepThatCannotFinishTimesOutNamingTheObjectAndFinalizer() async throws {
        let c = try await startInstalled()
        defer { Task { await c.stop() } }
        try c.emulator.seed(["apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": ["name": "held", "namespace": "shop", "finalizers": ["example.com/never"]]])
        let profile = try c.file("held.yaml", """
            apiVersion: kreconcile.io/v1alpha1
            kind: TeardownProfile
            name: held
            namespace: shop
            steps:
            - name: config
              objects: [{kind: ConfigMap, names: [held]}]
              action: delete
              timeout: 300ms
            """)
        let r = try await c.run(["teardown", "--profile", profile, "--poll-interval", "20ms"])
        XCTAssertEqual(r.code, 1, r.stderr + r.stdout)
        XCTAssertTrue(r.stdout.contains("step config: timed-out"), r.stdout)
        XCTAssertTrue(r.stdout.contains("remaining: ConfigMap shop/held (terminating), finalizers: example.com/never"), r.stdout)
        XCTAssertNotNil(c.object("configmaps", "shop", "held"), "a finalizer is never removed silently")

        let forced = try await c.run(["teardown", "--profile", profile, "--poll-interval", "20ms", "--remove-finalizers"])
        XCTAssertEqual(forced.code, 0, forced.stderr + forced.stdout)
        XCTAssertTrue(forced.stderr.contains("removed finalizer example.com/never from ConfigMap shop/held"), forced.stderr)
        XCTAssertNil(c.object("configmaps", "shop", "held"))
    }

    func testBadProfileOrFlagsExitTwoAndSendNothing() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let bad = try c.file("bad.yaml", """
            apiVersion: kreconcile.io/v1alpha1
            kind: TeardownProfile
            name: bad
            namespace: x
            steps:
            - name: webhook
              objects: [{group: admissionregistration.k8s.io, kind: MutatingWebhookConfiguration, names: [w]}]
              action: delete
              waitFor: [podsGone]
            """)
        let r = try await c.run(["teardown", "--profile", bad])
        XCTAssertEqual(r.code, 2)
        XCTAssertEqual(r.stderr, "kreconcile: error: \(bad): steps[0](webhook).waitFor: podsGone needs a workload kind among the objects (Deployment, StatefulSet, ReplicaSet, DaemonSet, Job)\n")
        let unknown = try await c.run(["teardown", "--profile", "kubearmour"])
        XCTAssertEqual(unknown.code, 2)
        XCTAssertTrue(unknown.stderr.contains("\"kubearmour\" is neither a built-in profile (kubearmor, gatekeeper) nor a file"), unknown.stderr)
        let timeout = try await c.run(["teardown", "--profile", "kubearmor", "--timeout", "soon"])
        XCTAssertEqual(timeout.code, 2)
        let both = try await c.run(["teardown"])
        XCTAssertEqual(both.code, 2)
        XCTAssertTrue(c.emulator.requests().isEmpty, "\(c.emulator.requests().map(\.path))")

        let shown = try await c.run(["teardown", "--show-profile", "kubearmor"])
        XCTAssertEqual(shown.code, 0)
        XCTAssertTrue(shown.stdout.contains("kubearmorconfig.operator.kubearmor.com"), shown.stdout)
        let shownFile = try c.file("shown.yaml", shown.stdout)
        let dry = try await c.run(["teardown", "--profile", shownFile, "--dry-run", "--namespace", "elsewhere"])
        XCTAssertEqual(dry.code, 0, dry.stderr)
    }
}

final class Samples: Sendable {
    let values = Mutex<[Int]>([])
}
