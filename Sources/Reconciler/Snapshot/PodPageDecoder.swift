import Foundation
import KubeClient

/// Decodes a page of pods straight into `PodRecord`s with a `JSONCursor`: the fields the
/// checks read are parsed, everything else (managedFields, env, probes, volumes, most of
/// status: about 90 % of a pod's bytes) is only skipped. Same records as
/// `PodRecord.init(from:)` gives through JSONDecoder (PodPageDecoderTests compares them),
/// in a fraction of the time: at 150,000 pods the pages are 1.4 GB.
public struct PodPageDecoder: ListPageDecoder {
    let kept: PodKeptKeys
    let interner: StringInterner
    /// Where pods keep (a projection of) their spec; nil = nowhere.
    let retention: SpecRetention?

    public init(kept: PodKeptKeys, interner: StringInterner, retention: SpecRetention?) {
        self.kept = kept
        self.interner = interner
        self.retention = retention
    }

    public func decodePage(_ body: Data) throws -> (metadata: ListMeta?, items: [PodRecord]) {
        try JSONCursor.read(body) { c in
            var metadata: ListMeta?
            var items: [PodRecord] = []
            try c.forEachField { c, key in
                if key == "metadata" {
                    metadata = try ListMeta(cursor: &c)
                } else if key == "items" {
                    try c.forEachElement { c in items.append(try pod(&c)) }
                } else {
                    try c.skipValue()
                }
            }
            return (metadata, items)
        }
    }

    private func pod(_ c: inout JSONCursor) throws -> PodRecord {
        let intern = interner.intern
        var meta = MetaRecord(name: "", uid: "", resourceVersion: "")
        var created: String?
        var record = PodRecord(meta: meta, phase: nil, ready: false)
        var specAt: JSONCursor?
        try c.forEachField { c, key in
            if key == "metadata" {
                try self.meta(&c, into: &meta, created: &created)
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
                            guard let type, let status else { throw DecodeProblem("status.conditions[]: type and status are required") }
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
        // As PodRecord.init(from:): a pod whose spec is kept keeps all its labels and annotations.
        let keepSpec = retention?.keeps(namespace: meta.namespace) ?? false
        if !keepSpec {
            meta.labels = kept.labels(meta.labels, intern)
            meta.annotations = kept.annotations(meta.annotations, intern)
        }
        if keepSpec, var at = specAt, try !at.consumeNull() {
            record.spec = try at.value(projected: retention?.podSpec ?? .whole)
        }
        record.meta = meta
        record.created = created
        return record
    }

    private func meta(_ c: inout JSONCursor, into m: inout MetaRecord, created: inout String?) throws {
        let intern = interner.intern
        // Without kept specs the label/annotation filter is known now: drop the rest unread.
        let filterNow = retention == nil
        try c.forEachField { c, key in
            if key == "name" { m.name = try c.stringOrNull() ?? "" }
            else if key == "namespace" { m.namespace = try c.stringOrNull().map(intern) }
            else if key == "uid" { m.uid = try c.stringOrNull() ?? "" }
            else if key == "resourceVersion" { m.resourceVersion = try c.stringOrNull() ?? "" }
            else if key == "generation" { m.generation = try c.consumeNull() ? nil : try c.int() }
            else if key == "creationTimestamp" { created = try c.stringOrNull() }
            else if key == "deletionTimestamp" { m.deletionTimestamp = try c.stringOrNull() }
            else if key == "labels" {
                try c.forEachField { c, key in
                    if filterNow && !kept.keepsLabel(key) { try c.skipValue() } else { m.labels[key.string] = try c.string() }
                }
            } else if key == "annotations" {
                try c.forEachField { c, key in
                    if filterNow && !kept.keepsAnnotation(key) { try c.skipValue() } else { m.annotations[key.string] = try c.string() }
                }
            } else if key == "ownerReferences" {
                // Only the controller reference is read (the owner chain); others are dropped.
                try c.forEachElement { c in
                    var apiVersion: String?, kind: String?, name: String?, uid: String?, controller = false
                    try c.forEachField { c, key in
                        if key == "apiVersion" { apiVersion = try c.string() }
                        else if key == "kind" { kind = try c.string() }
                        else if key == "name" { name = try c.string() }
                        else if key == "uid" { uid = try c.string() }
                        else if key == "controller" { controller = try c.consumeNull() ? false : try c.bool() }
                        else { try c.skipValue() }
                    }
                    guard let apiVersion, let kind, let name, let uid else {
                        throw DecodeProblem("metadata.ownerReferences[]: apiVersion, kind, name and uid are required")
                    }
                    if controller, m.ownerReferences.isEmpty {
                        m.ownerReferences = [OwnerReference(apiVersion: intern(apiVersion), kind: intern(kind), name: intern(name), uid: intern(uid), controller: true)]
                    }
                }
            } else {
                try c.skipValue()
            }
        }
    }

    private func spec(_ c: inout JSONCursor, into p: inout PodRecord) throws {
        try c.forEachField { c, key in
            if key == "nodeName" { p.nodeName = try c.stringOrNull().map(interner.intern) }
            else if key == "containers" { p.containers = try containers(&c) }
            else if key == "initContainers" { p.initContainers = try containers(&c) }
            else if key == "ephemeralContainers" { p.ephemeralContainers = try containers(&c) }
            else if key == "securityContext" { p.appArmorProfile = try appArmorProfile(inSecurityContext: &c) }
            else { try c.skipValue() }
        }
    }

    private func containers(_ c: inout JSONCursor) throws -> [PodContainerRecord] {
        var out: [PodContainerRecord] = []
        try c.forEachElement { c in
            var name: String?, profile: AppArmorProfileRecord?
            try c.forEachField { c, key in
                if key == "name" { name = try c.string() }
                else if key == "securityContext" { profile = try appArmorProfile(inSecurityContext: &c) }
                else { try c.skipValue() }
            }
            guard let name else { throw DecodeProblem("a container without name") }
            out.append(PodContainerRecord(name: interner.intern(name), appArmorProfile: profile))
        }
        return out
    }

    private func appArmorProfile(inSecurityContext c: inout JSONCursor) throws -> AppArmorProfileRecord? {
        var profile: AppArmorProfileRecord?
        try c.forEachField { c, key in
            guard key == "appArmorProfile" else { try c.skipValue(); return }
            if try c.consumeNull() { return }
            var type: String?, localhost: String?
            try c.forEachField { c, key in
                if key == "type" { type = try c.string() }
                else if key == "localhostProfile" { localhost = try c.stringOrNull() }
                else { try c.skipValue() }
            }
            guard let type else { throw DecodeProblem("securityContext.appArmorProfile.type is required") }
            profile = AppArmorProfileRecord(type: type, localhostProfile: localhost)
        }
        return profile
    }

    struct DecodeProblem: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

extension JSONCursor {
    /// The value with only what `projection` keeps, read without building the rest.
    /// Same result as `projection.apply(value())`.
    mutating func value(projected projection: SpecProjection) throws -> JSONValue {
        switch projection {
        case .whole:
            return try value()
        case .fields(let fields):
            guard peek() == UInt8(ascii: "{") else { return try value() }
            var out: [String: JSONValue] = [:]
            try forEachField { c, key in
                let name = key.string
                if let sub = fields[name] { out[name] = try c.value(projected: sub) } else { try c.skipValue() }
            }
            return .object(out)
        case .elements(let keys, let each):
            guard peek() == UInt8(ascii: "[") else { return try value() }
            var out: [JSONValue] = []
            try forEachElement { c in
                guard c.peek() == UInt8(ascii: "{"), case .fields(let fields) = each else { out.append(try c.value()); return }
                var object: [String: JSONValue] = [:]
                try c.forEachField { c, key in
                    let name = key.string
                    if keys.contains(name) { object[name] = try c.value() }
                    else if let sub = fields[name] { object[name] = try c.value(projected: sub) }
                    else { try c.skipValue() }
                }
                out.append(.object(object))
            }
            return .array(out)
        }
    }
}
