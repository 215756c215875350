import Foundation

/// Reads stored object bytes without building a tree: finds a member's value, skips values,
/// decodes strings. The bytes are the emulator's own encoder output (valid, compact JSON),
/// so anything unexpected answers nil instead of a diagnostic. Metadata-only lists, Table
/// rows and selectors use this so a list page never parses whole objects.
enum JSONScanner {
    typealias Bytes = UnsafeRawBufferPointer

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    private static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    private static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
    private static let comma = UInt8(ascii: ","), colon = UInt8(ascii: ":")

    static func skipSpace(_ b: Bytes, _ i: Int) -> Int {
        var i = i
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }

    /// `i` is at an opening quote; answers the index after the closing one.
    static func skipString(_ b: Bytes, _ i: Int) -> Int? {
        var i = i + 1
        while i < b.count {
            let c = b[i]
            if c == quote { return i + 1 }
            i += c == backslash ? 2 : 1
        }
        return nil
    }

    /// `i` is at the first byte of a value; answers the index after it.
    static func skipValue(_ b: Bytes, _ i: Int) -> Int? {
        guard i < b.count else { return nil }
        switch b[i] {
        case quote: return skipString(b, i)
        case openBrace, openBracket:
            var depth = 0, i = i
            while i < b.count {
                switch b[i] {
                case quote:
                    guard let next = skipString(b, i) else { return nil }
                    i = next
                    continue
                case openBrace, openBracket: depth += 1
                case closeBrace, closeBracket:
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        default:
            // A number, true, false or null: up to the next delimiter.
            var i = i
            while i < b.count, b[i] != comma, b[i] != closeBrace, b[i] != closeBracket, b[i] > 0x20 { i += 1 }
            return i
        }
    }

    /// The value of member `key` in the object at `object` (which starts at its `{`).
    /// Keys are compared as raw bytes: the keys looked up here need no escaping.
    static func member(_ key: String, in b: Bytes, object: Range<Int>) -> Range<Int>? {
        var i = skipSpace(b, object.lowerBound)
        guard i < object.upperBound, b[i] == openBrace else { return nil }
        i += 1
        var key = key
        return key.withUTF8 { k -> Range<Int>? in
            while true {
                i = skipSpace(b, i)
                guard i < object.upperBound, b[i] == quote, let keyEnd = skipString(b, i) else { return nil }
                let matches = keyEnd - i - 2 == k.count && memcmp(b.baseAddress! + i + 1, k.baseAddress!, k.count) == 0
                i = skipSpace(b, keyEnd)
                guard i < object.upperBound, b[i] == colon else { return nil }
                let start = skipSpace(b, i + 1)
                guard let end = skipValue(b, start) else { return nil }
                if matches { return start..<end }
                i = skipSpace(b, end)
                guard i < object.upperBound, b[i] == comma else { return nil }
                i += 1
            }
        }
    }

    /// Follows object keys from the value at `range`.
    static func path(_ keys: [String], in b: Bytes, from range: Range<Int>) -> Range<Int>? {
        var r = range
        for key in keys {
            guard let next = member(key, in: b, object: r) else { return nil }
            r = next
        }
        return r
    }

    /// A JSON string value (quotes included in `r`), unescaped.
    static func string(_ b: Bytes, _ r: Range<Int>) -> String? {
        guard r.count >= 2, b[r.lowerBound] == quote else { return nil }
        let inner = r.lowerBound + 1..<r.upperBound - 1
        let raw = Bytes(rebasing: b[inner])
        if !raw.contains(backslash) { return String(decoding: raw, as: UTF8.self) }
        return unescape(raw)
    }

    /// The text a scalar compares as in a field selector: strings unquoted, true/false and
    /// numbers as written; nil for objects, arrays and null.
    static func scalarText(_ b: Bytes, _ r: Range<Int>) -> String? {
        guard let first = r.first.map({ b[$0] }) else { return nil }
        if first == quote { return string(b, r) }
        if first == openBrace || first == openBracket { return nil }
        let text = String(decoding: Bytes(rebasing: b[r]), as: UTF8.self)
        return text == "null" ? nil : text
    }

    /// A flat object of strings (labels, annotations); non-string members are left out.
    static func stringMap(_ b: Bytes, _ r: Range<Int>) -> [String: String] {
        var out: [String: String] = [:]
        var i = skipSpace(b, r.lowerBound)
        guard i < r.upperBound, b[i] == openBrace else { return out }
        i += 1
        while true {
            i = skipSpace(b, i)
            guard i < r.upperBound, b[i] == quote, let keyEnd = skipString(b, i), let key = string(b, i..<keyEnd) else { return out }
            i = skipSpace(b, keyEnd)
            guard i < r.upperBound, b[i] == colon else { return out }
            let start = skipSpace(b, i + 1)
            guard let end = skipValue(b, start) else { return out }
            if let value = string(b, start..<end) { out[key] = value }
            i = skipSpace(b, end)
            guard i < r.upperBound, b[i] == comma else { return out }
            i += 1
        }
    }

    /// Decodes JSON escapes, including \u surrogate pairs.
    static func unescape(_ raw: Bytes) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            return UInt32(String(decoding: Bytes(rebasing: raw[at..<at + 4]), as: UTF8.self), radix: 16)
        }
        while i < raw.count {
            let c = raw[i]
            guard c == backslash, i + 1 < raw.count else { out.append(c); i += 1; continue }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(i) else { return nil }
                i += 4
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= raw.count, raw[i] == backslash, raw[i + 1] == UInt8(ascii: "u"),
                   let low = hex4(i + 2), (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default: out.append(e)  // \" \\ \/
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
