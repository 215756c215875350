import KubeClient

// Cursor readers of the small records list pages hold, for the page decoders: each gives
// what the record's `init(from:)` gives through JSONDecoder.

extension MetaRecord {
    /// Reads an object's `metadata` with a cursor: the same record as `init(from:)`, every
    /// label, annotation and owner reference kept.
    init(cursor c: inout JSONCursor) throws {
        self.init(name: "", uid: "", resourceVersion: "")
        try c.forEachField { c, key in
            if key == "name" { name = try c.stringOrNull() ?? "" }
            else if key == "namespace" { namespace = try c.stringOrNull() }
            else if key == "uid" { uid = try c.stringOrNull() ?? "" }
            else if key == "resourceVersion" { resourceVersion = try c.stringOrNull() ?? "" }
            else if key == "generation" { generation = try c.consumeNull() ? nil : try c.int() }
            else if key == "deletionTimestamp" { deletionTimestamp = try c.stringOrNull() }
            else if key == "labels" { labels = try c.stringMap() }
            else if key == "annotations" { annotations = try c.stringMap() }
            else if key == "ownerReferences" {
                var refs: [OwnerReference] = []
                try c.forEachElement { c in refs.append(try OwnerReference(cursor: &c)) }
                ownerReferences = refs
            } else {
                try c.skipValue()
            }
        }
    }
}

extension OwnerReference {
    init(cursor c: inout JSONCursor) throws {
        var apiVersion: String?, kind: String?, name: String?, uid: String?, controller: Bool?, block: Bool?
        try c.forEachField { c, key in
            if key == "apiVersion" { apiVersion = try c.string() }
            else if key == "kind" { kind = try c.string() }
            else if key == "name" { name = try c.string() }
            else if key == "uid" { uid = try c.string() }
            else if key == "controller" { controller = try c.consumeNull() ? nil : try c.bool() }
            else if key == "blockOwnerDeletion" { block = try c.consumeNull() ? nil : try c.bool() }
            else { try c.skipValue() }
        }
        guard let apiVersion, let kind, let name, let uid else {
            throw CursorDecodeProblem("metadata.ownerReferences[]: apiVersion, kind, name and uid are required")
        }
        self.init(apiVersion: apiVersion, kind: kind, name: name, uid: uid, controller: controller, blockOwnerDeletion: block)
    }
}

extension AppArmorProfileRecord {
    /// The `appArmorProfile` of a `securityContext` the cursor is at (nil when absent or null).
    static func read(inSecurityContext c: inout JSONCursor) throws -> AppArmorProfileRecord? {
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
            guard let type else { throw CursorDecodeProblem("securityContext.appArmorProfile.type is required") }
            profile = AppArmorProfileRecord(type: type, localhostProfile: localhost)
        }
        return profile
    }
}

extension JSONCursor {
    /// An object of strings (`null`: empty), as `[String: String]` decodes.
    mutating func stringMap() throws -> [String: String] {
        var map: [String: String] = [:]
        try forEachField { c, key in map[key.string] = try c.string() }
        return map
    }
}

/// A page that is JSON but not the shape a record needs (a required field missing).
struct CursorDecodeProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
