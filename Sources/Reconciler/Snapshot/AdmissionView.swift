import Foundation
import KubeClient

/// A pod as Gatekeeper's mutating webhook sees it: every label and annotation and what
/// the mutators' locations reach of its spec (`SpecProjection`). Kept only for pods a
/// mutator can reach (`SpecRetention`), as one compact JSON document rather than a tree:
/// read from the page by copying bytes (`PodPageDecoder`), parsed only while the mutation
/// check looks at the pod. At 150,000 pods, trees and full label dictionaries per pod were
/// half of the run's memory.
public struct AdmissionView: Sendable {
    /// `{"labels":{…},"annotations":{…},"spec":…}`; labels and annotations may be `null`.
    let json: [UInt8]

    /// The document as the page decoder copied it together.
    init(json: [UInt8]) { self.json = json }

    public init(labels: [String: String], annotations: [String: String], spec: JSONValue) {
        let value: JSONValue = ["labels": .object(labels.mapValues(JSONValue.string)),
                                "annotations": .object(annotations.mapValues(JSONValue.string)), "spec": spec]
        json = Array(value.jsonData())
    }

    public struct Fields: Sendable, Equatable {
        public var labels: [String: String] = [:]
        public var annotations: [String: String] = [:]
        public var spec: JSONValue = .null
    }

    /// The fields, parsed. The document always parses: the page decoder copies only values
    /// it checked (`JSONCursor.copyValue`), the other init encodes a tree.
    public func fields() -> Fields {
        var out = Fields()
        do {
            try JSONCursor.read(Data(json)) { c in
                try c.forEachField { c, key in
                    if key == "labels" { out.labels = try Self.strings(&c) }
                    else if key == "annotations" { out.annotations = try Self.strings(&c) }
                    else if key == "spec" { out.spec = try c.value() }
                    else { try c.skipValue() }
                }
            }
        } catch {
            preconditionFailure("an admission view holds only checked JSON: \(error)")
        }
        return out
    }

    private static func strings(_ c: inout JSONCursor) throws -> [String: String] {
        var map: [String: String] = [:]
        try c.forEachField { c, key in map[key.string] = try c.string() }
        return map
    }
}

extension AdmissionView: Equatable {
    /// Equal when the fields are: the page decoder's copy and a re-encoded tree differ in
    /// key order and spacing only.
    public static func == (a: AdmissionView, b: AdmissionView) -> Bool {
        a.json == b.json || a.fields() == b.fields()
    }
}
