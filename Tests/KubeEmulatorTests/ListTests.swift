import KubeClient
import XCTest

@testable import KubeEmulator

final class ListTests: XCTestCase {
    func seeded() async throws -> Harness {
        let h = try await Harness()
        _ = try h.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team-a"]])
        for i in 0..<5 {
            _ = try h.post("/api/v1/namespaces/default/configmaps", configMap("cm-\(i)", labels: ["app": i % 2 == 0 ? "even" : "odd", "n": .string(String(i))]))
        }
        _ = try h.post("/api/v1/namespaces/team-a/configmaps", configMap("other", namespace: "team-a", labels: ["app": "even"]))
        return h
    }

    func testPaginationAcrossPages() async throws {
        let h = try await seeded()
        let first = try h.get("/api/v1/configmaps?limit=2")
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.json["kind"], "ConfigMapList")
        XCTAssertEqual(first.json["apiVersion"], "v1")
        XCTAssertEqual(first.json["items"]?.arrayValue?.map { $0["metadata"]?["name"] }, ["cm-0", "cm-1"])
        XCTAssertEqual(first.json["metadata"]?["remainingItemCount"], 4)
        let listRV = first.json["metadata"]?["resourceVersion"]
        XCTAssertNotNil(listRV?.stringValue)
        var names: [String] = first.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
        var token = first.json["metadata"]?["continue"]?.stringValue
        var pages = 1
        while let t = token {
            let page = try h.get("/api/v1/configmaps?limit=2&continue=\(t)")
            XCTAssertEqual(page.status, 200)
            XCTAssertEqual(page.json["metadata"]?["resourceVersion"], listRV, "pages keep the first page's resourceVersion")
            names += page.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
            token = page.json["metadata"]?["continue"]?.stringValue
            pages += 1
        }
        XCTAssertEqual(pages, 3)
        XCTAssertEqual(names, ["cm-0", "cm-1", "cm-2", "cm-3", "cm-4", "other"], "sorted by namespace/name")

        let scoped = try h.get("/api/v1/namespaces/team-a/configmaps")
        XCTAssertEqual(scoped.json["items"]?.arrayValue?.count, 1)
        XCTAssertNil(scoped.json["metadata"]?["continue"])
        XCTAssertNil(scoped.json["items"]?[0]?["kind"], "typed list items carry no kind")
        await h.stop()
    }

    func testContinueTokenExpiryAndGarbage() async throws {
        let h = try await seeded()
        let first = try h.get("/api/v1/namespaces/default/configmaps?limit=2")
        let token = first.json["metadata"]?["continue"]?.stringValue ?? ""
        XCTAssertFalse(token.isEmpty)
        let garbage = try h.get("/api/v1/namespaces/default/configmaps?limit=2&continue=%%%garbage")
        XCTAssertEqual(garbage.status, 400)
        XCTAssertEqual(garbage.json["reason"], "BadRequest")

        h.emulator.expireContinueTokens()
        let expired = try h.get("/api/v1/namespaces/default/configmaps?limit=2&continue=\(token)")
        XCTAssertEqual(expired.status, 410)
        XCTAssertEqual(expired.json["reason"], "Expired")
        XCTAssertEqual(expired.json["code"], 410)
        XCTAssertEqual(expired.json["message"], .string(ContinueToken.expiredMessage))
        // Tokens issued after the expiry keep working.
        let fresh = try h.get("/api/v1/namespaces/default/configmaps?limit=2")
        let next = try h.get("/api/v1/namespaces/default/configmaps?limit=2&continue=\(fresh.json["metadata"]?["continue"]?.stringValue ?? "")")
        XCTAssertEqual(next.status, 200)
        XCTAssertEqual(next.json["items"]?.arrayValue?.count, 2)
        await h.stop()
    }

    func testSelectors() async throws {
        let h = try await seeded()
        func names(_ query: String) throws -> [String] {
            let r = try h.get("/api/v1/configmaps?" + query)
            XCTAssertEqual(r.status, 200, r.text)
            return r.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
        }
        XCTAssertEqual(try names("labelSelector=app%3Deven"), ["cm-0", "cm-2", "cm-4", "other"])
        XCTAssertEqual(try names("labelSelector=app!%3Deven"), ["cm-1", "cm-3"])
        XCTAssertEqual(try names("labelSelector=n%20in%20(1,3,4)"), ["cm-1", "cm-3", "cm-4"])
        XCTAssertEqual(try names("labelSelector=n%20notin%20(1,3,4),app"), ["cm-0", "cm-2", "other"])
        XCTAssertEqual(try names("labelSelector=!n"), ["other"])
        XCTAssertEqual(try names("fieldSelector=metadata.namespace%3Dteam-a"), ["other"])
        XCTAssertEqual(try names("fieldSelector=metadata.name!%3Dcm-0,metadata.namespace%3D%3Ddefault"), ["cm-1", "cm-2", "cm-3", "cm-4"])
        XCTAssertEqual(try h.get("/api/v1/configmaps?fieldSelector=spec.x%3D1").status, 400)
        let filteredPage = try h.get("/api/v1/configmaps?labelSelector=app%3Deven&limit=1")
        XCTAssertNotNil(filteredPage.json["metadata"]?["continue"])
        XCTAssertNil(filteredPage.json["metadata"]?["remainingItemCount"], "no count for filtered lists")
        await h.stop()
    }

    func testMetadataOnlyListAndGet() async throws {
        let h = try await seeded()
        let accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json"
        let list = try h.get("/api/v1/namespaces/default/configmaps?limit=2", accept: accept)
        XCTAssertEqual(list.json["kind"], "PartialObjectMetadataList")
        XCTAssertEqual(list.json["apiVersion"], "meta.k8s.io/v1")
        XCTAssertNotNil(list.json["metadata"]?["continue"])
        XCTAssertNil(list.json["metadata"]?["remainingItemCount"])
        let item = list.json["items"]?[0]
        XCTAssertEqual(item?["kind"], "PartialObjectMetadata")
        XCTAssertEqual(item?["metadata"]?["name"], "cm-0")
        XCTAssertNil(item?["data"])
        let one = try h.get("/api/v1/namespaces/default/configmaps/cm-1", accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
        XCTAssertEqual(one.json["kind"], "PartialObjectMetadata")
        XCTAssertEqual(Set(one.json.objectValue?.keys.map { $0 } ?? []), ["kind", "apiVersion", "metadata"])
        let table = try h.get("/api/v1/configmaps", accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
        XCTAssertEqual(table.json["kind"], "Table")
        XCTAssertEqual(table.json["rows"]?.arrayValue?.count, 6)
        await h.stop()
    }

    func testDeleteCollectionAndNamespaceDeletion() async throws {
        let h = try await seeded()
        let removed = try h.delete("/api/v1/namespaces/default/configmaps?labelSelector=app%3Dodd")
        XCTAssertEqual(removed.status, 200)
        XCTAssertEqual(removed.json["items"]?.arrayValue?.count, 2)
        XCTAssertEqual(h.emulator.objects("configmaps", namespace: "default").count, 3)
        let ns = try h.delete("/api/v1/namespaces/team-a")
        XCTAssertEqual(ns.json["kind"], "Namespace")
        XCTAssertEqual(ns.json["status"]?["phase"], "Terminating")
        XCTAssertEqual(h.emulator.objects("configmaps", namespace: "team-a").count, 1, "until the namespace controller runs")
        h.emulator.settle()
        XCTAssertEqual(h.emulator.objects("configmaps", namespace: "team-a").count, 0)
        XCTAssertNil(h.emulator.object("namespaces", namespace: nil, name: "team-a"))
        await h.stop()
    }
}
