import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// kubectl 1.32 reading from the emulator: Table output, JSON, raw paths, chunked lists.
final class KubectlReadTests: XCTestCase {
    func testGetPodsAllNamespacesPrintsServerColumns() async throws {
        let k = try await KubectlHarness()
        try k.emulator.seed(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team-a"]])
        try k.emulator.seed(KubectlFixtures.pod("web-1", restarts: 2))
        try k.emulator.seed(KubectlFixtures.pod("api-1", namespace: "team-a"))
        let r = try await k.ok(["get", "pods", "-A"])
        XCTAssertEqual(r.rows.first, ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"])
        let web = try XCTUnwrap(r.rows.first { $0.count > 1 && $0[1] == "web-1" }, r.stdout)
        XCTAssertEqual(Array(web[0..<5]), ["default", "web-1", "1/1", "Running", "2"])
        XCTAssertTrue(r.rows.contains { $0.first == "team-a" && $0[1] == "api-1" }, r.stdout)
        // kubectl asked for a server-side Table.
        let lists = k.requests(resource: "pods", verb: "list")
        XCTAssertTrue(lists.contains { ($0.requestHeaders["accept"] ?? "").contains("as=Table") }, "\(lists.map(\.requestHeaders))")

        let wide = try await k.ok(["get", "pods", "web-1", "-o", "wide"])
        XCTAssertEqual(wide.rows.first, ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE", "READINESS", "GATES"])
        XCTAssertEqual(Array(wide.rows[1][5...6]), ["10.1.0.5", "node-1"])
        await k.stop()
    }

    func testGetDeploymentAsJSONAndTable() async throws {
        let k = try await KubectlHarness()
        var d = deployment("web", image: "nginx:1.27")
        d["spec"]?["replicas"] = 3
        d["status"] = ["readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2]
        try k.emulator.seed(d)
        let json = try await k.ok(["get", "deploy", "-o", "json"])
        XCTAssertEqual(json.json["kind"], "List")
        let item = try XCTUnwrap(json.json["items"]?[0])
        XCTAssertEqual(item["metadata"]?["name"], "web")
        XCTAssertEqual(item["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"], "nginx:1.27")
        XCTAssertEqual(item["kind"], "Deployment")

        let table = try await k.ok(["get", "deploy", "-o", "wide"])
        XCTAssertEqual(table.rows.first, ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"])
        let row = table.rows[1]
        XCTAssertEqual(Array(row[0..<4]), ["web", "2/3", "3", "2"])
        XCTAssertEqual(Array(row[5...]), ["app", "nginx:1.27", "app=web"])
        await k.stop()
    }

    func testClusterKindsAndCustomResourceColumns() async throws {
        let k = try await KubectlHarness()
        try k.emulator.seed(KubectlFixtures.node("node-1"))
        try k.emulator.seed(KubectlFixtures.pdb("guard", selector: ["app": "web"], allowed: 0))
        try k.emulator.seed(["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                             "metadata": ["name": "kreconcile", "namespace": "default"], "spec": ["holderIdentity": "runner-7"]])
        try k.emulator.seed(["apiVersion": "v1", "kind": "Event",
                             "metadata": ["name": "web-1.abc", "namespace": "default"],
                             "involvedObject": ["kind": "Pod", "name": "web-1", "namespace": "default"],
                             "reason": "Evicted", "type": "Warning", "message": "evicted by kreconcile", "count": 3])
        k.emulator.register(KubectlFixtures.widgetType)
        try k.emulator.seed(KubectlFixtures.widgetCRD)
        try k.emulator.seed(widget("w1"))

        let nodes = try await k.ok(["get", "nodes", "-o", "wide"])
        XCTAssertEqual(Array(nodes.rows[0][0..<5]), ["NAME", "STATUS", "ROLES", "AGE", "VERSION"])
        XCTAssertEqual(Array(nodes.rows[1][0..<3]), ["node-1", "Ready", "worker"])
        XCTAssertEqual(nodes.rows[1][4...5], ["v1.32.0", "10.0.0.7"])

        let ns = try await k.ok(["get", "namespaces"])
        XCTAssertEqual(ns.rows.first, ["NAME", "STATUS", "AGE"])
        XCTAssertTrue(ns.rows.contains { $0.prefix(2) == ["kube-system", "Active"] }, ns.stdout)

        let pdb = try await k.ok(["get", "pdb"])
        XCTAssertEqual(pdb.rows.first, ["NAME", "MIN", "AVAILABLE", "MAX", "UNAVAILABLE", "ALLOWED", "DISRUPTIONS", "AGE"])
        XCTAssertEqual(Array(pdb.rows[1][0..<4]), ["guard", "1", "N/A", "0"])

        let leases = try await k.ok(["get", "leases"])
        XCTAssertEqual(leases.rows.first, ["NAME", "HOLDER", "AGE"])
        XCTAssertEqual(Array(leases.rows[1][0..<2]), ["kreconcile", "runner-7"])

        let events = try await k.ok(["get", "events"])
        XCTAssertEqual(events.rows.first, ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"])
        XCTAssertEqual(Array(events.rows[1][1...]), ["Warning", "Evicted", "pod/web-1", "evicted", "by", "kreconcile"])

        let widgets = try await k.ok(["get", "widgets"])
        XCTAssertEqual(widgets.rows.first, ["NAME", "SIZE", "AGE"])
        XCTAssertEqual(Array(widgets.rows[1][0..<2]), ["w1", "1"])

        // Kinds without a printer use the default convertor's columns.
        try k.emulator.seed(["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "viewer"],
                             "rules": [["verbs": ["get"], "apiGroups": [""], "resources": ["pods"]]]])
        let roles = try await k.ok(["get", "clusterroles"])
        XCTAssertEqual(roles.rows.first, ["NAME", "CREATED", "AT"], roles.stdout)
        XCTAssertEqual(roles.rows.last?.first, "viewer")
        XCTAssertNotNil(roles.rows.last.flatMap { HumanDuration.parse($0[1]) }, "Created At is RFC 3339: \(roles.stdout)")
        await k.stop()
    }

    func testChunkedListFollowsContinueTokens() async throws {
        let k = try await KubectlHarness()
        let pods = (0..<130).map { KubectlFixtures.pod(String(format: "p-%03d", $0)) }
        try k.emulator.seed(["apiVersion": "v1", "kind": "List", "items": .array(pods)])
        k.emulator.clearRequests()
        let r = try await k.ok(["get", "pods", "--chunk-size=50", "-o", "name"])
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 130)
        XCTAssertEqual(r.stdout.split(separator: "\n").last, "pod/p-129")
        let lists = k.requests(resource: "pods", verb: "list")
        XCTAssertEqual(lists.count, 3, lists.map(\.rawQuery).joined(separator: "\n"))
        XCTAssertTrue(lists.allSatisfy { $0.query["limit"] == ["50"] })
        XCTAssertNil(lists[0].query["continue"])
        XCTAssertNotNil(lists[1].query["continue"])
        XCTAssertNotNil(lists[2].query["continue"])
        await k.stop()
    }

    func testGetRaw() async throws {
        let k = try await KubectlHarness()
        try k.emulator.seed(configMap("settings", data: ["mode": "strict"]))
        let r = try await k.ok(["get", "--raw", "/api/v1/namespaces/default/configmaps/settings"])
        XCTAssertEqual(r.json["data"], ["mode": "strict"])
        let version = try await k.ok(["get", "--raw", "/version"])
        XCTAssertEqual(version.json["minor"], "32")
        let missing = try await k.run(["get", "--raw", "/apis/nothing.example/v1"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("NotFound") || missing.stderr.contains("not found"), missing.stderr)
        await k.stop()
    }
}
