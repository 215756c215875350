import Foundation
import KubeClient

/// Decodes a page of pods straight into `PodRecord`s with a `JSONCursor`: the fields the
/// checks read are parsed, everything else (managedFields, env, probes, volumes, most of
/// status: about 90 % of a pod's bytes) is only skipped. Same records as
/// `PodRecord.init(from:)` gives through JSONDecoder (PodPageDecoderTests compares them),
/// in a fraction of the time: at 150,000 pods the pages are 1.4 GB.
public struct PodPageDecoder: ListPageDecoder {
    let kept: PodKeptKeys
    let interner: Interner
    /// Where pods keep (a projection of) their spec; nil = nowhere.
    let retention: SpecRetention?

    public init(kept: PodKeptKeys, interner: Interner, retention: SpecRetention?) {
        self.kept = kept
        self.interner = interner
        self.retention = retention
    }

    public func decodePage(_ body: Data) throws -> (metadata: ListMeta?, items: [PodRecord]) {
        try JSONCursor.readListPage(body) { c in try pod(&c) }
    }

    private func pod(_ c: inout JSONCursor) throws -> PodRecord {
        let intern: (String) -> String = interner.intern
        var meta = MetaRecord(name: "", uid: "", resourceVersion: "")
        var created: String?
        var record = PodRecord(meta: meta, phase: nil, ready: false)
        var specAt: JSONCursor?
        // All labels and annotations as they are in the page, for an admission view.
        var raw: (labels: [UInt8], annotations: [UInt8])? = retention == nil ? nil : ([], [])
        try c.forEachField { c, key in
            if key == "metadata" {
                try self.meta(&c, into: &meta, created: &created, raw: &raw)
            } else if key == "spec" {
                specAt = c
                try spec(&c, into: &record)
            } else if key == "status" {
                try c.forEachField { c, key in
                    if key == "phase" {
                        record.phase = try c.stringOrNull().map(intern)
                    } else if key == "conditions" {
                        try c.forEachElement { c in
                            var type: String?, status: String?
                            try c.forEachField { c, key in
                                if key == "type" { type = try c.string() } else if key == "status" { status = try c.string() } else { try c.skipValue() }
                            }
                            guard let type, let status else { throw CursorDecodeProblem("status.conditions[]: type and status are required") }
                            if type == "Ready" && status == "True" { record.ready = true }
                        }
                    } else {
                        try c.skipValue()
                    }
                }
            } else {
                try c.skipValue()
            }
        }
        meta.labels = interner.intern(meta.labels)
        meta.annotations = interner.intern(meta.annotations)
        // As PodRecord.init(from:): a pod a mutator can reach keeps its admission view.
        if let raw, let retention, retention.keeps(namespace: meta.namespace), var at = specAt, try !at.consumeNull() {
            var json = Array(#"{"labels":"#.utf8)
            json.append(contentsOf: raw.labels.isEmpty ? Array("null".utf8) : raw.labels)
            json.append(contentsOf: #","annotations":"#.utf8)
            json.append(contentsOf: raw.annotations.isEmpty ? Array("null".utf8) : raw.annotations)
            json.append(contentsOf: #","spec":"#.utf8)
            try at.copy(projected: retention.podSpec, into: &json)
            json.append(UInt8(ascii: "}"))
            // Stored without the spare capacity the buffer grew, and shared with equal views.
            let exact = [UInt8](unsafeUninitializedCapacity: json.count) { buffer, count in count = buffer.initialize(fromContentsOf: json) }
            record.admission = AdmissionView(json: interner.intern(exact))
        }
        record.meta = meta
        record.created = created
        return record
    }

    /// `raw`, when set, receives the `labels` and `annotations` objects' bytes.
    private func meta(_ c: inout JSONCursor, into m: inout MetaRecord, created: inout String?,
                      raw: inout (labels: [UInt8], annotations: [UInt8])?) throws {
        let intern: (String) -> String = interner.intern
        try c.forEachField { c, key in
            if key == "name" { m.name = try c.stringOrNull() ?? "" }
            else if key == "namespace" { m.namespace = try c.stringOrNull().map(intern) }
            else if key == "uid" { m.uid = try c.stringOrNull() ?? "" }
            else if key == "resourceVersion" { m.resourceVersion = try c.stringOrNull() ?? "" }
            else if key == "generation" { m.generation = try c.consumeNull() ? nil : try c.int() }
            else if key == "creationTimestamp" { created = try c.stringOrNull() }
            else if key == "deletionTimestamp" { m.deletionTimestamp = try c.stringOrNull() }
            else if key == "labels" {
                if raw != nil { var copy = c; raw!.labels = try copy.copy(keeping: retention?.labelKeys) }
                m.labels = try keptStrings(&c, keeping: kept.keepsLabel)
            } else if key == "annotations" {
                if raw != nil { var copy = c; raw!.annotations = try copy.copy(keeping: retention?.annotationKeys) }
                m.annotations = try keptStrings(&c, keeping: kept.keepsAnnotation)
            } else if key == "ownerReferences" {
                // Only the controller reference is read (the owner chain); others are dropped.
                try c.forEachElement { c in
                    let ref = try OwnerReference(cursor: &c)
                    if ref.controller == true, m.ownerReferences.isEmpty {
                        m.ownerReferences = [OwnerReference(apiVersion: intern(ref.apiVersion), kind: intern(ref.kind), name: intern(ref.name),
                                                            uid: intern(ref.uid), controller: true)]
                    }
                }
            } else {
                try c.skipValue()
            }
        }
    }

    /// A map of strings with only the keys `keeping` says (every value must be a string),
    /// its strings shared.
    private func keptStrings(_ c: inout JSONCursor, keeping: (JSONCursor.Key) -> Bool) throws -> [String: String] {
        var map: [String: String] = [:]
        try c.forEachField { c, key in
            guard keeping(key) else {
                guard c.peek() == UInt8(ascii: "\"") else { throw CursorDecodeProblem("metadata: label and annotation values must be strings") }
                try c.skipValue()
                return
            }
            map[interner.intern(key.string)] = interner.intern(try c.string())
        }
        return map
    }

    private func spec(_ c: inout JSONCursor, into p: inout PodRecord) throws {
        try c.forEachField { c, key in
            if key == "nodeName" { p.nodeName = try c.stringOrNull().map(interner.intern) }
            else if key == "containers" { p.containers = try containers(&c) }
            else if key == "initContainers" { p.initContainers = try containers(&c) }
            else if key == "ephemeralContainers" { p.ephemeralContainers = try containers(&c) }
            else if key == "securityContext" { p.appArmorProfile = try AppArmorProfileRecord.read(inSecurityContext: &c) }
            else { try c.skipValue() }
        }
    }

    private func containers(_ c: inout JSONCursor) throws -> [PodContainerRecord] {
        var out: [PodContainerRecord] = []
        try c.forEachElement { c in
            var name: String?, profile: AppArmorProfileRecord?
            try c.forEachField { c, key in
                if key == "name" { name = try c.string() }
                else if key == "securityContext" { profile = try AppArmorProfileRecord.read(inSecurityContext: &c) }
                else { try c.skipValue() }
            }
            guard let name else { throw CursorDecodeProblem("a container without name") }
            out.append(PodContainerRecord(name: interner.intern(name), appArmorProfile: profile))
        }
        return interner.intern(out)
    }
}

extension JSONCursor {
    /// Appends the value with only what `projection` keeps, copying kept values byte for
    /// byte instead of building a tree. The same value as `projection.apply(value())`.
    mutating func copy(projected projection: SpecProjection, into out: inout [UInt8]) throws {
        switch projection {
        case .whole:
            try copyValue(into: &out)
        case .fields(let fields):
            guard peek() == UInt8(ascii: "{") else { return try copyValue(into: &out) }
            try copyObject(into: &out) { fields[$0.string] }
        case .elements(let keys, let each):
            guard peek() == UInt8(ascii: "[") else { return try copyValue(into: &out) }
            out.append(UInt8(ascii: "["))
            var first = true
            try forEachElement { c in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                guard c.peek() == UInt8(ascii: "{"), case .fields(let fields) = each else { return try c.copyValue(into: &out) }
                try c.copyObject(into: &out) { key in
                    let name = key.string
                    return keys.contains(name) ? .whole : fields[name]
                }
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// The object's bytes with only the fields `keys` names (nil: all of them).
    mutating func copy(keeping keys: Set<String>?) throws -> [UInt8] {
        var out: [UInt8] = []
        guard let keys, peek() == UInt8(ascii: "{") else { try copyValue(into: &out); return out }
        try copyObject(into: &out) { keys.contains($0.string) ? .whole : nil }
        return out
    }

    /// Copies an object's fields that `projection(key)` keeps, each projected.
    private mutating func copyObject(into out: inout [UInt8], _ projection: (Key) -> SpecProjection?) throws {
        out.append(UInt8(ascii: "{"))
        var first = true
        try forEachField { c, key in
            guard let sub = projection(key) else { return try c.skipValue() }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            key.appendQuoted(to: &out)
            out.append(UInt8(ascii: ":"))
            try c.copy(projected: sub, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
