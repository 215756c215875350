import Foundation
import KubeClient
import KubeEmulator
@testable import Reconciler
import XCTest

/// The cursor page decoder must give exactly the records `WorkloadRecord.init(from:)`
/// gives through JSONDecoder (the oracle), on generated workloads and awkward ones.
final class WorkloadPageDecoderTests: XCTestCase {
    struct Page: Decodable { var metadata: ListMeta?; var items: [WorkloadRecord] }

    func oracle(_ body: Data, retention: SpecRetention?) throws -> [WorkloadRecord] {
        try SpecRetention.$current.withValue(retention) { try JSONDecoder().decode(Page.self, from: body).items }
    }

    func cursor(_ body: Data, retention: SpecRetention?) throws -> (metadata: ListMeta?, items: [WorkloadRecord]) {
        try WorkloadPageDecoder(retention: retention).decodePage(body)
    }

    static let retentions: [SpecRetention?] = [nil, SpecRetention(namespaces: ["shop-0"], templates: true), .everything,
                                               SpecRetention(namespaces: nil, templates: false)]

    func testGeneratedWorkloadsDecodeAsJSONDecoderDecodesThem() async throws {
        let emulator = KubeEmulator()
        try await emulator.start()
        defer { Task { await emulator.shutdown() } }
        emulator.generate(ClusterSpec(nodes: 4, namespaces: 3, pods: 120, daemonsets: 2, statefulsets: 2, seed: 5, problemRate: 0.3))
        let client = KubeClient(config: ClientConfig(server: emulator.baseURL))
        for path in ["/apis/apps/v1/deployments", "/apis/apps/v1/daemonsets", "/apis/apps/v1/statefulsets"] {
            let body = try await client.send(KubeRequest(method: "GET", path: path, query: [.init("limit", "10")])).body
            for retention in Self.retentions {
                let expected = try oracle(body, retention: retention)
                XCTAssertFalse(expected.isEmpty, path)
                XCTAssertEqual(try cursor(body, retention: retention).items, expected, "\(path), retention \(String(describing: retention))")
            }
            let got = try cursor(body, retention: .everything).items
            XCTAssertTrue(got.allSatisfy { !$0.containers.isEmpty && $0.templateSpec != nil && !$0.meta.uid.isEmpty }, path)
        }
    }

    /// Escapes, nulls, absent fields, key order, unknown fields, kept env, every owner reference.
    func testAwkwardWorkloadsDecodeAsJSONDecoderDecodesThem() throws {
        let page = #"""
        {"items": [
          {"status": {"replicas": 3, "readyReplicas": null, "updateRevision": "r\u0032", "conditions": [{"type": "Available"}]},
           "spec": {"template": {"spec": {"containers": [{"name": "op", "image": "kubearmor/kubearmor-operator:v1",
                                                            "env": [{"name": "RELATED_IMAGE_KUBEARMOR", "value": "kubearmor/kubearmor:v1"},
                                                                    {"name": "RELATED_IMAGE_X"}, {"name": "OTHER", "value": "s3cr3t"}],
                                                            "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "p"}}}],
                                          "initContainers": null, "volumes": [{"name": "v", "emptyDir": {}}]},
                                 "metadata": {"labels": {"app": "a\"b"}, "annotations": null}},
                    "selector": {"matchLabels": {"app": "a\"b"}, "matchExpressions": []}, "replicas": 2, "paused": true},
           "metadata": {"name": "op", "namespace": "shop-0", "uid": "u", "resourceVersion": "5", "generation": 4,
                        "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "x", "uid": "1"},
                                            {"apiVersion": "apps/v1", "kind": "Y", "name": "y", "uid": "2", "controller": true, "blockOwnerDeletion": false}],
                        "managedFields": [{"manager": "m"}]},
           "kind": "Deployment", "apiVersion": "apps/v1"},
          {"metadata": {"name": "bare", "labels": null}, "spec": null, "status": null}
        ], "metadata": {"continue": "", "resourceVersion": "9"}}
        """#
        let body = Data(page.utf8)
        for retention in Self.retentions {
            XCTAssertEqual(try cursor(body, retention: retention).items, try oracle(body, retention: retention), "retention \(String(describing: retention))")
        }
        let op = try cursor(body, retention: nil).items[0]
        XCTAssertEqual(op.containers.first?.env, ["RELATED_IMAGE_KUBEARMOR": "kubearmor/kubearmor:v1"], "only RELATED_IMAGE_ literals")
        XCTAssertEqual(op.meta.ownerReferences.count, 2)
        XCTAssertEqual(op.status.updateRevision, "r2")
        XCTAssertEqual(op.selector, ["app": "a\"b"])
        XCTAssertTrue(op.paused)
        XCTAssertNil(op.templateSpec)
    }

    func testBrokenPagesFail() {
        for text in [#"{"items": [{"spec": {}}]}"#, #"{"items": [{"metadata": {"name": "x"}, "spec": {"replicas": 1.5}}]}"#,
                     #"{"items": [{"metadata": {"name": "x", "ownerReferences": [{"kind": "X"}]}}]}"#,
                     #"{"items": [{"metadata": {"name": "x"}, "spec": {"template": {"spec": {"containers": [{"image": "i"}]}}}}]}"#] {
            XCTAssertThrowsError(try cursor(Data(text.utf8), retention: nil), text)
            XCTAssertThrowsError(try oracle(Data(text.utf8), retention: nil), "the oracle rejects it too: \(text)")
        }
    }
}
