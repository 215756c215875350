import Foundation
import KubeClient

/// A snapshot file problem, one line naming the file or document (line breaks from the
/// file are escaped).
public struct SnapshotFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message.escapingControlCharacters }
    public var description: String { message }
}

extension Snapshot {
    /// Reads snapshot files (`-` = stdin): JSON or multi-document YAML as
    /// `kubectl get ... -o json|yaml` prints them. Lists are expanded by `init(documents:)`.
    public static func parseFiles(_ paths: [String]) throws -> [JSONValue] {
        try readFiles(paths).documents
    }

    /// The documents of `paths` and, for each, where it came from ("FILE: document N"), so
    /// an error names the file and the document.
    public static func readFiles(_ paths: [String]) throws -> (documents: [JSONValue], origins: [String]) {
        var documents: [JSONValue] = [], origins: [String] = []
        for path in paths {
            let data: Data
            do {
                data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw SnapshotFileError("\(path): cannot read: \((error as NSError).localizedDescription)")
            }
            let parsed: [JSONValue]
            do {
                parsed = try JSONValue.parseDocuments(String(decoding: data, as: UTF8.self))
            } catch {
                throw SnapshotFileError("\(path): not valid JSON or YAML: \(oneLineProblem(error))")
            }
            documents += parsed
            origins += parsed.indices.map { "\(path == "-" ? "stdin" : path): document \($0 + 1)" }
        }
        return (documents, origins)
    }

    /// Builds a snapshot from objects read from files, keeping the kinds the enabled checks
    /// read (and Namespaces). With no discovery offline, an optional kind counts as served
    /// when the files hold an object of that kind or its CustomResourceDefinition.
    /// `origins[i]` names document i in errors ("FILE: document N"; "document N" without).
    public init(documents: [JSONValue], origins: [String] = [], checks: [any Check], settings: Settings = .defaults) throws(SnapshotFileError) {
        let inputs = SnapshotLoader.inputs(checks: checks, settings: settings)
        let byKind = Dictionary(uniqueKeysWithValues: inputs.map { ($0.groupKind, $0) })
        var pods: [PodRecord] = [], workloads: [WorkloadRecord] = [], objects: [ObjectRecord] = []
        var present: Set<GroupKind> = []
        var definedByCRD: Set<GroupKind> = []
        let decoder = JSONDecoder()

        var flat: [(index: Int, object: JSONValue)] = []
        for (i, doc) in documents.enumerated() {
            if let kind = doc["kind"]?.stringValue, kind.hasSuffix("List"), let items = doc["items"]?.arrayValue {
                flat += items.map { (i, $0) }
            } else {
                flat.append((i, doc))
            }
        }
        let origin = { (index: Int) in origins.indices.contains(index) ? origins[index] : "document \(index + 1)" }
        for (index, object) in flat {
            guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue else {
                throw SnapshotFileError("\(origin(index)): an object without apiVersion or kind")
            }
            let gk = GroupKind(apiVersion: apiVersion, kind: kind)
            if gk == GroupKind("apiextensions.k8s.io", "CustomResourceDefinition"),
               let group = object.value(at: ["spec", "group"])?.stringValue, let crdKind = object.value(at: ["spec", "names", "kind"])?.stringValue {
                definedByCRD.insert(GroupKind(group, crdKind))
                definedByCRD.insert(GroupKind(group, GroupKind.anyKind))
            }
            guard let input = byKind[gk] ?? byKind[GroupKind(gk.group, GroupKind.anyKind)] else { continue }
            present.insert(gk)
            present.insert(GroupKind(gk.group, GroupKind.anyKind))
            let name = object.value(at: ["metadata", "name"])?.stringValue ?? "?"
            // Every object the API serves has a name; one without could not be acted on.
            if object["metadata"]?.objectValue != nil, object.value(at: ["metadata", "name"]) == nil {
                throw SnapshotFileError("\(origin(index)) (\(kind)): metadata.name: required field missing")
            }
            do {
                let data = object.jsonData()
                // Snapshot files are small: every pod and template keeps its spec.
                try SpecRetention.$current.withValue(.everything) {
                switch input.shape {
                case .pod:
                    pods.append(try PodKeptKeys.$current.withValue(PodKeptKeys(optOutKey: settings.optOutKey)) {
                        try decoder.decode(PodRecord.self, from: data)
                    })
                case .workload:
                    var w = try decoder.decode(WorkloadRecord.self, from: data)
                    w.apiVersion = apiVersion
                    w.kind = kind
                    workloads.append(w)
                case .object(let keepSpec):
                    var o = try decoder.decode(ObjectRecord.self, from: data)
                    if !keepSpec { o.spec = nil; o.status = nil }
                    objects.append(o)
                }
                }
            } catch {
                throw SnapshotFileError("\(origin(index)) (\(kind) \(name)): \(Self.describe(error, in: object))")
            }
        }
        var listed: Set<GroupKind> = []
        var unavailable: [GroupKind: String] = [:]
        for input in inputs {
            let gk = input.groupKind
            if input.optional, !present.contains(gk), !definedByCRD.contains(gk) {
                unavailable[gk] = "no \(gk) object or CustomResourceDefinition in the snapshot files"
            } else {
                listed.insert(gk)  // a required kind absent from the files: none exist
            }
        }
        self.init(pods: pods, workloads: workloads, objects: objects, listed: listed, unavailable: unavailable)
    }

    /// The integer fields the records read: Foundation's JSONDecoder reports a fraction in
    /// one without its path ("The given data was not valid JSON."), so it is looked for.
    private static let integerFields: Set<String> = [
        "generation", "replicas", "observedGeneration", "readyReplicas", "availableReplicas", "unavailableReplicas",
        "updatedReplicas", "desiredNumberScheduled", "numberAvailable", "numberUnavailable", "updatedNumberScheduled",
    ]

    /// The path of the first integer field of `value` holding a fraction (or too large a number).
    private static func fractionalInteger(in value: JSONValue, path: String = "") -> (path: String, number: Double)? {
        if let object = value.objectValue {
            for key in object.keys.sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                if integerFields.contains(key), case .number(let n)? = object[key], value[key]?.intValue == nil { return (child, n) }
                if let found = fractionalInteger(in: object[key]!, path: child) { return found }
            }
        } else if let items = value.arrayValue {
            for (i, item) in items.enumerated() {
                if let found = fractionalInteger(in: item, path: "\(path)[\(i)]") { return found }
            }
        }
        return nil
    }

    /// "metadata.uid: expected String" rather than DecodingError's debug dump.
    private static func describe(_ error: any Error, in object: JSONValue) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        if case .dataCorrupted(let c) = e, c.codingPath.isEmpty, let found = fractionalInteger(in: object) {
            return "\(found.path): expected a whole number, got \(found.number)"
        }
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch e {
        case .typeMismatch(let type, let c): return "\(path(c)): expected \(type)"
        case .valueNotFound(let type, let c): return "\(path(c)): missing \(type)"
        case .keyNotFound(let key, let c):
            let parent = path(c)
            return "\(parent.isEmpty ? "" : parent + ".")\(key.stringValue): required field missing"
        case .dataCorrupted(let c): return "\(path(c)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
