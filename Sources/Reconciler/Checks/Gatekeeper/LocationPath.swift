import Foundation
import KubeClient

/// A Gatekeeper mutator `location` (or `pathTests[].subPath`), parsed.
///
/// Grammar, as Gatekeeper's scanner and parser accept it (open-policy-agent/gatekeeper
/// pkg/mutation/path/token/scanner.go, pkg/mutation/path/parser/parser.go and its
/// parser_test.go table):
///
///     path     = segment { "." segment }
///     segment  = field [ "[" field ":" ( field | "*" ) "]" ]
///     field    = ident | quoted
///     ident    = 1*( "a"-"z" | "A"-"Z" | "0"-"9" | "_" | "-" )
///     quoted   = '"' ... '"' | "'" ... "'"    (backslash escapes the next character)
///
/// Whitespace may surround any token. `*` is a glob only as a list value, unquoted (a
/// quoted "*" is the literal value). Anything else (a leading or trailing ".", an empty
/// segment, two list selectors in a row, a list selector without key, a `*` segment, an
/// unterminated string) is an error, as in Gatekeeper.
public struct LocationPath: Sendable, Equatable, CustomStringConvertible {
    public enum Node: Sendable, Equatable {
        /// An object field: `containers`.
        case field(String)
        /// A list element selector: `[name: foo]` (value) or `[name: *]` (every element).
        case list(key: String, value: String?)

        public var isGlob: Bool { if case .list(_, nil) = self { return true }; return false }
    }

    public var nodes: [Node]

    public init(_ nodes: [Node]) { self.nodes = nodes }

    /// Parses `text`; the error says what was expected where, like Gatekeeper's.
    public init(parsing text: String) throws(LocationPathError) {
        var scanner = Scanner(Array(text.unicodeScalars))
        var nodes: [Node] = []
        var token = try scanner.next()
        if case .end = token { self.nodes = []; return }
        while true {
            guard case .ident(let name) = token else {
                throw LocationPathError(text, "expected field name, got \(token)")
            }
            nodes.append(.field(name))
            token = try scanner.next()
            if case .lbracket = token {
                guard case .ident(let key) = try scanner.next() else { throw LocationPathError(text, "expected key field in list selector") }
                guard case .colon = try scanner.next() else { throw LocationPathError(text, "expected ':' after key field \(key)") }
                let valueToken = try scanner.next()
                switch valueToken {
                case .glob: nodes.append(.list(key: key, value: nil))
                case .ident(let value): nodes.append(.list(key: key, value: value))
                default: throw LocationPathError(text, "expected key value or * in list selector, got \(valueToken)")
                }
                guard case .rbracket = try scanner.next() else { throw LocationPathError(text, "expected ']' after list selector") }
                token = try scanner.next()
            }
            switch token {
            case .end:
                self.nodes = nodes
                return
            case .dot:
                token = try scanner.next()
                if case .end = token { throw LocationPathError(text, "trailing separators are forbidden") }
            default:
                throw LocationPathError(text, "expected '.' or end, got \(token)")
            }
        }
    }

    /// The path written back in Gatekeeper's syntax (fields quoted when they need it).
    public var description: String {
        var out = ""
        for node in nodes {
            switch node {
            case .field(let name):
                if !out.isEmpty { out += "." }
                out += Self.quoted(name)
            case .list(let key, let value):
                out += "[\(Self.quoted(key)): \(value.map(Self.quoted) ?? "*")]"
            }
        }
        return out
    }

    /// True when `prefix` is this path's first nodes (pathTests subPaths must be).
    public func hasPrefix(_ prefix: LocationPath) -> Bool {
        prefix.nodes.count <= nodes.count && Array(nodes.prefix(prefix.nodes.count)) == prefix.nodes
    }

    static func isIdentChar(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
    }

    /// Escapes scalar by scalar, as the scanner reads: a quote or backslash followed by a
    /// combining mark is one Character, which a Character-wise replace would leave unescaped
    /// (found by the location-path fuzzer: the printed path did not parse back).
    static func quoted(_ s: String) -> String {
        if !s.isEmpty, s.unicodeScalars.allSatisfy(isIdentChar) { return s }
        var out = String.UnicodeScalarView(["\""])
        for scalar in s.unicodeScalars {
            if scalar == "\\" || scalar == "\"" { out.append("\\") }
            out.append(scalar)
        }
        out.append("\"")
        return String(out)
    }
}

/// A location that does not parse: `location "spec..x": expected field name, got '.'`.
public struct LocationPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var problem: String
    init(_ text: String, _ problem: String) {
        self.text = text
        self.problem = problem
    }
    /// One line: the location and its tokens are cluster data and may hold line breaks.
    public var description: String { "location \"\(text)\": \(problem)".escapingControlCharacters }
}

/// Splits a location into tokens (see the grammar on `LocationPath`).
private struct Scanner {
    enum Token: CustomStringConvertible {
        case ident(String), dot, lbracket, rbracket, colon, glob, end
        var description: String {
            switch self {
            case .ident(let s): return "\"\(s)\""
            case .dot: return "'.'"
            case .lbracket: return "'['"
            case .rbracket: return "']'"
            case .colon: return "':'"
            case .glob: return "'*'"
            case .end: return "end"
            }
        }
    }

    let input: [Unicode.Scalar]
    var pos = 0

    init(_ input: [Unicode.Scalar]) { self.input = input }

    mutating func next() throws(LocationPathError) -> Token {
        while pos < input.count, [" ", "\t", "\r", "\n"].contains(input[pos]) { pos += 1 }
        guard pos < input.count else { return .end }
        let c = input[pos]
        pos += 1
        switch c {
        case ".": return .dot
        case "[": return .lbracket
        case "]": return .rbracket
        case ":": return .colon
        case "*": return .glob
        case "\"", "'":
            var out = String.UnicodeScalarView()
            while pos < input.count {
                let s = input[pos]
                pos += 1
                if s == c { return .ident(String(out)) }
                if s == "\\" {
                    if pos < input.count { out.append(input[pos]); pos += 1 }
                    continue
                }
                out.append(s)
            }
            throw LocationPathError(String(String.UnicodeScalarView(input)), "unterminated string")
        default:
            guard LocationPath.isIdentChar(c) else {
                throw LocationPathError(String(String.UnicodeScalarView(input)), "invalid character '\(c)' at position \(pos - 1)")
            }
            var out = String.UnicodeScalarView([c])
            while pos < input.count, LocationPath.isIdentChar(input[pos]) { out.append(input[pos]); pos += 1 }
            return .ident(String(out))
        }
    }
}
