import Foundation
import KubeClient

/// The `labelSelector` query syntax of apimachinery's labels.Parse, checked when a profile
/// is loaded so a bad selector is a profile error (exit 2), not a 400 in the middle of a
/// teardown: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, `k>1`, `k<1`,
/// comma-separated; keys are qualified names, values label values.
enum LabelSelectorSyntax {
    /// nil when valid, else what is wrong with which requirement.
    static func problem(_ text: String) -> String? {
        for clause in text.selectorRequirements {
            let c = clause.trimmingCharacters(in: .whitespaces)
            guard !c.isEmpty else { return "an empty requirement (a stray comma)" }
            if let p = requirementProblem(c) { return "\"\(c)\": \(p)" }
        }
        return nil
    }

    private static func requirementProblem(_ c: String) -> String? {
        if c.hasPrefix("!") { return keyProblem(c.dropFirst()) }
        for word in [" notin ", " in "] {
            guard let r = c.range(of: word) else { continue }
            if let p = keyProblem(c[..<r.lowerBound]) { return p }
            let rest = c[r.upperBound...].trimmingCharacters(in: .whitespaces)
            guard rest.hasPrefix("("), rest.hasSuffix(")") else { return "the values must be in parentheses: (a,b)" }
            let values = rest.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
            for v in values { if let p = valueProblem(v) { return p } }
            return nil
        }
        for op in ["!=", "==", "=", ">", "<"] {
            guard let r = c.range(of: op) else { continue }
            if let p = keyProblem(c[..<r.lowerBound]) { return p }
            let value = c[r.upperBound...]
            if op == ">" || op == "<" {
                return Int(value.trimmingCharacters(in: .whitespaces)) == nil ? "\(op) needs an integer value" : nil
            }
            return valueProblem(value)
        }
        return keyProblem(Substring(c))
    }

    private static func keyProblem(_ s: Substring) -> String? {
        let key = s.trimmingCharacters(in: .whitespaces)
        return KubeNames.isQualifiedName(key) ? nil : "\"\(key)\" is not a label key"
    }

    private static func valueProblem(_ s: Substring) -> String? {
        let v = s.trimmingCharacters(in: .whitespaces)
        if v.isEmpty { return nil }
        guard v.count <= 63, let f = v.first, let l = v.last, f.isASCII && (f.isLetter || f.isNumber), l.isASCII && (l.isLetter || l.isNumber),
              v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            return "\"\(v)\" is not a label value"
        }
        return nil
    }
}
