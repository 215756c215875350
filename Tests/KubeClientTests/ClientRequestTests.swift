import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// The client against the emulator over real HTTP: every verb, every Status code it must decode.
final class ClientRequestTests: XCTestCase {
    func testCreateGetUpdateConflictAndDelete() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        let client = h.client()
        let created = try await client.create(.configMaps, namespace: "default", body: configMap("app", data: ["a": "1"]))
        let rv = try XCTUnwrap(created["metadata"]?["resourceVersion"]?.stringValue)
        let uid = try XCTUnwrap(created["metadata"]?["uid"]?.stringValue)
        let fetched: JSONValue = try await client.get(.configMaps, namespace: "default", name: "app")
        XCTAssertEqual(fetched["data"]?["a"], "1")

        // AlreadyExists
        let exists = await expectAPIError { _ = try await client.create(.configMaps, namespace: "default", body: configMap("app")) }
        XCTAssertEqual(exists?.code, 409)
        XCTAssertEqual(exists?.reason, "AlreadyExists")

        // Update with the current resourceVersion, then a stale one -> 409 Conflict.
        var body = fetched
        body["data"] = ["a": "2"]
        let updated = try await client.update(.configMaps, namespace: "default", name: "app", body: body)
        XCTAssertNotEqual(updated["metadata"]?["resourceVersion"]?.stringValue, rv)
        let conflict = await expectAPIError { _ = try await client.update(.configMaps, namespace: "default", name: "app", body: body) }
        XCTAssertEqual(conflict?.code, 409)
        XCTAssertEqual(conflict?.reason, "Conflict")

        // Delete with a wrong uid precondition -> 409; with the right one -> Status.
        let pre = await expectAPIError {
            _ = try await client.delete(.configMaps, namespace: "default", name: "app", options: DeleteOptions(preconditionUID: "not-the-uid"))
        }
        XCTAssertEqual(pre?.code, 409)
        let result = try await client.delete(.configMaps, namespace: "default", name: "app", options: DeleteOptions(preconditionUID: uid))
        guard case .status(let status) = result else { return XCTFail("a ConfigMap delete answers a Status, got \(result)") }
        XCTAssertEqual(status.status, "Success")
        let gone = await expectAPIError { let _: JSONValue = try await client.get(.configMaps, namespace: "default", name: "app") }
        XCTAssertEqual(gone?.code, 404)
        XCTAssertEqual(gone?.reason, "NotFound")
        XCTAssertEqual(gone?.message, "configmaps \"app\" not found")
    }

    func testThePatchTypesAndTheirFailures() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        let client = h.client()
        let deployment: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "namespace": "default"],
            "spec": [
                "replicas": 1, "selector": ["matchLabels": ["app": "web"]],
                "template": [
                    "metadata": ["labels": ["app": "web"]],
                    "spec": ["containers": [["name": "web", "image": "nginx:1"], ["name": "sidecar", "image": "envoy:1"]]],
                ],
            ],
        ]
        let created = try await client.create(.deployments, namespace: "default", body: deployment)
        let rv = try XCTUnwrap(created["metadata"]?["resourceVersion"]?.stringValue)

        // Strategic merge: containers merge by name; the sidecar survives.
        let smp = try await client.patch(.deployments, namespace: "default", name: "web", patch: .strategicMerge(
            ["spec": ["template": ["spec": ["containers": [["name": "web", "image": "nginx:2"]]]]]]))
        let containers = try XCTUnwrap(smp.value(at: ["spec", "template", "spec", "containers"])?.arrayValue)
        XCTAssertEqual(containers.count, 2)
        XCTAssertEqual(containers.first { $0["name"] == "web" }?["image"], "nginx:2")
        XCTAssertEqual(containers.first { $0["name"] == "sidecar" }?["image"], "envoy:1")

        // JSON patch whose test op still expects the old resourceVersion: 422, nothing changed.
        let failed = await expectAPIError {
            _ = try await client.patch(.deployments, namespace: "default", name: "web",
                                       patch: .json([.test("/metadata/resourceVersion", .string(rv)), .replace("/spec/replicas", 3)]))
        }
        XCTAssertEqual(failed?.code, 422)
        let after: JSONValue = try await client.get(.deployments, namespace: "default", name: "web")
        XCTAssertEqual(after.value(at: ["spec", "replicas"])?.intValue, 1)

        // JSON patch with the current resourceVersion succeeds; merge patch adds a label.
        let current = try XCTUnwrap(after["metadata"]?["resourceVersion"]?.stringValue)
        let jp = try await client.patch(.deployments, namespace: "default", name: "web",
                                        patch: .json([.test("/metadata/resourceVersion", .string(current)), .replace("/spec/replicas", 3)]))
        XCTAssertEqual(jp.value(at: ["spec", "replicas"])?.intValue, 3)
        let mp = try await client.patch(.deployments, namespace: "default", name: "web", patch: .merge(["metadata": ["labels": ["team": "a"]]]))
        XCTAssertEqual(mp.value(at: ["metadata", "labels", "team"]), "a")

        // Strategic merge on a custom resource: 415, like the real server.
        h.emulator.register(ResourceType(group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true, builtIn: false))
        let widgets = ResourceDescriptor(group: "example.com", version: "v1", plural: "widgets", kind: "Widget", namespaced: true)
        _ = try await client.create(widgets, namespace: "default", body: ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"]])
        let unsupported = await expectAPIError {
            _ = try await client.patch(widgets, namespace: "default", name: "w", patch: .strategicMerge(["spec": ["a": 1]]))
        }
        XCTAssertEqual(unsupported?.code, 415)

        // Every write carried fieldManager=kreconcile.
        let patches = h.emulator.requests().filter { $0.method == "PATCH" }
        XCTAssertEqual(patches.count, 5)
        XCTAssertTrue(patches.allSatisfy { $0.query["fieldManager"] == ["kreconcile"] })
    }

    func testDryRunWritesPersistNothing() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        let client = h.client()
        let dry = try await client.create(.configMaps, namespace: "default", body: configMap("ghost"), dryRun: true)
        XCTAssertNotNil(dry["metadata"]?["uid"])
        XCTAssertNil(h.emulator.object("configmaps", namespace: "default", name: "ghost"))
        XCTAssertEqual(h.emulator.requests().last?.query["dryRun"], ["All"])
    }

    func testEvictionAndPodDeleteReturnTheirRealShapes() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        let client = h.client()
        for name in ["p1", "p2"] {
            _ = try await client.create(.pods, namespace: "default", body: [
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)],
                "spec": ["containers": [["name": "c", "image": "busybox"]]],
            ])
        }
        let deleted = try await client.delete(.pods, namespace: "default", name: "p1")
        guard case .object(let pod) = deleted else { return XCTFail("a Pod delete answers the pod, got \(deleted)") }
        XCTAssertEqual(pod["metadata"]?["name"], "p1")

        _ = try await client.evict(namespace: "default", name: "p2", dryRun: true)
        XCTAssertNotNil(h.emulator.object("pods", namespace: "default", name: "p2"), "a dry-run eviction keeps the pod")
        _ = try await client.evict(namespace: "default", name: "p2")
        XCTAssertNil(h.emulator.object("pods", namespace: "default", name: "p2"))
        let missing = await expectAPIError { _ = try await client.evict(namespace: "default", name: "p2") }
        XCTAssertEqual(missing?.code, 404)
    }

    func testDiscoveryIsCachedAndAnswersWhatIsServed() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        let client = h.client()
        let deployments = try await client.discover(group: "apps", version: "v1", plural: "deployments")
        XCTAssertEqual(deployments?.kind, "Deployment")
        XCTAssertEqual(deployments?.namespaced, true)
        let version = try await client.firstServedVersion(group: "admissionregistration.k8s.io", among: ["v1", "v1beta1"])
        XCTAssertEqual(version, "v1")
        let kubearmor = try await client.discover(group: "operator.kubearmor.com", version: "v1", plural: "kubearmorconfigs")
        XCTAssertNil(kubearmor)
        _ = try await client.discover(group: "apps", version: "v1", plural: "daemonsets")
        let discoveryCalls = h.emulator.requests().filter { $0.path == "/api" || $0.path == "/apis" }
        XCTAssertEqual(discoveryCalls.count, 2, "groups fetched once per client")
        XCTAssertEqual(h.emulator.requests().filter { $0.path == "/apis/apps/v1" }.count, 1)
    }

    func testUnknownGroupPlainText404IsAClearError() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        let client = h.client()
        let error = await expectAPIError { _ = try await client.get(path: "/apis/nope.example/v1", as: JSONValue.self) }
        XCTAssertEqual(error?.code, 404)
        XCTAssertNil(error?.status)
        XCTAssertTrue(error?.description.contains("404 page not found") ?? false, error?.description ?? "")
    }
}
