import Foundation
import KubeClient

/// Builds a `JSONValue` from stored object bytes in one pass. Foundation's
/// JSONSerialization goes through NSDictionary/NSNumber on Linux and is several times
/// slower; stored bytes are our own encoder's output, so nil (not a diagnostic) covers the
/// malformed case. Request bodies still go through `JSONValue.parse`, whose errors are
/// shown to clients.
enum JSONTreeParser {
    static func parse(_ data: Data) -> JSONValue? { parse(data, omitManagedFields: false) }

    /// `omitManagedFields`: leave out `metadata.managedFields` (skipped, never built), for
    /// readers such as Table printers that never look at it; on real pods it is 1-3 KB.
    static func parse(_ data: Data, omitManagedFields: Bool) -> JSONValue? {
        data.withUnsafeBytes { b -> JSONValue? in
            var i = 0
            guard let v = value(b, &i, omit: omitManagedFields ? .topLevel : .nothing) else { return nil }
            return JSONScanner.skipSpace(b, i) == b.count ? v : nil
        }
    }

    /// Where the parse stands on the way to `metadata.managedFields`.
    private enum Omit { case nothing, topLevel, metadata }

    private static func value(_ b: JSONScanner.Bytes, _ i: inout Int, omit: Omit = .nothing) -> JSONValue? {
        i = JSONScanner.skipSpace(b, i)
        guard i < b.count else { return nil }
        switch b[i] {
        case UInt8(ascii: "{"):
            var dict: [String: JSONValue] = [:]
            i = JSONScanner.skipSpace(b, i + 1)
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(dict) }
            while true {
                i = JSONScanner.skipSpace(b, i)
                guard i < b.count, b[i] == UInt8(ascii: "\""), let end = JSONScanner.skipString(b, i),
                      let key = JSONScanner.string(b, i..<end) else { return nil }
                i = JSONScanner.skipSpace(b, end)
                guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
                i = JSONScanner.skipSpace(b, i + 1)
                if omit == .metadata, key == "managedFields" {
                    guard let next = JSONScanner.skipValue(b, i) else { return nil }
                    i = next
                } else {
                    guard let v = value(b, &i, omit: omit == .topLevel && key == "metadata" ? .metadata : .nothing) else { return nil }
                    dict[key] = v
                }
                i = JSONScanner.skipSpace(b, i)
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                guard b[i] == UInt8(ascii: "}") else { return nil }
                i += 1
                return .object(dict)
            }
        case UInt8(ascii: "["):
            var items: [JSONValue] = []
            i = JSONScanner.skipSpace(b, i + 1)
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                guard let v = value(b, &i) else { return nil }
                items.append(v)
                i = JSONScanner.skipSpace(b, i)
                guard i < b.count else { return nil }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                guard b[i] == UInt8(ascii: "]") else { return nil }
                i += 1
                return .array(items)
            }
        case UInt8(ascii: "\""):
            guard let end = JSONScanner.skipString(b, i), let s = JSONScanner.string(b, i..<end) else { return nil }
            i = end
            return .string(s)
        default:
            guard let end = JSONScanner.skipValue(b, i), end > i else { return nil }
            let token = JSONScanner.Bytes(rebasing: b[i..<end])
            i = end
            return scalar(token)
        }
    }

    private static func scalar(_ t: JSONScanner.Bytes) -> JSONValue? {
        switch t.first {
        case UInt8(ascii: "t"): return t.elementsEqual("true".utf8) ? .bool(true) : nil
        case UInt8(ascii: "f"): return t.elementsEqual("false".utf8) ? .bool(false) : nil
        case UInt8(ascii: "n"): return t.elementsEqual("null".utf8) ? .null : nil
        default:
            // Integers up to 15 digits without a detour through text (most numbers in objects).
            var n = 0, negative = false, simple = t.count <= 16
            for (k, c) in t.enumerated() where simple {
                if k == 0, c == UInt8(ascii: "-") { negative = true; continue }
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { simple = false; break }
                n = n * 10 + Int(c - UInt8(ascii: "0"))
            }
            if simple, t.count > (negative ? 1 : 0) { return .number(Double(negative ? -n : n)) }
            return Double(String(decoding: t, as: UTF8.self)).map { .number($0) }
        }
    }
}
