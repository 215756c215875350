import Foundation
import KubeClient
/// A parsed `labelSelector` query (k8s.io/apimachinery/pkg/labels/selector.go syntax):
/// `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma = AND.
struct LabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case notExists(String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        /// `k>N` / `k<N`: the label must parse as an integer (selection.Operator Gt/Lt).
        case greaterThan(String, Int)
        case lessThan(String, Int)
    }

    var requirements: [Requirement] = []
    var isEmpty: Bool { requirements.isEmpty }

    init(parsing text: String) throws(APIError) {
        for clause in text.selectorRequirements {
            let c = clause.trimmingCharacters(in: .whitespaces)
            if c.isEmpty { continue }
            requirements.append(try Self.parseRequirement(c))
        }
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { r in
            switch r {
            case .equals(let k, let v): return labels[k] == v
            case .notEquals(let k, let v): return labels[k] != v
            case .exists(let k): return labels[k] != nil
            case .notExists(let k): return labels[k] == nil
            case .isIn(let k, let vs): return labels[k].map(vs.contains) ?? false
            case .notIn(let k, let vs): return labels[k].map { !vs.contains($0) } ?? true
            case .greaterThan(let k, let n): return labels[k].flatMap { Int($0) }.map { $0 > n } ?? false
            case .lessThan(let k, let n): return labels[k].flatMap { Int($0) }.map { $0 < n } ?? false
            }
        }
    }

    private static func parseRequirement(_ c: String) throws(APIError) -> Requirement {
        func bad() -> APIError { .badRequest("unable to parse requirement: found '\(c)', expected: identifier") }
        if c.hasPrefix("!") {
            let key = c.dropFirst().trimmingCharacters(in: .whitespaces)
            guard validKey(key) else { throw bad() }
            return .notExists(key)
        }
        if let r = c.range(of: "!=") {
            return .notEquals(try key(c[..<r.lowerBound], bad), value(c[r.upperBound...]))
        }
        if let r = c.range(of: "==") {
            return .equals(try key(c[..<r.lowerBound], bad), value(c[r.upperBound...]))
        }
        if let r = c.range(of: "=") {
            return .equals(try key(c[..<r.lowerBound], bad), value(c[r.upperBound...]))
        }
        for op in [">", "<"] {
            if let r = c.range(of: op) {
                let k = try key(c[..<r.lowerBound], bad)
                guard let n = Int(value(c[r.upperBound...])) else {
                    throw .badRequest("unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer")
                }
                return op == ">" ? .greaterThan(k, n) : .lessThan(k, n)
            }
        }
        for (word, notIn) in [(" notin ", true), (" in ", false)] {
            if let r = c.range(of: word) {
                let k = try key(c[..<r.lowerBound], bad)
                let rest = c[r.upperBound...].trimmingCharacters(in: .whitespaces)
                guard rest.hasPrefix("("), rest.hasSuffix(")") else { throw bad() }
                let values = Set(rest.dropFirst().dropLast().split(separator: ",").map { value($0) })
                return notIn ? .notIn(k, values) : .isIn(k, values)
            }
        }
        guard validKey(c) else { throw bad() }
        return .exists(c)
    }

    private static func key(_ s: Substring, _ bad: () -> APIError) throws(APIError) -> String {
        let k = s.trimmingCharacters(in: .whitespaces)
        guard validKey(k) else { throw bad() }
        return k
    }

    private static func value(_ s: Substring) -> String { s.trimmingCharacters(in: .whitespaces) }

    private static func validKey(_ k: String) -> Bool {
        !k.isEmpty && k.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
    }
}
