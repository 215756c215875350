import Foundation
import KubeClient

/// Read and write access to `metadata.*` of an unstructured object.
extension JSONValue {
    var metadata: [String: JSONValue] {
        get { self["metadata"]?.objectValue ?? [:] }
        set { self["metadata"] = .object(newValue) }
    }

    func meta(_ key: String) -> String? { self["metadata"]?[key]?.stringValue }

    mutating func setMeta(_ key: String, _ value: JSONValue?) {
        var m = metadata
        m[key] = value
        metadata = m
    }

    var name: String { meta("name") ?? "" }
    var namespace: String { meta("namespace") ?? "" }
    var labels: [String: String] {
        (self["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues { $0.stringValue }
    }
}

/// Server-side values written into objects.
enum ServerStamp {
    static func now() -> String { Date().formatted(.iso8601) }
    static func uid() -> String { UUID().uuidString.lowercased() }

    /// names.SimpleNameGenerator: five characters from a consonant/digit alphabet.
    static func generatedSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}
