import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// A generated cluster bigger than one run's budget: 12 namespaces, each with a Deployment
/// and 3 ConfigMaps a user rule says it should own (36 findings).
final class GeneratedClusterTests: XCTestCase {
    static let namespaces = (0..<12).map { String(format: "team-%02d", $0) }

    static func yaml() -> String {
        var docs: [String] = []
        for ns in namespaces {
            docs.append("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \(ns)\n")
            docs.append("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: app
                  namespace: \(ns)
                  labels: {app: app}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: app}}
                  template:
                    metadata: {labels: {app: app}}
                    spec: {containers: [{name: app, image: "nginx:1.27"}]}
                status: {replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1}

                """)
            for i in 0..<3 {
                docs.append("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config-\(i)\n  namespace: \(ns)\n  labels: {app: app}\ndata: {k: v}\n")
            }
        }
        return docs.joined(separator: "---\n")
    }

    static let settings = """
        checks:
          owner-references:
            rules:
            - kind: ConfigMap
              selector: {app: app}
              owner: {kind: Deployment, name: app}

        """

    override func setUpWithError() throws {
        try Binary.require()
    }

    func owned(_ c: E2ECluster) -> Int {
        Self.namespaces.flatMap { c.emulator.objects("configmaps", namespace: $0) }
            .filter { $0["metadata"]?["ownerReferences"]?[0]?["kind"] == "Deployment" }.count
    }

    func testBudgetsPaceTheRunsAndEachRunContinues() async throws {
        let c = try await E2ECluster.start(example: Self.yaml())
        defer { Task { await c.stop() } }
        let config = try c.file("settings.yaml", Self.settings)

        let plan = try await c.run(["plan", "--config", config, "-o", "json", "--schedule-interval", "10m"])
        XCTAssertEqual(plan.code, 0, plan.stderr)
        XCTAssertEqual(try plan.json()["summary"]?["findings"], 36, plan.stdout)
        XCTAssertEqual(try plan.json()["estimate"]?["runsNeeded"], 2)
        XCTAssertEqual(try plan.json()["estimate"]?["timeNeededSeconds"], 600)

        var perRun: [Int] = []
        for _ in 0..<3 {
            c.emulator.clearRequests()
            let r = try await c.run(["run", "--config", config, "-o", "json"])
            XCTAssertEqual(r.code, 0, r.stderr)
            let writes = c.writes()
            XCTAssertLessThanOrEqual(writes.count, 20, "maxChanges")
            let perNamespace = Dictionary(grouping: writes, by: { $0.namespace ?? "" }).mapValues(\.count)
            XCTAssertLessThanOrEqual(perNamespace.values.max() ?? 0, 5, "maxPerNamespace")
            perRun.append(writes.count)
        }
        XCTAssertEqual(perRun, [20, 16, 0])
        XCTAssertEqual(owned(c), 36)
    }

    func testShardsPartitionTheNamespaces() async throws {
        let c = try await E2ECluster.start(example: Self.yaml())
        defer { Task { await c.stop() } }
        let config = try c.file("settings.yaml", Self.settings)
        var seen: [String: Int] = [:]
        for index in 0..<3 {
            c.emulator.clearRequests()
            let r = try await c.run(["run", "--config", config, "--shard", "\(index)/3", "--max-changes", "100", "-o", "json"])
            XCTAssertEqual(r.code, 0, r.stderr)
            XCTAssertEqual(try r.json()["metadata"]?["lock"]?["lease"]?.stringValue, "default/kreconcile-shard-\(index)-of-3")
            XCTAssertEqual(try r.json()["metadata"]?["lock"]?["state"]?.stringValue, "acquired")
            let namespaces = Set(c.writes().compactMap(\.namespace))
            XCTAssertFalse(namespaces.isEmpty, "shard \(index) acted on nothing")
            for ns in namespaces {
                XCTAssertNil(seen[ns], "namespace \(ns) acted on by shards \(seen[ns] ?? -1) and \(index)")
                seen[ns] = index
            }
        }
        XCTAssertEqual(Set(seen.keys), Set(Self.namespaces))
        XCTAssertEqual(owned(c), 36)
        // The hash is the documented one: FNV-1a 32-bit of the name, mod COUNT.
        for (ns, shard) in seen {
            var hash: UInt32 = 2_166_136_261
            for byte in ns.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            XCTAssertEqual(Int(hash % 3), shard, ns)
        }
    }
}
