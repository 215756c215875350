import Foundation
import Yams

/// Typed access to one YAML mapping with field paths for error messages
/// (`users[0].user.client-key-data`). Scalars are read as written, so a token of
/// digits stays a string.
struct YAMLFields {
    let node: Node?
    let path: String
    let file: String

    func error(_ field: String, _ problem: String) -> ConfigError {
        ConfigError("\(file): \(path.isEmpty ? field : path + "." + field): \(problem)")
    }

    func has(_ key: String) -> Bool { node?[key] != nil }

    func string(_ key: String) throws -> String? {
        guard let value = node?[key] else { return nil }
        if case .scalar(let s) = value {
            if s.style == .plain, s.string == "null" || s.string == "~" || s.string.isEmpty { return nil }
            return s.string
        }
        throw error(key, "must be a string")
    }

    func bool(_ key: String) throws -> Bool? {
        guard let raw = try string(key) else { return nil }
        switch raw.lowercased() {
        case "true": return true
        case "false": return false
        default: throw error(key, "must be true or false")
        }
    }

    func strings(_ key: String) throws -> [String] {
        guard let value = node?[key] else { return [] }
        if case .scalar(let s) = value, s.style == .plain, s.string == "null" || s.string.isEmpty { return [] }
        guard case .sequence(let seq) = value else { throw error(key, "must be a list of strings") }
        return try seq.enumerated().map { i, item in
            guard case .scalar(let s) = item else { throw error("\(key)[\(i)]", "must be a string") }
            return s.string
        }
    }

    func mapping(_ key: String) throws -> YAMLFields? {
        guard let value = node?[key] else { return nil }
        if case .scalar(let s) = value, s.style == .plain, s.string == "null" || s.string.isEmpty { return nil }
        guard case .mapping = value else { throw error(key, "must be a mapping") }
        return YAMLFields(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    func sequence(_ key: String) throws -> [YAMLFields] {
        guard let value = node?[key] else { return [] }
        if case .scalar(let s) = value, s.style == .plain, s.string == "null" || s.string.isEmpty { return [] }
        guard case .sequence(let seq) = value else { throw error(key, "must be a list") }
        return seq.enumerated().map { i, item in
            YAMLFields(node: item, path: path.isEmpty ? "\(key)[\(i)]" : "\(path).\(key)[\(i)]", file: file)
        }
    }

    /// Base64 field holding PEM data; the error never repeats the value.
    func base64(_ key: String) throws -> Data? {
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
