import Foundation
import KubeClient
import KubeEmulator
@testable import Reconciler
import XCTest

/// The cursor page decoder must give exactly the records `PodRecord.init(from:)` gives
/// through JSONDecoder (the oracle), on generated pods and on awkward hand-written ones.
final class PodPageDecoderTests: XCTestCase {
    struct Page: Decodable { var metadata: ListMeta?; var items: [PodRecord] }

    func oracle(_ body: Data, retention: SpecRetention?) throws -> [PodRecord] {
        try SpecRetention.$current.withValue(retention) {
            try Interner.$shared.withValue(Interner()) {
                try JSONDecoder().decode(Page.self, from: body).items
            }
        }
    }

    func cursor(_ body: Data, retention: SpecRetention?) throws -> (metadata: ListMeta?, items: [PodRecord]) {
        try PodPageDecoder(kept: PodKeptKeys(optOutKey: Settings.defaultOptOutKey), interner: Interner(), retention: retention).decodePage(body)
    }

    func testGeneratedPodsDecodeAsJSONDecoderDecodesThem() async throws {
        let emulator = KubeEmulator()
        try await emulator.start()
        defer { Task { await emulator.shutdown() } }
        emulator.generate(ClusterSpec(nodes: 4, namespaces: 3, pods: 80, seed: 5, problemRate: 0.3))
        let client = KubeClient(config: ClientConfig(server: emulator.baseURL))
        let body = try await client.send(KubeRequest(method: "GET", path: "/api/v1/pods", query: [.init("limit", "50")])).body
        let projection = SpecProjection(keeping: [try LocationPath(parsing: "containers[name:*].securityContext.allowPrivilegeEscalation")])
        let retentions: [SpecRetention?] = [nil, SpecRetention(namespaces: nil, templates: false, podSpec: projection), .everything]
        for retention in retentions {
            let expected = try oracle(body, retention: retention)
            let got = try cursor(body, retention: retention)
            XCTAssertEqual(expected.count, 50)
            XCTAssertEqual(got.items, expected, "retention \(String(describing: retention))")
            XCTAssertNotNil(got.metadata?.continue)
            XCTAssertNotNil(got.metadata?.resourceVersion)
        }
        XCTAssertTrue(try cursor(body, retention: nil).items.contains { $0.controller != nil && !$0.containers.isEmpty && $0.nodeName != nil })
    }

    /// Escapes, nulls, absent fields, unusual key order, pretty printing, unknown fields.
    func testAwkwardPodsDecodeAsJSONDecoderDecodesThem() throws {
        let page = #"""
        {
          "items" : [
            {"spec": {"containers": [{"name": "a\"b", "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "p\u00e9\ud83d\ude00"}}},
                                     {"name": "c", "securityContext": null, "env": [{"name": "X", "value": "[{\"}]"}]}],
                      "initContainers": null, "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}, "nodeName": "n\/1",
                      "ephemeralContainers": [{"name": "debug", "securityContext": {"appArmorProfile": null}}]},
             "metadata": {"name": "p-1", "namespace": "shop", "uid": "u-1", "resourceVersion": "7", "generation": 3,
                          "creationTimestamp": "2026-01-01T00:00:00Z", "deletionTimestamp": null,
                          "labels": {"app": "x", "kubearmor-app": "kubearmor", "kreconcile.io/skip": "true"},
                          "annotations": {"container.apparmor.security.beta.kubernetes.io/c": "runtime/default", "big": "{\"a\":[1,2,{}]}",
                                          "kreconcile.io/skip": "yes"},
                          "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "n", "uid": "x"},
                                              {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "rs-1", "controller": true, "blockOwnerDeletion": true}],
                          "managedFields": [{"manager": "kubelet", "fieldsV1": {"f:status": {"f:conditions": {}}}}]},
             "status": {"phase": "Running", "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "True"}], "hostIP": "10.0.0.1"},
             "kind": "Pod", "apiVersion": "v1", "extra": [1.5e3, -2, true, false, null, "\\"]},
            {"metadata": {"name": "bare"}},
            {"metadata": {"name": "p-3", "namespace": "other", "labels": null, "annotations": {}}, "spec": null, "status": {"conditions": [{"type": "Ready", "status": "False"}]}}
          ],
          "metadata" : {"resourceVersion": "99", "continue": "", "remainingItemCount": null},
          "kind": "PodList", "apiVersion": "v1"
        }
        """#
        let body = Data(page.utf8)
        let projection = SpecProjection(keeping: [try LocationPath(parsing: "containers[name:*].env"), try LocationPath(parsing: "nodeName")])
        for retention in [nil, SpecRetention(namespaces: ["shop"], templates: false, podSpec: projection), SpecRetention.everything] {
            let got = try cursor(body, retention: retention)
            XCTAssertEqual(got.items, try oracle(body, retention: retention), "retention \(String(describing: retention))")
            XCTAssertEqual(got.metadata?.resourceVersion, "99")
            XCTAssertEqual(got.metadata?.continue, "")
        }
        let first = try cursor(body, retention: nil).items[0]
        XCTAssertEqual(first.containers.map(\.name), ["a\"b", "c"])
        XCTAssertEqual(first.containers[0].appArmorProfile?.localhostProfile, "pé😀")
        XCTAssertEqual(first.nodeName, "n/1")
        XCTAssertEqual(first.meta.labels, ["kubearmor-app": "kubearmor", "kreconcile.io/skip": "true"])
        XCTAssertEqual(first.meta.annotations.keys.sorted(), ["container.apparmor.security.beta.kubernetes.io/c", "kreconcile.io/skip"])
        XCTAssertEqual(first.controller?.name, "rs")
        XCTAssertTrue(first.ready)
        XCTAssertNil(first.admission, "no mutator: no admission view")

        // A pod a mutator reaches: the view has every label and annotation and the projected
        // spec; the record's own labels stay filtered.
        let kept = try cursor(body, retention: SpecRetention(namespaces: ["shop"], templates: false, podSpec: projection)).items
        let view = try XCTUnwrap(kept[0].admission).fields()
        XCTAssertEqual(view.labels, ["app": "x", "kubearmor-app": "kubearmor", "kreconcile.io/skip": "true"])
        XCTAssertEqual(view.annotations["big"], #"{"a":[1,2,{}]}"#)
        XCTAssertEqual(view.spec, ["nodeName": "n/1", "containers": [["name": "a\"b"], ["name": "c", "env": [["name": "X", "value": "[{\"}]"]]]]])
        XCTAssertEqual(kept[0].meta.labels, first.meta.labels)
        XCTAssertNil(kept[2].admission, "a namespace no mutator reaches")

        // Only the keys the mutators read, when the retention names them.
        let narrow = SpecRetention(namespaces: ["shop"], templates: false, podSpec: projection, labelKeys: ["app", "absent"], annotationKeys: ["big"])
        XCTAssertEqual(try cursor(body, retention: narrow).items, try oracle(body, retention: narrow))
        let narrowView = try XCTUnwrap(try cursor(body, retention: narrow).items[0].admission).fields()
        XCTAssertEqual(narrowView.labels, ["app": "x"])
        XCTAssertEqual(Array(narrowView.annotations.keys), ["big"])
    }

    /// What an admission view copies from the page must be JSON: a broken value in a kept
    /// spec field fails the page, as reading it did.
    func testBrokenKeptSpecValueFailsThePage() {
        let text = #"{"items": [{"metadata": {"name": "x", "namespace": "shop"}, "spec": {"hostname": "bad \uZZZZ escape"}}]}"#
        let retention = SpecRetention(namespaces: nil, templates: false, podSpec: SpecProjection(keeping: [try! LocationPath(parsing: "hostname")]))
        XCTAssertThrowsError(try cursor(Data(text.utf8), retention: retention))
        XCTAssertNoThrow(try cursor(Data(text.utf8), retention: nil), "not kept: only delimited, as before")
    }

    func testBrokenPagesFailWithTheByteOffset() {
        let cases = [
            #"{"items": [{"metadata": {"name": "x"}]}"#,           // ] where } belongs
            #"{"items": [{"metadata": {"name": "x}}]}"#,            // unterminated string
            #"{"items": [{"metadata": {"name": 7}}]}"#,             // wrong type where read
            #"{"items": [{"spec": {"containers": [{"image": "x"}]}}]}"#,  // container without name
            #"{"items": []} x"#,
        ]
        for text in cases {
            XCTAssertThrowsError(try cursor(Data(text.utf8), retention: nil), text) { error in
                XCTAssertFalse("\(error)".isEmpty)
            }
            XCTAssertThrowsError(try oracle(Data(text.utf8), retention: nil), "the oracle rejects it too: \(text)")
        }
    }
}

final class CompactTimestampTests: XCTestCase {
    func testTimestampsRoundTripPackedOrAsText() {
        for text in ["2026-03-01T10:00:00Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                     "2026-03-01T10:00:00.5Z", "2026-03-01T10:00:00+01:00", "2026-3-01T10:00:00Z", "", "yesterday"] {
            XCTAssertEqual(CompactTimestamp(text).text, text)
        }
        var pod = PodRecord(meta: MetaRecord(name: "p", uid: "u"), created: "2026-03-01T10:00:00Z")
        XCTAssertEqual(pod.created, "2026-03-01T10:00:00Z")
        pod.created = nil
        XCTAssertNil(pod.created)
    }
}
