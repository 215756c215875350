import Foundation
import KubeClient

/// `metadata.managedFields` as the API server's field manager keeps them
/// (staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal: fieldmanager.go,
/// structuredmerge.go, managedfieldsupdater.go, conflict.go), at the level of leaf paths:
/// - an `Update` (create, PUT, non-apply PATCH) gives its manager every field it changed
///   and takes those fields from every other manager;
/// - an `Apply` makes the manager own exactly the applied fields; a field another manager
///   owns with a different value is a conflict unless forced; fields the manager applied
///   before, leaves out now and nobody else owns are removed from the object.
/// Entries are keyed by manager, operation, apiVersion and subresource.
struct ManagedFieldsEntry: Equatable {
    var manager: String
    var operation: String
    var apiVersion: String
    var time: String
    var subresource: String
    var fields: FieldSet

    func sameOwner(_ o: ManagedFieldsEntry) -> Bool {
        manager == o.manager && operation == o.operation && apiVersion == o.apiVersion && subresource == o.subresource
    }

    var json: JSONValue {
        var e: [String: JSONValue] = ["manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
                                      "time": .string(time), "fieldsType": "FieldsV1", "fieldsV1": fields.fieldsV1]
        if !subresource.isEmpty { e["subresource"] = .string(subresource) }
        return .object(e)
    }

    init(manager: String, operation: String, apiVersion: String, time: String, subresource: String, fields: FieldSet) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource
        self.fields = fields
    }

    init?(_ v: JSONValue) {
        guard let manager = v["manager"]?.stringValue else { return nil }
        self.init(manager: manager, operation: v["operation"]?.stringValue ?? "Update", apiVersion: v["apiVersion"]?.stringValue ?? "",
                  time: v["time"]?.stringValue ?? "", subresource: v["subresource"]?.stringValue ?? "",
                  fields: FieldSet(fieldsV1: v["fieldsV1"] ?? [:]))
    }

    /// printManager of conflict.go.
    var printed: String {
        var s = JSONBytes.quote(manager)
        if !subresource.isEmpty { s += " with subresource \(JSONBytes.quote(subresource))" }
        return operation == "Update" ? "\(s) using \(apiVersion)" : s
    }
}

enum ManagedFields {
    /// The manager of a request: `?fieldManager=`, else the User-Agent up to its first
    /// "/" (fieldmanager.go prefixFromUserAgent), at most 128 characters.
    static func manager(_ req: APIRequest) -> String {
        if let m = req.param("fieldManager"), !m.isEmpty { return m }
        let agent = req.header("user-agent") ?? ""
        return String((agent.split(separator: "/", omittingEmptySubsequences: false).first ?? "").prefix(128))
    }

    static func entries(_ obj: JSONValue) -> [ManagedFieldsEntry] {
        (obj["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap(ManagedFieldsEntry.init)
    }

    /// Sorted like fieldmanager's encoder: operation, time, manager, apiVersion, subresource.
    static func store(_ entries: [ManagedFieldsEntry], in obj: inout JSONValue) {
        let kept = entries.filter { !$0.fields.isEmpty }.sorted {
            ($0.operation, $0.time, $0.manager, $0.apiVersion, $0.subresource) < ($1.operation, $1.time, $1.manager, $1.apiVersion, $1.subresource)
        }
        obj.setMeta("managedFields", kept.isEmpty ? nil : .array(kept.map(\.json)))
    }

    /// Records an Update by `manager` that turned `old` (nil: a create) into `new`. A
    /// request that sends managedFields different from the stored ones replaces them
    /// (an empty list clears them), like the real field manager.
    static func recordUpdate(old: JSONValue?, new: inout JSONValue, _ rt: ResourceType, manager: String, subresource: String = "",
                             now: String = ServerStamp.now()) {
        let status = subresource == "status"
        var base = old.map(entries) ?? []
        if let sent = new["metadata"]?["managedFields"], sent != old?["metadata"]?["managedFields"] {
            let list = sent.arrayValue ?? []
            if list.isEmpty || list.allSatisfy({ $0 == [:] }) {
                new.setMeta("managedFields", nil)
                return
            }
            base = list.compactMap(ManagedFieldsEntry.init)
        }
        let after = FieldSet(of: new, rt, status: status)
        let before = old.map { FieldSet(of: $0, rt, status: status) } ?? FieldSet()
        // Changed: set now with another value (or newly present); removed: gone entirely.
        let leaves = before.leaves.union(after.leaves)
        let changed = after.paths.filter { p in
            guard let o = old else { return true }
            let was = FieldSet.value(o, at: p), now = FieldSet.value(new, at: p)
            return leaves.contains(p) ? was != now : was == nil
        }
        let removed = before.paths.subtracting(after.paths)
        var result: [ManagedFieldsEntry] = []
        let me = ManagedFieldsEntry(manager: manager, operation: "Update", apiVersion: rt.groupVersion, time: now,
                                    subresource: subresource, fields: FieldSet(paths: Set(changed)))
        var mine: ManagedFieldsEntry?
        for var e in base {
            if e.sameOwner(me) { mine = e; continue }
            e.fields.paths.subtract(changed)
            e.fields.paths.subtract(removed)
            result.append(e)
        }
        if var m = mine {
            let updated = m.fields.paths.union(changed).subtracting(removed)
            if updated != m.fields.paths { m.fields.paths = updated; m.time = now }
            result.append(m)
        } else if !changed.isEmpty {
            result.append(me)
        }
        store(result, in: &new)
    }

    struct Conflict { var entry: ManagedFieldsEntry; var path: [String] }

    /// Server-side apply of `applied` over `live` (nil: create). Returns the new object with
    /// its managedFields, or throws the 409 of conflict.go NewConflictError.
    static func apply(live: JSONValue?, applied: JSONValue, _ rt: ResourceType, manager: String, force: Bool,
                      now: String = ServerStamp.now()) throws(APIError) -> JSONValue {
        let appliedSet = FieldSet(of: applied, rt, status: false)
        var merged = FieldSet.merge(live, applied, field: "", builtIn: rt.builtIn)
        let me = ManagedFieldsEntry(manager: manager, operation: "Apply", apiVersion: rt.groupVersion, time: now,
                                    subresource: "", fields: appliedSet)
        var others: [ManagedFieldsEntry] = []
        var previous: ManagedFieldsEntry?
        for e in live.map(entries) ?? [] {
            if e.sameOwner(me) { previous = e } else { others.append(e) }
        }
        var conflicts: [Conflict] = []
        if let live {
            for e in others {
                for p in appliedSet.leaves.intersection(e.fields.paths).sorted(by: { $0.lexicographicallyPrecedes($1) })
                where FieldSet.value(live, at: p) != FieldSet.value(applied, at: p) {
                    conflicts.append(Conflict(entry: e, path: p))
                }
            }
        }
        if !conflicts.isEmpty, !force, manager == "kubectl", let live {
            // lastappliedmanager.go: kubectl's server-side apply may take fields client-side
            // apply set, where the live value still equals the last-applied annotation.
            let allowed = lastAppliedFields(live, rt)
            conflicts.removeAll { allowed.contains($0.path) }
            if conflicts.isEmpty { return try apply(live: live, applied: applied, rt, manager: manager, force: true, now: now) }
        }
        if !conflicts.isEmpty, !force { throw conflictError(conflicts) }
        // Forcing takes the conflicting fields; fields applied with the same value stay shared.
        others = others.map { e in
            var e = e
            e.fields.paths.subtract(conflicts.filter { $0.entry == e }.map(\.path))
            return e
        }
        // Fields this manager applied before and no longer applies, owned by nobody else, go.
        if let previous {
            let ownedElsewhere = others.reduce(into: Set<[String]>()) { $0.formUnion($1.fields.paths) }
            let dropped = previous.fields.leaves.subtracting(appliedSet.paths).subtracting(ownedElsewhere)
            for p in dropped.sorted(by: { $0.count > $1.count }) { FieldSet.remove(&merged, at: p) }
        }
        var mine = me
        if let previous, previous.fields == appliedSet { mine.time = previous.time }
        store(others + [mine], in: &merged)
        return merged
    }

    /// Leaves of the `kubectl.kubernetes.io/last-applied-configuration` annotation whose
    /// live value is still the one last applied.
    static func lastAppliedFields(_ live: JSONValue, _ rt: ResourceType) -> Set<[String]> {
        guard let text = live["metadata"]?["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"]?.stringValue,
              let last = try? JSONValue.parse(Data(text.utf8)) else { return [] }
        return FieldSet(of: last, rt, status: false).leaves.filter { FieldSet.value(live, at: $0) == FieldSet.value(last, at: $0) }
    }

    static func conflictError(_ conflicts: [Conflict]) -> APIError {
        let causes: [JSONValue] = conflicts.map {
            ["reason": "FieldManagerConflict", "message": .string("conflict with \($0.entry.printed)"), "field": .string(FieldSet.describe($0.path))]
        }
        let message: String
        if conflicts.count == 1 {
            message = "Apply failed with 1 conflict: conflict with \(conflicts[0].entry.printed): \(FieldSet.describe(conflicts[0].path))"
        } else {
            var byManager: [String: [String]] = [:]
            for c in conflicts { byManager[c.entry.printed, default: []].append(FieldSet.describe(c.path)) }
            let lines = byManager.keys.sorted().flatMap { ["conflicts with \($0):"] + byManager[$0]!.map { "- \($0)" } }
            message = "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
        // errors.NewApplyConflict: 409 Conflict whose details carry only the causes.
        return APIError(code: 409, reason: "Conflict", message: message, details: APIError.details(causes: causes))
    }
}
