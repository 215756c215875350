import Foundation
import Yams

/// Typed access to one YAML mapping with field paths for error messages
/// (`users[0].user.client-key-data`). Scalars are read as written, so a token of
/// digits stays a string. Shared by the kubeconfig loader and kreconcile's settings file.
public struct YAMLFields {
    public let node: Node?
    public let path: String
    public let file: String

    public init(node: Node?, path: String, file: String) {
        self.node = node
        self.path = path
        self.file = file
    }

    public func error(_ field: String, _ problem: String) -> ConfigError {
        ConfigError("\(file): \(fieldPath(field)): \(problem)")
    }

    /// `path.field`, or `field` at the top level.
    public func fieldPath(_ field: String) -> String { path.isEmpty ? field : path + "." + field }

    public func has(_ key: String) -> Bool { child(key) != nil }

    /// The value of `key`, matched by its text. Yams' `node[key]` matches resolved tags, so
    /// a quoted `"on"` (a string) would not match the key `on` (a YAML 1.1 bool) and the
    /// field would be silently ignored.
    public func child(_ key: String) -> Node? {
        guard case .mapping(let m)? = node else { return nil }
        return m.first { $0.key.string == key }?.value
    }

    public func string(_ key: String) throws -> String? {
        guard let value = child(key) else { return nil }
        if case .scalar(let s) = value {
            if s.style == .plain, s.string == "null" || s.string == "~" || s.string.isEmpty { return nil }
            return s.string
        }
        throw error(key, "must be a string")
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let raw = try string(key) else { return nil }
        switch raw.lowercased() {
        case "true": return true
        case "false": return false
        default: throw error(key, "must be true or false")
        }
    }

    public func strings(_ key: String) throws -> [String] {
        guard let value = child(key) else { return [] }
        if case .scalar(let s) = value, s.style == .plain, s.string == "null" || s.string.isEmpty { return [] }
        guard case .sequence(let seq) = value else { throw error(key, "must be a list of strings") }
        return try seq.enumerated().map { i, item in
            guard case .scalar(let s) = item else { throw error("\(key)[\(i)]", "must be a string") }
            return s.string
        }
    }

    public func mapping(_ key: String) throws -> YAMLFields? {
        guard let value = child(key) else { return nil }
        if case .scalar(let s) = value, s.style == .plain, s.string == "null" || s.string.isEmpty { return nil }
        guard case .mapping = value else { throw error(key, "must be a mapping") }
        return YAMLFields(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    public func sequence(_ key: String) throws -> [YAMLFields] {
        guard let value = child(key) else { return [] }
        if case .scalar(let s) = value, s.style == .plain, s.string == "null" || s.string.isEmpty { return [] }
        guard case .sequence(let seq) = value else { throw error(key, "must be a list") }
        return seq.enumerated().map { i, item in
            YAMLFields(node: item, path: path.isEmpty ? "\(key)[\(i)]" : "\(path).\(key)[\(i)]", file: file)
        }
    }

    /// An integer in `range`; "must be an integer between 1 and 100" otherwise.
    public func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let raw = try string(key) else { return nil }
        guard let n = Int(raw), range.contains(n) else {
            throw error(key, "must be an integer between \(range.lowerBound) and \(range.upperBound), got \(raw)")
        }
        return n
    }

    /// A number in `range` (an integer is accepted).
    public func double(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let raw = try string(key) else { return nil }
        guard let n = Double(raw), n.isFinite, range.contains(n) else {
            throw error(key, "must be a number between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), got \(raw)")
        }
        return n
    }

    /// The mapping's keys in file order (empty when the node is not a mapping).
    public var keys: [String] {
        guard case .mapping(let m)? = node else { return [] }
        return m.keys.map { $0.string ?? "" }
    }

    /// Rejects keys that are not in `known`: "budgets.maxChange: unknown field, did you mean maxChanges?".
    public func rejectUnknownKeys(_ known: [String]) throws {
        for key in keys where !known.contains(key) {
            let hint = DidYouMean.suggestion(for: key, among: known).map { ", did you mean \($0)?" } ?? ""
            throw error(key, "unknown field\(hint)")
        }
    }

    private static func format(_ d: Double) -> String { d.rounded() == d ? String(Int(d)) : String(d) }

    /// Base64 field holding PEM data; the error never repeats the value.
    public func base64(_ key: String) throws -> Data? {
        guard let text = try string(key) else { return nil }
        let cleaned = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: cleaned) else { throw error(key, "not valid base64") }
        return data
    }
}

/// A PEM block check so a wrong file (a key where a certificate belongs) fails at load time.
func requirePEM(_ data: Data, kind: PEMKind, fail: (String) -> ConfigError) throws {
    let text = String(decoding: data, as: UTF8.self)
    switch kind {
    case .certificate:
        guard text.contains("-----BEGIN CERTIFICATE-----") else { throw fail("not a PEM certificate") }
    case .privateKey:
        guard text.range(of: "-----BEGIN [A-Z ]*PRIVATE KEY-----", options: .regularExpression) != nil else {
            throw fail("not a PEM private key")
        }
    }
}

enum PEMKind { case certificate, privateKey }
