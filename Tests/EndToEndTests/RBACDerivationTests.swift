import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// The chart's RBAC is derived from what kreconcile actually sends: each check runs alone
/// against the emulator on a fixture where it has something to fix everywhere it can, and
/// the (verb, group, resource) set of the request log must equal what the chart grants for
/// it in helm/kreconcile/files/rbac.yaml; the default render (jobs/cronjob.yaml, kept equal to
/// `helm template` by CI) must grant exactly the set of a run with every check.
final class RBACDerivationTests: XCTestCase {
    struct Permission: Hashable, Comparable, CustomStringConvertible {
        var verb: String, group: String, resource: String
        var description: String { "\(verb) \(group.isEmpty ? "core" : group)/\(resource)" }
        static func < (a: Self, b: Self) -> Bool { (a.group, a.resource, a.verb) < (b.group, b.resource, b.verb) }
    }

    let lockNamespace = "kreconcile"

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Binary.path),
                          "kreconcile is not built at \(Binary.path); run `swift build --build-tests` first")
    }

    /// The example with a fix for every kind each check writes: no operator ownerReferences
    /// (owner-references patches each kind it handles) and a stale relay image on a
    /// Deployment (the example's only image drift is on the DaemonSet).
    func fixture() throws -> String {
        let stale = "image: kubearmor/kubearmor-relay-server:latest"
        let example = try E2ECluster.exampleWithoutOperatorOwners()
        XCTAssertEqual(example.components(separatedBy: stale).count, 2, "the relay Deployment's image line")
        return example.replacingOccurrences(of: stale, with: "image: kubearmor/kubearmor-relay-server:v0.0.1")
    }

    /// Runs kreconcile with only `checks` enabled (all when nil) and unbounded budgets;
    /// returns what it used cluster-wide and in the Lease's namespace.
    func derive(checks: [String]?) async throws -> (cluster: Set<Permission>, lock: Set<Permission>, report: Outcome) {
        // Controllers stepped between runs: paced actions (one KubeArmor rollout at a time,
        // the health gate) come in later runs, once the earlier rollouts have finished.
        let c = try await E2ECluster.start(example: try fixture(), options: EmulatorOptions(controllers: .manual))
        defer { Task { await c.stop() } }
        try c.emulator.seed(yamlOrJSON: "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"\(lockNamespace)\"}}")
        // history.maxRuns 1: the second run prunes the first run's record.
        var settings = "lock: {namespace: \(lockNamespace)}\nbudgets: {maxChanges: 10000, maxPerNamespace: 10000, maxPerNode: 10000, maxUnhealthyWorkloads: 10000}\nhistory: {maxRuns: 1}\n"
        if let checks {
            let all = try checkNames()
            settings += "checks:\n" + all.map { "  \($0): {enabled: \(checks.contains($0))}\n" }.joined()
        }
        let config = try c.file("settings.yaml", settings)
        c.emulator.settle()
        var cluster: Set<Permission> = [], lock: Set<Permission> = []
        var first: Outcome?
        for _ in 1...4 {
            c.emulator.clearRequests()
            let run = try await c.run(["run", "--config", config, "-o", "json"])
            XCTAssertEqual(run.code, 0, run.stderr)
            first = first ?? run
            for record in c.emulator.requests() {
                guard let permission = Self.permission(record) else { continue }
                // The Lease and the run records: the Role in the Lease's namespace.
                if ["leases", "configmaps"].contains(permission.resource) && record.namespace == lockNamespace { lock.insert(permission) } else { cluster.insert(permission) }
            }
            if try run.json()["entries"]?.arrayValue?.contains(where: { $0["result"] == "applied" }) != true { break }
            c.emulator.settle()
        }
        return (cluster, lock, try XCTUnwrap(first))
    }

    /// RBAC's view of a request: its verb, API group and resource (with subresource).
    /// Discovery (/api, /apis, /version) is granted to every authenticated user.
    static func permission(_ r: RequestRecord) -> Permission? {
        guard let verb = r.verb else { return nil }
        var parts = r.path.split(separator: "/").map(String.init)
        let group: String
        if parts.first == "api", parts.count >= 3 { group = ""; parts.removeFirst(2) }
        else if parts.first == "apis", parts.count >= 4 { group = parts[1]; parts.removeFirst(3) }
        else { return nil }
        if parts.first == "namespaces", parts.count >= 3 { parts.removeFirst(2) }
        guard let resource = parts.first else { return nil }
        return Permission(verb: verb, group: group, resource: parts.count >= 3 ? "\(resource)/\(parts[2])" : resource)
    }

    /// Every (verb, group, resource) a list of RBAC rules grants.
    static func expand(_ rules: [JSONValue]) -> Set<Permission> {
        var out: Set<Permission> = []
        for rule in rules {
            for group in rule["apiGroups"]?.arrayValue ?? [] {
                for resource in rule["resources"]?.arrayValue ?? [] {
                    for verb in rule["verbs"]?.arrayValue ?? [] {
                        out.insert(Permission(verb: verb.stringValue ?? "?", group: group.stringValue ?? "?", resource: resource.stringValue ?? "?"))
                    }
                }
            }
        }
        return out
    }

    func rbacFile() throws -> JSONValue {
        let text = try String(contentsOf: Binary.packageRoot.appendingPathComponent("helm/kreconcile/files/rbac.yaml"), encoding: .utf8)
        return try XCTUnwrap(try JSONValue.parseDocuments(text).first)
    }

    /// The names `kreconcile checks` lists, one per line, name first.
    func checkNames() throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = ["checks"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return text.split(separator: "\n").compactMap { line in
            guard let first = line.first, first.isLowercase else { return nil }  // option lines are indented
            return line.split(separator: " ").first.map(String.init)
        }
    }

    /// What a check needs on a cluster that has more than the fixture (another workload
    /// kind to restart, another mutator kind), listed under `notInTheFixture` in
    /// files/rbac.yaml as "verb group/resource" ("core" for the core group).
    func declared(_ file: JSONValue, _ check: String) throws -> Set<Permission> {
        Set(try (file["notInTheFixture"]?[check]?.arrayValue ?? []).map { entry in
            let parts = (entry.stringValue ?? "").split(separator: " ")
            let gr = parts.count == 2 ? parts[1].split(separator: "/", maxSplits: 1) : []
            guard gr.count == 2 else { throw BadEntry(text: "files/rbac.yaml notInTheFixture.\(check): \(entry) is not 'verb group/resource'") }
            return Permission(verb: String(parts[0]), group: gr[0] == "core" ? "" : String(gr[0]), resource: String(gr[1]))
        })
    }

    struct BadEntry: Error { var text: String }

    func describe(_ label: String, derived: Set<Permission>, granted: Set<Permission>) -> String {
        let missing = derived.subtracting(granted).sorted().map(\.description)
        let extra = granted.subtracting(derived).sorted().map(\.description)
        return "\(label): the chart must grant exactly what a run uses; missing \(missing), extra \(extra)"
    }

    func testEveryCheckHasItsRulesAndTheyAreExactlyWhatItUses() async throws {
        let file = try rbacFile()
        let byCheck = try XCTUnwrap(file["checks"]?.objectValue)
        let names = try checkNames()
        XCTAssertFalse(names.isEmpty)
        XCTAssertEqual(Set(byCheck.keys), Set(names), "files/rbac.yaml must have one entry per check `kreconcile checks` lists")
        let base = Self.expand(file["run"]?.arrayValue ?? [])
        for name in names {
            let derived = try await derive(checks: [name])
            let granted = base.union(Self.expand(byCheck[name]?.arrayValue ?? []))
            let diff = exactly(derived.cluster.union(try declared(file, name)), granted)
            XCTAssertTrue(diff.missing.isEmpty && diff.extra.isEmpty,
                          "check \(name): the chart must grant exactly what a run uses; missing \(diff.missing.map(\.description)), extra \(diff.extra.map(\.description))")
        }
    }

    func testDefaultRenderGrantsExactlyWhatARunWithEveryCheckUses() async throws {
        let text = try String(contentsOf: Binary.packageRoot.appendingPathComponent("jobs/cronjob.yaml"), encoding: .utf8)
        let docs = try JSONValue.parseDocuments(text)
        let clusterRole = try XCTUnwrap(docs.first { $0["kind"] == "ClusterRole" })
        let role = try XCTUnwrap(docs.first { $0["kind"] == "Role" })
        XCTAssertEqual(role["metadata"]?["namespace"]?.stringValue, lockNamespace, "the Role is in the Lease's namespace")

        let derived = try await derive(checks: nil)
        let granted = Self.expand(clusterRole["rules"]?.arrayValue ?? [])
        let file = try rbacFile()
        var used = derived.cluster
        for name in try checkNames() { used.formUnion(try declared(file, name)) }
        let diff = exactly(used, granted)
        XCTAssertTrue(diff.missing.isEmpty && diff.extra.isEmpty,
                      "ClusterRole: the chart must grant exactly what a run uses; missing \(diff.missing.map(\.description)), extra \(diff.extra.map(\.description))")
        let lockGranted = Self.expand(role["rules"]?.arrayValue ?? [])
        XCTAssertEqual(derived.lock, lockGranted, describe("Role (Lease, run records)", derived: derived.lock, granted: lockGranted))
        // The run did fix things: a run that wrote nothing would derive only the reads.
        XCTAssertTrue(derived.cluster.contains { $0.verb == "patch" }, derived.report.stdout)
        print("RBAC derived from a run with every check: \(derived.cluster.union(derived.lock).sorted().map(\.description).joined(separator: ", "))")
    }

    // MARK: no wildcard

    /// Every RBAC rule kreconcile ships or documents: the chart's rule files and values, the
    /// rendered manifests in jobs/, and the YAML examples of README.md and docs/. No `*` verb,
    /// API group or resource, except the one documented list-only wildcard over
    /// constraints.gatekeeper.sh (a kind per ConstraintTemplate, unknown ahead of time).
    func testNoRuleAsksForAWildcardVerbOrResource() throws {
        let root = Binary.packageRoot
        var sources: [(String, [JSONValue])] = []
        for file in ["helm/kreconcile/files/rbac.yaml", "helm/kreconcile/files/teardown-rbac.yaml", "helm/kreconcile/values.yaml"]
            + (try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("jobs").path).sorted().map { "jobs/\($0)" }) {
            sources.append((file, try JSONValue.parseDocuments(String(contentsOf: root.appendingPathComponent(file), encoding: .utf8))))
        }
        let docs = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" })
        for file in docs {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for (i, block) in Self.yamlBlocks(text).enumerated() where block.contains("verbs") {
                sources.append(("\(file) yaml block \(i + 1)", try JSONValue.parseDocuments(block)))
            }
        }
        var rules = 0
        for (source, documents) in sources {
            for rule in documents.flatMap(Self.rbacRules) {
                rules += 1
                XCTAssertNil(Self.wildcardProblem(rule), "\(source): \(rule.jsonString())")
            }
        }
        // The walk found the rules (a renamed key would make this test pass vacuously).
        XCTAssertGreaterThan(rules, 40)
        XCTAssertTrue(sources.contains { $0.0.hasPrefix("README.md") }, "README.md documents the hook's RBAC")

        // The check itself catches a wildcard.
        XCTAssertNotNil(Self.wildcardProblem(["apiGroups": [""], "resources": ["*"], "verbs": ["delete"]]))
        XCTAssertNotNil(Self.wildcardProblem(["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]]))
        XCTAssertNotNil(Self.wildcardProblem(["apiGroups": ["*"], "resources": ["pods"], "verbs": ["list"]]))
        XCTAssertNotNil(Self.wildcardProblem(["apiGroups": ["constraints.gatekeeper.sh"], "resources": ["*"], "verbs": ["list", "patch"]]))
        XCTAssertNil(Self.wildcardProblem(["apiGroups": ["constraints.gatekeeper.sh"], "resources": ["*"], "verbs": ["list"]]))
    }

    /// Objects with `verbs` anywhere in a document: RBAC PolicyRules.
    static func rbacRules(_ value: JSONValue) -> [JSONValue] {
        if let object = value.objectValue {
            return (object["verbs"] != nil ? [value] : []) + object.values.flatMap(rbacRules)
        }
        return value.arrayValue?.flatMap(rbacRules) ?? []
    }

    static func wildcardProblem(_ rule: JSONValue) -> String? {
        let strings = { (key: String) in (rule[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        let (verbs, groups, resources) = (strings("verbs"), strings("apiGroups"), strings("resources"))
        if verbs.contains(where: { $0.contains("*") }) { return "a * verb" }
        if groups.contains(where: { $0.contains("*") }) { return "a * API group" }
        if strings("nonResourceURLs").contains(where: { $0.contains("*") }) { return "a * URL" }
        if resources.contains(where: { $0.contains("*") }), !(groups == ["constraints.gatekeeper.sh"] && verbs == ["list"]) {
            return "a * resource (only list over constraints.gatekeeper.sh may use one)"
        }
        return nil
    }

    /// The bodies of ```yaml fenced blocks.
    static func yamlBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = [], current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces).hasPrefix("```yaml") { current = []; continue }
            if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" { blocks.append(current!.joined(separator: "\n")); current = nil; continue }
            current?.append(line)
        }
        return blocks
    }

    // MARK: the pre-delete hook's teardown

    /// Whether `granted` (a resource "*" stands for every resource of its group) is exactly
    /// `used`: everything used is granted, and every granted tuple (or wildcard) is used.
    func exactly(_ used: Set<Permission>, _ granted: Set<Permission>) -> (missing: [Permission], extra: [Permission]) {
        func covers(_ g: Permission, _ u: Permission) -> Bool {
            g.verb == u.verb && g.group == u.group && (g.resource == "*" ? !u.resource.contains("/") : g.resource == u.resource)
        }
        let missing = used.filter { u in !granted.contains { covers($0, u) } }.sorted()
        let extra = granted.filter { g in !used.contains { covers(g, $0) } }.sorted()
        return (missing, extra)
    }

    func testTeardownHookGrantsExactlyWhatEachProfileUses() async throws {
        let rules = try XCTUnwrap(try JSONValue.parseDocuments(String(contentsOf: Binary.packageRoot.appendingPathComponent("helm/kreconcile/files/teardown-rbac.yaml"), encoding: .utf8)).first)
        let extras = try String(contentsOf: Binary.packageRoot.appendingPathComponent("Tests/Fixtures/teardown-install-extras.yaml"), encoding: .utf8)
        for profile in ["kubearmor", "gatekeeper"] {
            let c = try await E2ECluster.start(example: try E2ECluster.exampleYAML() + "\n---\n" + extras,
                                               options: EmulatorOptions(controllers: .auto(interval: 0.005)))
            defer { Task { await c.stop() } }
            try c.emulator.seed(yamlOrJSON: "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"\(lockNamespace)\"}}")
            let config = try c.file("settings.yaml", "lock: {namespace: \(lockNamespace)}\n")
            c.emulator.clearRequests()
            let r = try await c.run(["teardown", "--profile", profile, "--delete-crds", "--config", config, "--poll-interval", "20ms"])
            XCTAssertEqual(r.code, 0, r.stderr + r.stdout)
            var cluster: Set<Permission> = [], lock: Set<Permission> = []
            for record in c.emulator.requests() {
                guard let p = Self.permission(record) else { continue }
                if p.resource == "leases" && record.namespace == lockNamespace { lock.insert(p) } else { cluster.insert(p) }
            }
            let granted = Self.expand((rules[profile]?.arrayValue ?? []) + (rules["\(profile)-crds"]?.arrayValue ?? []))
            // A step gets each named object before deleting it; one the fixture lacks is only
            // read, but a cluster that has it needs the delete.
            let used = cluster.union(cluster.filter { $0.verb == "get" }.map { Permission(verb: "delete", group: $0.group, resource: $0.resource) })
            let diff = exactly(used, granted)
            XCTAssertTrue(diff.missing.isEmpty && diff.extra.isEmpty,
                          "teardown \(profile): missing \(diff.missing.map(\.description)), extra \(diff.extra.map(\.description)); used \(cluster.sorted().map(\.description))")
            XCTAssertEqual(lock, [Permission(verb: "get", group: "coordination.k8s.io", resource: "leases"),
                                  Permission(verb: "create", group: "coordination.k8s.io", resource: "leases"),
                                  Permission(verb: "update", group: "coordination.k8s.io", resource: "leases")],
                           "the hook's Role (Lease)")
        }
    }
}
