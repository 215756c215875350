import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// A compact model: only the fields a caller needs are decoded from each page.
struct NameOnly: Decodable, Sendable {
    struct Meta: Decodable, Sendable { var name: String; var namespace: String? }
    var metadata: Meta
}

final class ClientListTests: XCTestCase {
    func seedConfigMaps(_ h: Harness, count: Int, size: Int = 0) throws {
        let filler = String(repeating: "x", count: size)
        for i in 0..<count {
            try h.emulator.seed(configMap(String(format: "cm-%05d", i), data: size > 0 ? ["blob": filler] : [:]))
        }
    }

    func testPaginationAcrossManyPages() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        try seedConfigMaps(h, count: 1234)
        let pages = PageCounter()
        let result = try await h.client(pageSize: 100).list(.configMaps, namespace: "default", as: NameOnly.self,
                                                             onPage: { pages.record($0) })
        XCTAssertEqual(result.items.count, 1234)
        XCTAssertEqual(Set(result.items.map(\.metadata.name)).count, 1234)
        XCTAssertEqual(result.pages, 13)
        XCTAssertEqual(result.restarts, 0)
        XCTAssertEqual(pages.values, Array(stride(from: 100, through: 1200, by: 100)) + [1234])
        let lists = h.emulator.requests().filter { $0.verb == "list" }
        XCTAssertEqual(lists.count, 13)
        XCTAssertEqual(lists.filter { $0.query["continue"] != nil }.count, 12)
        XCTAssertTrue(lists.allSatisfy { $0.query["limit"] == ["100"] })
    }

    /// Page N+1 is asked for while page N is decoded: the decoder of each page but the last
    /// waits until the next page's request has reached the server.
    func testNextPageIsRequestedWhileThisPageDecodes() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        try seedConfigMaps(h, count: 30)
        let decoder = WaitingDecoder(emulator: h.emulator)
        let result = try await h.client(pageSize: 10).list(.configMaps, namespace: "default", decoder: decoder)
        XCTAssertEqual(result.items, (0..<30).map { String(format: "cm-%05d", $0) })
        XCTAssertEqual(decoder.overlapped.withLock { $0 }, [true, true], "pages 1 and 2 decoded while the next was in flight")
        XCTAssertEqual(result.requests, 3)
        XCTAssertEqual(h.emulator.requests().filter { $0.verb == "list" }.count, 3, "read-ahead sends no extra request")
    }

    /// A page that does not decode fails the list with the decode error, whatever the
    /// page read ahead brings.
    func testUndecodablePageFailsTheListDespiteTheReadAhead() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        try seedConfigMaps(h, count: 30)
        struct Broken: ListPageDecoder {
            func decodePage(_ body: Data) throws -> (metadata: ListMeta?, items: [String]) { throw CocoaError(.coderInvalidValue) }
        }
        do {
            _ = try await h.client(pageSize: 10).list(.configMaps, namespace: "default", decoder: Broken())
            XCTFail("the page must not decode")
        } catch let error as KubeDecodeError {
            XCTAssertTrue("\(error)".contains("configmaps"), "\(error)")
        }
    }

    func testExpiredContinueTokenRestartsTheListOnceThenFailsClearly() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        try seedConfigMaps(h, count: 250)
        h.emulator.addFault(FaultRule(verb: "list", resource: "configmaps", count: 1, action: .expireContinue))
        let result = try await h.client(pageSize: 100).list(.configMaps, namespace: "default", as: NameOnly.self)
        XCTAssertEqual(result.items.count, 250, "no duplicates after the restart; requests: \(h.emulator.requests().map { "\($0.status) \($0.rawQuery)" })")
        XCTAssertEqual(result.restarts, 1)
        XCTAssertEqual(h.emulator.requests().filter { $0.status == 410 }.count, 1)

        h.emulator.addFault(FaultRule(verb: "list", resource: "configmaps", action: .expireContinue))
        do {
            _ = try await h.client(pageSize: 100).list(.configMaps, namespace: "default", as: NameOnly.self)
            XCTFail("a second expiry must fail")
        } catch let error as ListExpiredError {
            XCTAssertTrue(error.description.contains("configmaps"))
        }
    }

    func testGarbageContinueTokenIs400() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        let request = KubeRequest(method: "GET", path: "/api/v1/namespaces/default/configmaps",
                                  query: [.init("limit", "10"), .init("continue", "not-a-token")])
        let error = await expectAPIError { _ = try await h.client().send(request) }
        XCTAssertEqual(error?.code, 400)
        XCTAssertEqual(error?.reason, "BadRequest")
    }

    func testMetadataOnlyListCarriesNoData() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        try seedConfigMaps(h, count: 3, size: 100)
        let result = try await h.client().list(.configMaps, namespace: "default", options: ListOptions(metadataOnly: true), as: JSONValue.self)
        XCTAssertEqual(result.items.count, 3)
        XCTAssertTrue(result.items.allSatisfy { $0["data"] == nil && $0["metadata"]?["name"] != nil })
        XCTAssertEqual(h.emulator.requests().last?.requestHeaders["accept"], MediaType.partialObjectMetadataList)
    }

    func testResponsesLargerThan16MiBAndConcurrentRequests() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        try seedConfigMaps(h, count: 2200, size: 8 * 1024)   // about 18 MiB in one page
        let client = h.client(pageSize: 5000)
        let result = try await client.list(.configMaps, namespace: "default", as: NameOnly.self)
        XCTAssertEqual(result.items.count, 2200)
        XCTAssertEqual(result.pages, 1)

        // Eight lists at once through the pool of four handles.
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await h.client(pageSize: 500).list(.configMaps, namespace: "default", as: NameOnly.self).items.count } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(counts, Array(repeating: 2200, count: 8))
    }

    func testRetryAfterIsHonouredOnTheVirtualClock() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        try seedConfigMaps(h, count: 5)
        h.emulator.addFault(FaultRule(verb: "list", resource: "configmaps", count: 2,
                                      action: .status(code: 429, reason: "TooManyRequests", message: "slow down", retryAfterSeconds: 7)))
        let result = try await h.client().list(.configMaps, namespace: "default", as: NameOnly.self)
        XCTAssertEqual(result.items.count, 5)
        XCTAssertEqual(h.clock.sleeps, [7, 7])
        XCTAssertEqual(h.emulator.requests().map(\.status), [429, 429, 200])
    }

    func testRetryAfterIsCappedAndAttemptsAreBounded() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        h.emulator.addFault(FaultRule(verb: "get", resource: "configmaps",
                                      action: .status(code: 503, reason: "ServiceUnavailable", message: "busy", retryAfterSeconds: 600)))
        let client = h.client(retry: RetryPolicy(maxAttempts: 3, maxRetryAfter: 20, random: { 0.5 }))
        let error = await expectAPIError { let _: JSONValue = try await client.get(.configMaps, namespace: "default", name: "x") }
        XCTAssertEqual(error?.code, 503)
        XCTAssertEqual(h.clock.sleeps, [20, 20])
        XCTAssertEqual(h.emulator.requests().count, 3)
    }

    func testServerErrorsRetryReadsButNotWrites() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        try h.emulator.seed(configMap("c"))
        h.emulator.addFault(FaultRule(verb: "get", count: 1, action: .status(code: 500, reason: "InternalError", message: "etcd hiccup", retryAfterSeconds: nil)))
        h.emulator.addFault(FaultRule(verb: "patch", count: 1, action: .status(code: 500, reason: "InternalError", message: "etcd hiccup", retryAfterSeconds: nil)))
        let client = h.client()
        let got: JSONValue = try await client.get(.configMaps, namespace: "default", name: "c")
        XCTAssertEqual(got["metadata"]?["name"], "c")
        XCTAssertEqual(h.clock.sleeps, [0.1875])   // 0.25 * (0.5 + 0.25): backoff with the fixed jitter
        let error = await expectAPIError { _ = try await client.patch(.configMaps, namespace: "default", name: "c", patch: .merge(["data": ["a": "b"]])) }
        XCTAssertEqual(error?.code, 500)
        XCTAssertEqual(h.emulator.requests().filter { $0.method == "PATCH" }.count, 1, "a write that reached the server is not repeated")
    }

    func testRateLimiterSpacesRequests() async throws {
        let h = try await Harness.start()
        defer { Task { await h.stop() } }
        let client = h.client(qps: 2)   // burst 10
        for _ in 0..<12 { _ = try await client.get(path: "/version", as: JSONValue.self) }
        XCTAssertEqual(h.clock.sleeps.count, 2, "the first ten use the burst")
        XCTAssertEqual(h.clock.sleeps.first ?? 0, 0.5, accuracy: 0.01)
    }
}

final class PageCounter: Sendable {
    private let state = Mutex<[Int]>([])
    func record(_ n: Int) { state.withLock { $0.append(n) } }
    var values: [Int] { state.withLock { $0 } }
}

import Synchronization

/// Names of a ConfigMap page; each page with a continue token waits (up to 5 s) until the
/// server has seen the request for the page after it, and records whether it did.
final class WaitingDecoder: ListPageDecoder, @unchecked Sendable {
    let emulator: KubeEmulator
    let overlapped = Mutex<[Bool]>([])
    init(emulator: KubeEmulator) { self.emulator = emulator }

    func decodePage(_ body: Data) throws -> (metadata: ListMeta?, items: [String]) {
        let page = try JSONDecoder().decode(PageOfNames.self, from: body)
        if let token = page.metadata.continue, !token.isEmpty {
            let deadline = Date().addingTimeInterval(5)
            var seen = false
            while !seen && Date() < deadline {
                seen = emulator.requests().contains { $0.query["continue"] == [token] }
                if !seen { Thread.sleep(forTimeInterval: 0.01) }
            }
            overlapped.withLock { $0.append(seen) }
        }
        return (page.metadata, page.items.map(\.metadata.name))
    }

    struct PageOfNames: Decodable {
        var metadata: ListMeta
        var items: [NameOnly]
    }
}
