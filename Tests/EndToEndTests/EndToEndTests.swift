import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// The `kreconcile` binary against an in-process kube-emulator seeded with
/// examples/cluster.yaml: what it prints, how it exits, and what the API server saw.
final class EndToEndTests: XCTestCase {
    let controller = "kubearmor-controller"
    let daemonSet = "kubearmor-apparmor-containerd-98c2c"
    let operatorUID = "7c1e0a00-0000-4000-8000-000000000110"

    override func setUpWithError() throws {
        try Binary.require()
    }

    func entries(_ outcome: Outcome) throws -> [JSONValue] { try XCTUnwrap(try outcome.json()["entries"]?.arrayValue, outcome.stdout) }

    func results(_ outcome: Outcome) throws -> [String: String] {
        var out: [String: String] = [:]
        for e in try entries(outcome) {
            out[e["action"]?["target"]?["name"]?.stringValue ?? e["object"]?["name"]?.stringValue ?? "?"] = e["result"]?.stringValue
        }
        return out
    }

    func testOfflineSnapshotNeedsNoCluster() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let example = Binary.packageRoot.appendingPathComponent("examples/cluster.yaml").path
        // No kubeconfig at all: offline mode must not look for one.
        let r = try await RunningBinary(["run", "--snapshot", example], environment: ["HOME": c.dir.path, "PATH": "/usr/bin:/bin"]).wait()
        XCTAssertEqual(r.code, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.first?.hasPrefix("CHECK") == true, r.stdout)
        XCTAssertTrue(r.stdout.contains("Deployment/kubearmor/\(controller)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("DaemonSet/kubearmor/\(daemonSet)"), r.stdout)
        XCTAssertTrue(lines.last?.contains("dry-run") == true, r.stdout)

        let json = try await RunningBinary(["run", "--snapshot", example, "-o", "json"], environment: ["HOME": c.dir.path]).wait()
        XCTAssertEqual(try json.json()["metadata"]?["mode"], "offline")
        XCTAssertEqual(try json.json()["kind"], "Report")
    }

    func testRealRunFixesTheExampleAndTheNextRunFindsNothing() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let first = try await c.run(["run", "-o", "json"])
        XCTAssertEqual(first.code, 0, first.stderr)
        XCTAssertEqual(try results(first)[controller], "applied")
        XCTAssertEqual(try results(first)[daemonSet], "applied")

        let owners = c.object("deployments", "kubearmor", controller)?["metadata"]?["ownerReferences"]?.arrayValue ?? []
        XCTAssertEqual(owners.map { $0["uid"]?.stringValue }, [operatorUID])
        let image = c.object("daemonsets", "kubearmor", daemonSet)?.value(at: ["spec", "template", "spec", "containers"])?[0]?["image"]
        XCTAssertEqual(image, "kubearmor/kubearmor:v1.5.4")
        // Every write was preconditioned, and each changed object got an Event.
        for w in c.writes() {
            let body = String(decoding: w.body ?? Data(), as: UTF8.self)
            // A JSON-patch test, delete preconditions, or (rollout restarts) a resourceVersion in the patch.
            XCTAssertTrue(body.contains("\"op\":\"test\"") || body.contains("preconditions") || body.contains("\"resourceVersion\""),
                          "\(w.method) \(w.path): \(body)")
        }
        let events = c.emulator.objects("events.events.k8s.io", namespace: "kubearmor")
        XCTAssertEqual(Set(events.compactMap { $0["regarding"]?["name"]?.stringValue }), [controller, daemonSet])
        XCTAssertTrue(events.allSatisfy { $0["reportingController"] == "kreconcile.io/kreconcile" })
        XCTAssertNil(c.object("leases", "default", "kreconcile")?["spec"]?["holderIdentity"], "released at the end")

        c.emulator.clearRequests()
        let second = try await c.run(["run", "-o", "json"])
        XCTAssertEqual(second.code, 0, second.stderr)
        XCTAssertNil(try results(second)[controller])
        XCTAssertEqual(try results(second)[daemonSet], nil, second.stdout)
        XCTAssertTrue(c.writes().isEmpty, "\(c.writes().map { "\($0.method) \($0.path)" })")
    }

    /// All operator objects lose their ownerReference: more actions in one namespace than
    /// maxPerNamespace (5) allows, so runs are paced and each continues where the last stopped.
    func testRunsApplyAtMostTheBudgetAndContinue() async throws {
        let c = try await E2ECluster.start(example: try E2ECluster.exampleWithoutOperatorOwners())
        defer { Task { await c.stop() } }
        // Pacing by maxPerNamespace only: no pod restarts, whose rollouts never finish without
        // controllers and would hold the image patch behind the health gate (PlannerTests
        // covers that interplay).
        let config = try c.file("no-restarts.yaml", """
            checks:
              apparmor-unprotected-pods: {enabled: false}
              gatekeeper-mutation-drift: {enabled: false}
            """)
        let plan = try await c.run(["plan", "-o", "json", "--config", config])
        let actionable = try entries(plan).filter { $0["action"] != nil && $0["action"] != .null && $0["object"]?["namespace"] == "kubearmor" }.count
        XCTAssertGreaterThan(actionable, 10, plan.stdout)

        var appliedPerRun: [Int] = []
        var written: [String] = []
        for run in 1...5 {
            c.emulator.clearRequests()
            let r = try await c.run(["run", "-o", "json", "--config", config])
            XCTAssertEqual(r.code, 0, "run \(run): \(r.stderr)")
            let applied = try entries(r).filter { $0["result"] == "applied" }.count
            XCTAssertLessThanOrEqual(c.writes().filter { $0.namespace == "kubearmor" }.count, 5, "run \(run) wrote more than maxPerNamespace")
            XCTAssertEqual(c.writes().count, applied)
            written += c.writes().filter { $0.namespace == "kubearmor" }.compactMap(\.name)
            appliedPerRun.append(applied)
            if run == 1 {
                let deferred = try entries(r).filter { $0["result"] == "deferred" }
                XCTAssertTrue(deferred.contains { $0["detail"]?.stringValue?.contains("maxPerNamespace=5") == true }, "\(deferred)")
            }
            if applied == 0 { break }
        }
        XCTAssertGreaterThanOrEqual(appliedPerRun.first ?? 0, 5, "5 in kubearmor, plus fixes in other namespaces")
        XCTAssertEqual(appliedPerRun.last, 0, "the last run finds nothing left: \(appliedPerRun)")
        let left = try entries(try await c.run(["plan", "-o", "json", "--config", config])).filter { $0["action"] != nil && $0["action"] != .null }
            .map { "\($0["object"]?["name"]?.stringValue ?? ""): \($0["detail"]?.stringValue ?? "")" }
        XCTAssertEqual(written.count, actionable, "every planned kubearmor fix applied exactly once over the runs: \(appliedPerRun); left: \(left)")
    }

    func testMaxChangesFlagOverridesTheSettings() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let r = try await c.run(["run", "--max-changes", "1", "-o", "json"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try results(r)[controller], "applied", "metadata fixes go first")
        XCTAssertEqual(try results(r)[daemonSet], "deferred")
        XCTAssertEqual(c.writes().count, 1)
        // Owner reference, orphaned binding, image, cart's restart (apparmor is off here).
        XCTAssertEqual(try r.json()["estimate"]?["runsNeeded"], 4, "four actionable findings, one per run")
    }

    func testClientDryRunWritesNothingAndPlansWhatARealRunDoes() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let dry = try await c.run(["run", "--dry-run", "-o", "json"])
        XCTAssertEqual(dry.code, 0, dry.stderr)
        XCTAssertTrue(c.writes(includingBookkeeping: true).isEmpty, "a dry run sends no write, takes no Lease")
        XCTAssertEqual(try dry.json()["metadata"]?["mode"], "client-dry-run")
        XCTAssertEqual(try results(dry)[controller], "dry-run")

        // The requests the dry run printed are, field for field, what the real run put on
        // the wire, as the API server logged them.
        let planned = try entries(dry).filter { $0["result"] == "dry-run" }.compactMap { $0["action"]?["request"] }.map { r in
            WireRequest(method: r["method"]?.stringValue ?? "", path: r["path"]?.stringValue ?? "",
                        query: (r["query"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
                        contentType: r["contentType"]?.stringValue, body: r["body"])
        }
        let real = try await c.run(["run", "-o", "json"])
        XCTAssertEqual(real.code, 0, real.stderr)
        let sent = try c.writes().map { w in
            WireRequest(method: w.method, path: w.path, query: w.query.compactMapValues(\.first), contentType: w.contentType,
                        body: try w.body.map { try JSONValue.parse($0) })
        }
        XCTAssertFalse(planned.isEmpty, dry.stdout)
        XCTAssertEqual(planned.sorted().map(\.unstamped), sent.sorted().map(\.unstamped),
                       "the dry run shows exactly the requests the real run sent")
    }

    /// One write as both sides describe it.
    struct WireRequest: Equatable, Comparable {
        var method: String
        var path: String
        var query: [String: String]
        var contentType: String?
        var body: JSONValue?
        static func < (a: Self, b: Self) -> Bool { (a.path, a.method) < (b.path, b.method) }
        /// A rollout restart stamps its own run's time: the two runs may differ only there.
        var unstamped: Self {
            func strip(_ v: JSONValue) -> JSONValue {
                switch v {
                case .object(var o):
                    o = o.mapValues(strip)
                    if o["kubectl.kubernetes.io/restartedAt"] != nil { o["kubectl.kubernetes.io/restartedAt"] = "TIME" }
                    return .object(o)
                case .array(let a): return .array(a.map(strip))
                default: return v
                }
            }
            var copy = self
            copy.body = body.map(strip)
            return copy
        }
    }

    func testServerDryRunSendsDryRunAllAndChangesNothing() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let r = try await c.run(["run", "--dry-run=server", "--show-requests"])
        XCTAssertEqual(r.code, 0, r.stderr)
        let writes = c.writes(includingBookkeeping: true)
        // Owner reference, orphaned binding, image; cart's restart waits: the image patch's
        // rollout takes the health gate's one slot (maxUnhealthyWorkloads 1).
        XCTAssertEqual(writes.count, 3, "\(writes.map(\.path))")
        XCTAssertTrue(writes.allSatisfy { $0.query["dryRun"] == ["All"] })
        XCTAssertTrue(r.stdout.contains("?dryRun=All&fieldManager=kreconcile"), r.stdout)
        XCTAssertNil(c.object("deployments", "kubearmor", controller)?["metadata"]?["ownerReferences"])
        XCTAssertTrue(c.emulator.objects("events.events.k8s.io", namespace: nil).isEmpty)

        // Admission's answer is reported per action: a rejected write fails the dry run.
        c.emulator.addFault(FaultRule(verb: "patch", resource: "daemonsets", action: .status(
            code: 403, reason: "Forbidden", message: "admission webhook \"images.example.com\" denied the request: tag v1.5.4 not allowed",
            retryAfterSeconds: nil)))
        let denied = try await c.run(["run", "--dry-run=server", "-o", "json"])
        XCTAssertEqual(denied.code, 1, denied.stderr)
        XCTAssertEqual(try results(denied)[controller], "dry-run")
        XCTAssertEqual(try results(denied)[daemonSet], "failed")
        let detail = try entries(denied).first { $0["object"]?["name"]?.stringValue == daemonSet }?["detail"]?.stringValue ?? ""
        XCTAssertTrue(detail.contains("denied the request: tag v1.5.4 not allowed"), detail)
    }

    func testAConcurrentChangeIsSkipped() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        // The first write (the ownerReference) is slow; meanwhile someone edits the DaemonSet.
        c.emulator.addFault(FaultRule(verb: "patch", resource: "deployments", namePattern: controller, count: 1, action: .latency(seconds: 1.5)))
        let process = try c.start(["run", "-o", "json"])
        // Once the DaemonSets are listed the plan is fixed; the edit lands while the first
        // write is still held back by the fault.
        try await waitFor { c.emulator.requests().contains { $0.resource == "daemonsets" && $0.verb == "list" } }
        var ds = try XCTUnwrap(c.object("daemonsets", "kubearmor", daemonSet))
        ds = ds.settingLabel("edited-by", "someone-else")
        try c.emulator.seed(ds)
        let r = await process.wait()
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(try results(r)[controller], "applied")
        XCTAssertEqual(try results(r)[daemonSet], "skipped")
        let detail = try entries(r).first { $0["object"]?["name"]?.stringValue == daemonSet }?["detail"]?.stringValue
        XCTAssertTrue(detail?.contains("object changed since the snapshot") == true, detail ?? "")
        let image = c.object("daemonsets", "kubearmor", daemonSet)?.value(at: ["spec", "template", "spec", "containers"])?[0]?["image"]
        XCTAssertEqual(image, "kubearmor/kubearmor:v1.5.3", "never applied to an object the plan did not see")
    }

    func testTwoConcurrentRunsNeverBothAct() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        // Slow listing keeps the first run holding the Lease while the second starts.
        c.emulator.addFault(FaultRule(verb: "list", action: .latency(seconds: 0.2)))
        let a = try c.start(["run", "-o", "json"])
        let b = try c.start(["run", "-o", "json"])
        let ra = await a.wait(), rb = await b.wait()
        XCTAssertEqual(ra.code, 0, ra.stderr)
        XCTAssertEqual(rb.code, 0, rb.stderr)
        let states = try [ra, rb].map { try $0.json()["metadata"]?["lock"]?["state"]?.stringValue ?? "" }
        let applied = try [ra, rb].map { try entries($0).filter { $0["result"] == "applied" }.count }
        XCTAssertEqual(applied.reduce(0, +), 3, "each fix applied exactly once (cart's restart waits for the health gate): \(states) \(applied)")
        XCTAssertTrue(applied.contains(0), "only one run acted: \(states) \(applied)")
        XCTAssertEqual(states.sorted(), ["acquired", "held-by-other"], "the runs overlapped and the Lease kept one out")
        XCTAssertEqual(c.writes().count, 3)
    }

    func testALiveLeaseHolderMeansExitZeroWithoutActing() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let renew = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: "Z", with: ".000000Z")
        try c.emulator.seed([
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "kreconcile", "namespace": "default"],
            "spec": ["holderIdentity": "cronjob-pod-abc_1234", "leaseDurationSeconds": 60, "renewTime": .string(renew), "acquireTime": .string(renew)],
        ])
        let r = try await c.run(["run"])
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("held by cronjob-pod-abc_1234 until"), r.stdout)
        XCTAssertTrue(r.stderr.contains("cronjob-pod-abc_1234"), r.stderr)
        XCTAssertTrue(c.writes(includingBookkeeping: true).isEmpty)
    }

    func testBadSettingsExitTwoNamingTheFieldAndSendNothing() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let config = try c.file("settings.yaml", "budgets:\n  maxChange: 3\n")
        let r = try await c.run(["run", "--config", config])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.stderr.contains("budgets.maxChange"), r.stderr)
        XCTAssertTrue(r.stderr.contains("maxChanges"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        let flag = try await c.run(["run", "--max-changes", "-1"])
        XCTAssertEqual(flag.code, 2)
        XCTAssertTrue(flag.stderr.contains("--max-changes"), flag.stderr)
        let timeout = try await c.run(["run", "--request-timeout", "45"])
        XCTAssertEqual(timeout.code, 2)
        XCTAssertTrue(timeout.stderr.contains("--request-timeout: 45s is too long for the Lease, at most 20s"), timeout.stderr)
        let deadline = try await c.run(["run", "--deadline", "5x"])
        XCTAssertEqual(deadline.code, 2)
        XCTAssertTrue(deadline.stderr.contains("--deadline: \"5x\" is not a duration"), deadline.stderr)
        let shard = try await c.run(["run", "--shard", "4/4"])
        XCTAssertEqual(shard.code, 2)
        XCTAssertTrue(shard.stderr.contains("--shard"), shard.stderr)
        XCTAssertTrue(c.emulator.requests().isEmpty, "nothing sent: \(c.emulator.requests().map(\.path))")
    }

    func testExitCodeThreeWhenFindingsRemain() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        let dry = try await c.run(["plan", "--exit-code"])
        XCTAssertEqual(dry.code, 3, dry.stderr)
        // The example's Assign targets only Pods: its "at risk" report stays until someone
        // changes the mutator, so findings remain after the fixes too.
        let fixed = try await c.run(["run", "--exit-code"])
        XCTAssertEqual(fixed.code, 3, "the at-risk report remains: \(fixed.stdout)")
        let clean = try await c.run(["run", "--dry-run", "--exit-code"])
        XCTAssertEqual(clean.code, 3, clean.stdout)
        XCTAssertTrue(clean.stdout.contains("at risk"), clean.stdout)
    }

    /// `--deadline` through the binary: a list held past it stops the run with exit 1 and
    /// the reason on the report, nothing written, the Lease released.
    func testDeadlineStopsASlowListingWithExitOne() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        c.emulator.addFault(FaultRule(verb: "list", resource: "pods", count: 1, action: .latency(seconds: 4)))
        let r = try await c.run(["run", "--deadline", "2s", "--request-timeout", "1", "-o", "json"])
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertTrue(try r.json()["metadata"]?["stopped"]?.stringValue?.contains("run deadline of 2s") == true, r.stdout)
        // Only bookkeeping: the Lease, and the stopped run's own record (run history).
        XCTAssertEqual(c.writes().map(\.path), [])
        XCTAssertNil(c.object("leases", "default", "kreconcile")?["spec"]?["holderIdentity"], "released")
    }

    func testSIGTERMFinishesTheWriteInFlightReportsAndReleasesTheLease() async throws {
        let c = try await E2ECluster.start()
        defer { Task { await c.stop() } }
        // How many lists a run makes, from a plan of the same cluster.
        _ = try await c.run(["plan"])
        let lists = c.emulator.requests().filter { $0.verb == "list" }.count
        c.emulator.clearRequests()
        c.emulator.addFault(FaultRule(verb: "patch", resource: "deployments", namePattern: controller, count: 1, action: .latency(seconds: 6)))
        let process = try c.start(["run", "-o", "json"])
        // Every list answered and the (delayed) controller patch reached the emulator: it is in
        // flight, held there for 6 s (faultsFired counts a fault when the request arrives).
        try await waitFor { c.emulator.requests().filter { $0.verb == "list" && $0.resource != "leases" }.count >= lists }
        try await waitFor { c.emulator.faultsFired >= 1 }
        XCTAssertNil(c.emulator.requests().first { $0.method == "PATCH" }, "the controller patch is still in flight")
        process.signal(SIGTERM)
        let r = await process.wait()
        XCTAssertEqual(r.code, 1, r.stderr)
        XCTAssertEqual(try results(r)[controller], "applied")
        XCTAssertEqual(try results(r)[daemonSet], "skipped")
        XCTAssertEqual(try r.json()["metadata"]?["stopped"], "SIGTERM received")
        XCTAssertNil(c.object("leases", "default", "kreconcile")?["spec"]?["holderIdentity"], "released")
        // The next run carries on.
        let next = try await c.run(["run", "-o", "json"])
        XCTAssertEqual(try results(next)[daemonSet], "applied", next.stderr)
    }

    func waitFor(timeout: Double = 10, _ condition: () -> Bool) async throws {
        let end = Date().addingTimeInterval(timeout)
        while !condition() {
            guard Date() < end else { throw Timeout(seconds: timeout) }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }
}

struct Timeout: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "the condition was not reached within \(seconds)s" }
}

extension JSONValue {
    func settingLabel(_ key: String, _ value: String) -> JSONValue {
        guard var o = objectValue, var meta = o["metadata"]?.objectValue else { return self }
        var labels = meta["labels"]?.objectValue ?? [:]
        labels[key] = .string(value)
        meta["labels"] = .object(labels)
        meta["resourceVersion"] = nil  // seeding stamps a new one, as a real update would
        o["metadata"] = .object(meta)
        return .object(o)
    }
}
