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
    private func printableParses() -> Int { StoredObject.printableParses.load(ordering: .relaxed) }

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
        let before = parses(), printedBefore = printableParses()
        let page = try h.get("/api/v1/pods?limit=10", accept: Self.table)
        let withObjects = try h.get("/api/v1/pods?limit=10&includeObject=Object", accept: Self.table)
        XCTAssertEqual(parses() - before, 0, "Table rows must not parse whole stored objects")
        XCTAssertEqual(printableParses() - printedBefore, 0, "generated objects' cells are printed at store time")
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
        // The cells printed at store time are what the printer gives for the object now
        // (ages are filled in when served; generated objects are days old, so both agree).
        XCTAssertEqual(rows.map { $0["cells"] }, pods.map { .array(CorePrinters.podCells($0)) })
        let age = try XCTUnwrap(columns.firstIndex { $0["name"] == "Age" })
        XCTAssertEqual(rows.first?["cells"]?[age]?.stringValue, HumanDuration.since(pods.first?.meta("creationTimestamp")))
        XCTAssertTrue(rows.allSatisfy { $0["cells"]?[age]?.stringValue?.hasSuffix("d") == true }, "generated pods are days old")
        let objectRows = withObjects.json["rows"]?.arrayValue ?? []
        XCTAssertEqual(objectRows.first?["object"]?["kind"], "Pod")
        XCTAssertEqual(objectRows.first?["object"]?["spec"], pods.first?["spec"])
        await h.stop()
    }

    /// Every printed kind the generator makes: the stored cells equal a live print.
    func testStoredCellsOfEveryGeneratedKindMatchTheLivePrinters() async throws {
        let h = try await Harness()
        h.emulator.generate(try ClusterSpec(parsing: "pods=40,nodes=3,namespaces=2,seed=5,problems=0.5"))
        let printedBefore = printableParses()
        for path in ["/api/v1/nodes", "/api/v1/namespaces", "/apis/apps/v1/deployments", "/apis/apps/v1/replicasets",
                     "/apis/apps/v1/daemonsets", "/apis/apps/v1/statefulsets", "/apis/policy/v1/poddisruptionbudgets",
                     "/api/v1/serviceaccounts", "/api/v1/services", "/api/v1/configmaps"] {
            let table = try h.get(path, accept: Self.table)
            XCTAssertEqual(table.status, 200, path)
            let full = try h.get(path).json["items"]?.arrayValue ?? []
            let resource = String(path.split(separator: "/").last!)
            let rt = try XCTUnwrap(BuiltInResources.all.first { $0.plural == resource }, path)
            let printer = TableConvertor.printer(for: rt, crd: nil)
            let expected = full.map { o -> JSONValue in
                var o = o
                o["apiVersion"] = .string(rt.groupVersion)
                o["kind"] = .string(rt.kind)
                return .array(printer.cells(o))
            }
            XCTAssertEqual((table.json["rows"]?.arrayValue ?? []).map { $0["cells"] }, expected, path)
        }
        XCTAssertEqual(printableParses() - printedBefore, 0)
        await h.stop()
    }

    /// asTable (apiserver handlers/response.go): None sets the row's object to nil, which
    /// the RawExtension encodes as null; Metadata is the default; anything else is 400.
    func testIncludeObjectNoneWritesNullAndUnknownPoliciesAre400() async throws {
        let h = try await generated(pods: 10)
        let none = try h.get("/api/v1/pods?limit=3&includeObject=None", accept: Self.table)
        XCTAssertEqual(none.status, 200, none.text)
        let rows = none.json["rows"]?.arrayValue ?? []
        XCTAssertEqual(rows.count, 3)
        XCTAssertTrue(rows.allSatisfy { $0.objectValue?.keys.contains("object") == true && $0["object"] == .null }, none.text)
        let metadata = try h.get("/api/v1/pods?limit=3&includeObject=Metadata", accept: Self.table)
        XCTAssertEqual(metadata.json["rows"]?[0]?["object"]?["kind"], "PartialObjectMetadata")
        XCTAssertEqual(try h.get("/api/v1/pods?limit=3&includeObject=All", accept: Self.table).status, 400)
        await h.stop()
    }

    /// A row printed ahead of time fills its ages in when served.
    func testPrintedRowFillsAgesWhenServed() throws {
        let pod: JSONValue = [
            "metadata": ["name": "p", "creationTimestamp": "2026-01-01T00:00:00Z"],
            "spec": ["containers": [["name": "c"]]],
            "status": ["phase": "Running", "containerStatuses": [[
                "name": "c", "ready": true, "restartCount": 2, "state": ["running": [:]],
                "lastState": ["terminated": ["finishedAt": "2026-01-01T01:00:00Z"]]]]],
        ]
        let row = PrintedRow(CorePrinters.pod, pod)
        let start = try XCTUnwrap(HumanDuration.parse("2026-01-01T00:00:00Z")).timeIntervalSince1970
        func cells(_ now: Double) throws -> [JSONValue] {
            var out = Data(), ages: [Double: [UInt8]] = [:]
            row.write(into: &out, now: now, ages: &ages)
            return try XCTUnwrap(JSONTreeParser.parse(out)?.arrayValue)
        }
        let early = try cells(start + 4 * 3600), late = try cells(start + 3 * 86400)
        XCTAssertEqual(early[3], "2 (3h ago)")
        XCTAssertEqual(early[4], "4h")
        XCTAssertEqual(late[3], "2 (2d23h ago)")
        XCTAssertEqual(late[4], "3d")
        XCTAssertEqual(early[0], "p")
        XCTAssertEqual(early[1], "1/1")
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
