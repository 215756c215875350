import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// The request budget DESIGN.md "Cost at scale" promises, on a generated cluster small
/// enough for CI but paged several times per kind: a dry run with every check enabled sends
/// exactly Σ ⌈N_kind / pageSize⌉ list requests (at least one per kind), each discovery
/// document once, no Lease call (only a real run locks), and never a GET of one object.
/// No timing here: speed is measured by Benchmarks/compare.sh.
final class RequestCountTests: XCTestCase {
    static let pageSize = 7
    /// Every kind of problem present, so KubeArmor's and Gatekeeper's kinds are listed too.
    static let spec = ClusterSpec(nodes: 6, namespaces: 3, pods: 90, daemonsets: 2, statefulsets: 1, pdbs: 3,
                                  seed: 11, problemRate: 0.3)

    override func setUpWithError() throws {
        try Binary.require()
    }

    func testDryRunSendsOneRequestPerPageAndNoPerObjectGet() async throws {
        let c = try await E2ECluster.start(example: "")
        defer { Task { await c.stop() } }
        c.emulator.generate(Self.spec)
        c.emulator.clearRequests()
        let config = try c.file("settings.yaml", "client:\n  pageSize: \(Self.pageSize)\n")

        let r = try await c.run(["run", "--dry-run", "--config", config, "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let statuses = try XCTUnwrap(try r.json()["checks"]?.arrayValue, r.stdout)
        XCTAssertEqual(statuses.count, 5, "every check ran: \(r.stdout)")
        XCTAssertEqual(c.emulator.droppedRequests, 0)

        let requests = c.emulator.requests()
        XCTAssertFalse(requests.contains { $0.method != "GET" }, "a dry run writes nothing")
        let lists = requests.filter { $0.verb == "list" }
        // Discovery documents: /api, /apis, /api/v1, /apis/GROUP/VERSION (no resource).
        let discovery = requests.filter { $0.verb == nil && ($0.path == "/api" || $0.path.hasPrefix("/api/") || $0.path == "/apis" || $0.path.hasPrefix("/apis/")) }
        XCTAssertTrue(requests.filter { $0.resource == "leases" }.isEmpty, "a dry run takes no Lease")
        // Nothing else: no GET of one object, no watch.
        let other = requests.filter { $0.verb != "list" && $0.verb != nil }
        XCTAssertEqual(other.map { "\($0.method) \($0.path) \($0.verb ?? "-")" }, [])
        XCTAssertEqual(Set(discovery.map(\.path)).count, discovery.count, "each discovery document is read once: \(discovery.map(\.path))")

        // Per kind: ⌈N / pageSize⌉ pages (one for an empty list), N read from the emulator.
        let byResource = Dictionary(grouping: lists, by: { $0.resource ?? "?" })
        var expected = 0
        for (resource, pages) in byResource.sorted(by: { $0.key < $1.key }) {
            let n = c.emulator.objects(resource, namespace: nil).count
            let want = max(1, (n + Self.pageSize - 1) / Self.pageSize)
            XCTAssertEqual(pages.count, want, "\(resource): \(n) objects in pages of \(Self.pageSize)")
            XCTAssertTrue(pages.allSatisfy { $0.query["limit"] == ["\(Self.pageSize)"] && $0.namespace == nil }, resource)
            expected += want
        }
        XCTAssertEqual(requests.count, expected + discovery.count)
        // The kinds the five checks read are all there, pods paged many times.
        for kind in ["pods", "nodes", "namespaces", "deployments", "daemonsets", "replicasets", "mutatingwebhookconfigurations"] {
            XCTAssertNotNil(byResource[kind], "\(kind) was not listed; listed: \(byResource.keys.sorted())")
        }
        XCTAssertGreaterThan(byResource["pods"]?.count ?? 0, 5)
    }
}

