import Foundation
import KubeClient

/// Turns a run record into the plan that reverses it, newest write first: a deleted
/// object is created again (server-set fields stripped; an ownerReference kept only while
/// its owner still exists with that uid), a JSON patch is reverted by its revert patch,
/// whose `test` ops make it apply only while the fields still hold what the run wrote.
/// Restarts and evictions cannot be taken back: they are listed, not acted on. The plan
/// is bounded by the same budgets as a run (maxChanges, maxPerNamespace).
public struct UndoPlanner: Sendable {
    public static let check = "undo"
    public var client: KubeClient
    public var settings: Settings

    public init(client: KubeClient, settings: Settings) {
        self.client = client
        self.settings = settings
    }

    /// Metadata the API server sets; a create carrying them is refused or misleading.
    static let serverMetadata = ["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation",
                                 "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"]

    /// The plan, and how many owner lookups (GETs) it took.
    public func plan(_ record: RunRecord) async -> (plan: Plan, lookups: Int) {
        var findings: [Finding] = []
        var lookups = 0
        let run = record.runID
        for backup in record.backups.sorted(by: { $0.order > $1.order }) {
            if let why = backup.notKept {
                findings.append(Finding(check: backup.check, object: backup.target, reason: "cannot undo run \(run)'s \(backup.summary): \(why)", action: nil))
                continue
            }
            switch backup.operation {
            case .delete:
                guard let object = backup.object else { continue }
                let (body, dropped, n) = await recreatable(object)
                lookups += n
                let collection = String(backup.path[..<(backup.path.lastIndex(of: "/") ?? backup.path.endIndex)])
                let request = KubeRequest(method: "POST", path: collection, query: [.init("fieldManager", kreconcileFieldManager)],
                                          contentType: MediaType.json, body: body.jsonData())
                var reason = "deleted by run \(run): create it again as it was"
                if !dropped.isEmpty { reason += "; ownerReferences dropped, their owner is gone: " + dropped.joined(separator: ", ") }
                findings.append(Finding(check: backup.check, object: backup.target, reason: reason,
                                        action: Action(actionClass: .orphanDeletion, target: backup.target,
                                                       summary: "re-create \(backup.target.kind) \(backup.target.name)", request: request)))
            case .patch:
                guard let ops = backup.revert, !ops.isEmpty else {
                    findings.append(Finding(check: backup.check, object: backup.target, reason: "run \(run)'s \(backup.summary) changed nothing; nothing to revert", action: nil))
                    continue
                }
                let request = KubeRequest(method: "PATCH", path: backup.path, query: [.init("fieldManager", kreconcileFieldManager)],
                                          contentType: MediaType.jsonPatch, body: JSONValue.array(ops).jsonData())
                findings.append(Finding(check: backup.check, object: backup.target,
                                        reason: "patched by run \(run) (\(backup.summary)): revert, if the fields it wrote are unchanged since",
                                        action: Action(actionClass: .metadata, target: backup.target,
                                                       summary: "revert: \(backup.summary)", request: request)))
            }
        }
        // Applied writes with no backup: restarts and evictions (never reversible), or a
        // run whose history kept none.
        let backedUp = Set(record.backups.map { "\($0.target.uid)|\($0.summary)" })
        for entry in record.report.entries.reversed() where entry.result == .applied {
            guard let action = entry.action, !backedUp.contains("\(action.target.uid)|\(action.summary)") else { continue }
            let why = Self.isIrreversible(action.request) ? "irreversible: pods were replaced; a restart or an eviction cannot be taken back"
                : "no backup of it was kept; cannot undo"
            findings.append(Finding(check: entry.check, object: action.target, reason: "\(why) (run \(run): \(action.summary))", action: nil))
        }
        return (bound(findings), lookups)
    }

    static func isIrreversible(_ r: RunReport.RequestInfo) -> Bool {
        r.path.hasSuffix("/eviction") || r.contentType == MediaType.strategicMergePatch
    }

    /// The object to create: server fields and status stripped, ownerReferences whose owner
    /// no longer exists (by uid) dropped.
    func recreatable(_ object: JSONValue) async -> (JSONValue, dropped: [String], lookups: Int) {
        var body = object
        var meta = object["metadata"]?.objectValue ?? [:]
        for key in Self.serverMetadata { meta[key] = nil }
        var kept: [JSONValue] = [], dropped: [String] = [], lookups = 0
        for ref in meta["ownerReferences"]?.arrayValue ?? [] {
            lookups += 1
            let label = "\(ref["kind"]?.stringValue ?? "?") \(ref["name"]?.stringValue ?? "?") (uid \(ref["uid"]?.stringValue ?? "?"))"
            switch await ownerExists(ref, namespace: meta["namespace"]?.stringValue) {
            case .success(true): kept.append(ref)
            case .success(false): dropped.append(label)
            case .failure(let error): dropped.append("\(label): could not check: \(error)")
            }
        }
        meta["ownerReferences"] = kept.isEmpty ? nil : .array(kept)
        body["metadata"] = .object(meta)
        body["status"] = nil
        return (body, dropped, lookups)
    }

    struct LookupError: Error, CustomStringConvertible { var description: String }

    /// Whether the owner a reference names exists with that uid. Its kind is found through
    /// discovery in any served version of its group (Gatekeeper writes v1beta1 references).
    func ownerExists(_ ref: JSONValue, namespace: String?) async -> Result<Bool, LookupError> {
        guard let apiVersion = ref["apiVersion"]?.stringValue, let kind = ref["kind"]?.stringValue,
              let name = ref["name"]?.stringValue, let uid = ref["uid"]?.stringValue else { return .success(false) }
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        do {
            let versions = try await client.servedGroups().versions[group] ?? []
            for version in versions {
                guard let r = try await client.servedResources(group: group, version: version)?
                    .first(where: { $0.kind == kind && !$0.name.contains("/") }) else { continue }
                let descriptor = ResourceDescriptor(group: group, version: version, plural: r.name, kind: kind, namespaced: r.namespaced)
                do {
                    let owner = try await client.get(descriptor, namespace: r.namespaced ? namespace : nil, name: name, as: JSONValue.self, metadataOnly: true)
                    return .success(owner["metadata"]?["uid"]?.stringValue == uid)
                } catch let error as KubeAPIError where error.code == 404 {
                    return .success(false)
                }
            }
            return .success(false)  // the kind is no longer served
        } catch {
            return .failure(LookupError(description: "\(error)"))
        }
    }

    /// The first actions that fit maxChanges and maxPerNamespace are planned, the rest deferred.
    func bound(_ findings: [Finding]) -> Plan {
        var planned = 0
        var perNamespace: [String: Int] = [:]
        let b = settings.budgets
        return Plan(entries: findings.map { f in
            guard f.action != nil else { return PlanEntry(finding: f, decision: .reportOnly) }
            let ns = f.object.namespace ?? ""
            if planned >= b.maxChanges { return PlanEntry(finding: f, decision: .deferred(.maxChanges(b.maxChanges))) }
            if !ns.isEmpty, perNamespace[ns, default: 0] >= b.maxPerNamespace {
                return PlanEntry(finding: f, decision: .deferred(.maxPerNamespace(namespace: ns, limit: b.maxPerNamespace)))
            }
            perNamespace[ns, default: 0] += 1
            planned += 1
            return PlanEntry(finding: f, decision: .planned(order: planned - 1))
        })
    }
}
