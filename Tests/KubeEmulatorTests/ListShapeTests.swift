import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// Metadata-only and Table lists, selectors and key order, on generated (bytes-only)
/// objects: none of these paths may parse a stored object into a tree.
final class ListShapeTests: XCTestCase {
    static let metadataList = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
    static let table = "application/json;as=Table;g=meta.k8s.io;v=v1"

    private func generated(pods: Int = 60) async throws -> Harness {
        let h = try await Harness()
        h.emulator.generate(try ClusterSpec(parsing: "pods=\(pods),nodes=3,namespaces=2,seed=3"))
        return h
    }

    private func parses() -> Int { StoredObject.treeParses.load(ordering: .relaxed) }

    func testMetadataOnlyPagesSpliceStoredMetadataWithoutParsing() async throws {
        let h = try await generated()
        let before = parses()
        let page = try h.get("/api/v1/pods?limit=25", accept: Self.metadataList)
        let one = try h.get("/api/v1/namespaces/kube-system/pods", accept: Self.metadataList)
        XCTAssertEqual(parses() - before, 0, "metadata-only lists must not parse stored objects")
        XCTAssertEqual(page.status, 200, page.text)
        XCTAssertEqual(page.json["kind"], "PartialObjectMetadataList")
        XCTAssertEqual(page.json["apiVersion"], "meta.k8s.io/v1")
        XCTAssertNotNil(page.json["metadata"]?["continue"], "a limited metadata list keeps continue")
        XCTAssertNil(page.json["metadata"]?["remainingItemCount"], "but drops remainingItemCount (FACTS)")
        let items = page.json["items"]?.arrayValue ?? []
        XCTAssertEqual(items.count, 25)
        XCTAssertTrue(items.allSatisfy { $0["kind"] == "PartialObjectMetadata" && $0["apiVersion"] == "meta.k8s.io/v1" })
        XCTAssertEqual(one.status, 200)

        // The same metadata as the full page, field for field.
        let full = try h.get("/api/v1/pods?limit=25")
        XCTAssertEqual(items.map { $0["metadata"] }, full.json["items"]?.arrayValue?.map { $0["metadata"] })
        XCTAssertNotNil(full.json["metadata"]?["remainingItemCount"])

        // A single object as PartialObjectMetadata.
        let first = try XCTUnwrap(full.json["items"]?[0])
        let get = try h.get("/api/v1/namespaces/\(first.namespace)/pods/\(first.name)",
                            accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
        XCTAssertEqual(get.json["kind"], "PartialObjectMetadata")
        XCTAssertEqual(get.json["metadata"], first["metadata"])
        await h.stop()
    }

    func testTablePagesSpliceMetadataAndPrintWithoutFullParses() async throws {
        let h = try await generated()
        let before = parses()
        let page = try h.get("/api/v1/pods?limit=10", accept: Self.table)
        let withObjects = try h.get("/api/v1/pods?limit=10&includeObject=Object", accept: Self.table)
        XCTAssertEqual(parses() - before, 0, "Table rows must not parse whole stored objects")
        XCTAssertEqual(page.status, 200, page.text)
        XCTAssertEqual(page.json["kind"], "Table")
        let columns = page.json["columnDefinitions"]?.arrayValue ?? []
        XCTAssertEqual(columns.first?["name"], "Name")
        let rows = page.json["rows"]?.arrayValue ?? []
        XCTAssertEqual(rows.count, 10)
        XCTAssertNotNil(page.json["metadata"]?["continue"])

        let full = try h.get("/api/v1/pods?limit=10")
        let pods = full.json["items"]?.arrayValue ?? []
        for (row, pod) in zip(rows, pods) {
            XCTAssertEqual(row["cells"]?.arrayValue?.count, columns.count)
            XCTAssertEqual(row["cells"]?[0], .string(pod.name))
            let node = try XCTUnwrap(columns.firstIndex { $0["name"] == "Node" })
            XCTAssertEqual(row["cells"]?[node]?.stringValue, pod["spec"]?["nodeName"]?.stringValue ?? "<none>", "read from spec")
            XCTAssertEqual(row["object"]?["kind"], "PartialObjectMetadata")
            XCTAssertEqual(row["object"]?["metadata"], pod["metadata"])
        }
        let objectRows = withObjects.json["rows"]?.arrayValue ?? []
        XCTAssertEqual(objectRows.first?["object"]?["kind"], "Pod")
        XCTAssertEqual(objectRows.first?["object"]?["spec"], pods.first?["spec"])
        await h.stop()
    }

    func testSelectorsReadStoredBytesAndMatchLikeTheParsedObjects() async throws {
        let h = try await generated(pods: 80)
        let all = h.emulator.objects("pods", namespace: nil)
        let node = try XCTUnwrap(all.compactMap { $0["spec"]?["nodeName"]?.stringValue }.first)
        let (labelKey, labelValue) = try XCTUnwrap(all.compactMap { $0.labels.first(where: { $0.key != "pod-template-hash" }) }.first)

        let before = parses()
        let byField = try h.get("/api/v1/pods?fieldSelector=spec.nodeName%3D\(node)")
        let byLabel = try h.get("/api/v1/pods?labelSelector=\(labelKey)%3D\(labelValue)")
        let notOnNode = try h.get("/api/v1/pods?fieldSelector=spec.nodeName!%3D\(node),metadata.namespace%3Dkube-system")
        XCTAssertEqual(parses() - before, 0, "selectors must not parse stored objects")

        func names(_ r: HTTPResult) -> [String] { (r.json["items"]?.arrayValue ?? []).map(\.name) }
        XCTAssertEqual(names(byField), all.filter { $0["spec"]?["nodeName"]?.stringValue == node }.map(\.name))
        XCTAssertEqual(names(byLabel), all.filter { $0.labels[labelKey] == labelValue }.map(\.name))
        XCTAssertEqual(names(notOnNode), all.filter { $0["spec"]?["nodeName"]?.stringValue != node && $0.namespace == "kube-system" }.map(\.name))
        XCTAssertFalse(names(byField).isEmpty)
        XCTAssertFalse(names(byLabel).isEmpty)
        await h.stop()
    }

    func testInsertsAndDeletesKeepTheOrderWithoutResorting() async throws {
        let h = try await Harness()
        for i in 0..<30 { try h.emulator.seed(configMap(String(format: "cm-%02d", i))) }
        let sorts = ResourceBucket.fullSorts.load(ordering: .relaxed)
        let first = try h.get("/api/v1/namespaces/default/configmaps?limit=10")
        let token = try XCTUnwrap(first.json["metadata"]?["continue"]?.stringValue)
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/configmaps", configMap("cm-15x")).status, 201)
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/configmaps", configMap("cm-03x")).status, 201)
        XCTAssertEqual(try h.delete("/api/v1/namespaces/default/configmaps/cm-12").status, 200)
        let second = try h.get("/api/v1/namespaces/default/configmaps?limit=10&continue=\(token)")
        XCTAssertEqual((second.json["items"]?.arrayValue ?? []).map(\.name),
                       ["cm-10", "cm-11", "cm-13", "cm-14", "cm-15", "cm-15x", "cm-16", "cm-17", "cm-18", "cm-19"])
        let everything = (try h.get("/api/v1/namespaces/default/configmaps").json["items"]?.arrayValue ?? []).map(\.name)
        XCTAssertEqual(everything, everything.sorted())
        XCTAssertEqual(everything.count, 31)
        XCTAssertEqual(ResourceBucket.fullSorts.load(ordering: .relaxed) - sorts, 0, "single writes must not force a full sort")
        await h.stop()
    }

    func testBulkLoadSortsOnceThenWritesKeepOrder() async throws {
        let h = try await generated(pods: 40)
        let sorts = ResourceBucket.fullSorts.load(ordering: .relaxed)
        _ = try h.get("/api/v1/pods?limit=5")
        XCTAssertEqual(ResourceBucket.fullSorts.load(ordering: .relaxed) - sorts, 1, "the generated bucket sorts once")
        XCTAssertEqual(try h.post("/api/v1/namespaces/default/pods", runningPod("aaa-first")).status, 201)
        let names = (try h.get("/api/v1/namespaces/default/pods").json["items"]?.arrayValue ?? []).map(\.name)
        XCTAssertEqual(names.first, "aaa-first")
        XCTAssertEqual(names, names.sorted())
        XCTAssertEqual(ResourceBucket.fullSorts.load(ordering: .relaxed) - sorts, 1)
        await h.stop()
    }

    /// Table ages parse the server's timestamps by position; they must agree with Foundation.
    func testTimestampsParseLikeFoundation() throws {
        for text in ["2026-01-02T15:04:05Z", "1999-12-31T23:59:59Z", "2024-02-29T00:00:00Z", "2026-01-02T15:04:05.123456Z"] {
            let expected = try XCTUnwrap((try? Date(text, strategy: .iso8601))
                ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))))
            let parsed = try XCTUnwrap(HumanDuration.parse(text), text)
            XCTAssertEqual(parsed.timeIntervalSince1970, expected.timeIntervalSince1970, accuracy: 0.001, text)
        }
        XCTAssertNotNil(HumanDuration.parse("2026-01-02T15:04:05+02:00"), "offsets still parse (through Foundation)")
        XCTAssertNil(HumanDuration.parse("2026-13-02T15:04:05Z"))
    }
}
