import Foundation

/// A forward-only reader over JSON bytes for list pages too big to decode whole: the
/// caller walks the fields it needs and `skipValue()` passes over the rest (managedFields,
/// env, probes...) without building anything. JSONDecoder instead indexes every token of
/// the page and builds a key table per object it visits; a 4.5 MB page of 500 pods then
/// costs several times the bytes actually read.
///
/// Strictness: what is read is validated as JSON (a wrong type or a broken literal throws
/// `JSONCursor.SyntaxError` with the byte offset); skipped values are only delimited
/// (strings, brackets), since a server's output is well-formed and its details unread.
public struct JSONCursor {
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "byte \(offset): \(message)" }
    }

    /// An object key as it appears in the document (escapes not yet resolved).
    public struct Key {
        let start: UnsafePointer<UInt8>
        let count: Int
        let escaped: Bool

        /// Compares without allocating (keys with escapes are decoded first).
        public static func == (key: Key, literal: StaticString) -> Bool {
            if key.escaped { return key.string == literal.description }
            guard key.count == literal.utf8CodeUnitCount else { return false }
            return memcmp(key.start, literal.utf8Start, key.count) == 0
        }

        /// The same bytes as `other` (no allocation unless the key has escapes).
        public func equals(_ other: String) -> Bool {
            if escaped { return string == other }
            var other = other
            return other.withUTF8 { $0.count == count && memcmp(start, $0.baseAddress!, count) == 0 }
        }

        public func hasPrefix(_ prefix: String) -> Bool {
            if escaped { return string.hasPrefix(prefix) }
            var prefix = prefix
            return prefix.withUTF8 { $0.count <= count && memcmp(start, $0.baseAddress!, $0.count) == 0 }
        }

        /// Writes the key, quoted, as it appears in the document (escapes kept).
        public func appendQuoted(to out: inout [UInt8]) {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
            out.append(UInt8(ascii: "\""))
        }

        public var string: String {
            guard escaped else { return String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) }
            return (try? decoded()) ?? "\u{FFFD}"  // a malformed escape in a key: never a known key
        }
    }

    private let base: UnsafePointer<UInt8>
    private let end: Int
    public private(set) var offset = 0

    private init(_ base: UnsafePointer<UInt8>, _ count: Int) {
        self.base = base
        self.end = count
    }

    /// Runs `body` over the document in `data`; anything but whitespace after it is an error.
    public static func read<T>(_ data: Data, _ body: (inout JSONCursor) throws -> T) throws -> T {
        try data.withUnsafeBytes { raw -> T in
            guard let p = raw.bindMemory(to: UInt8.self).baseAddress, raw.count > 0 else {
                throw SyntaxError(offset: 0, message: "empty document")
            }
            var cursor = JSONCursor(p, raw.count)
            let value = try body(&cursor)
            cursor.skipWhitespace()
            guard cursor.offset == cursor.end else { throw cursor.error("unexpected data after the document") }
            return value
        }
    }

    /// Runs `body` over the start of the document in `data`, for a look at its first
    /// fields: what follows is not read, so it is not checked either.
    public static func readPrefix<T>(_ data: Data, _ body: (inout JSONCursor) throws -> T) throws -> T {
        try data.withUnsafeBytes { raw -> T in
            guard let p = raw.bindMemory(to: UInt8.self).baseAddress, raw.count > 0 else {
                throw SyntaxError(offset: 0, message: "empty document")
            }
            var cursor = JSONCursor(p, raw.count)
            return try body(&cursor)
        }
    }

    // MARK: structure

    /// The next value's first byte (after whitespace), nil at the end.
    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return offset < end ? base[offset] : nil
    }

    /// Consumes a `null` and says so; anything else is left in place.
    public mutating func consumeNull() throws -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// Calls `body` for each field of an object; `body` must consume the value (read or
    /// skip it). `null` counts as an empty object, as decodeIfPresent reads it.
    @inline(__always)
    public mutating func forEachField(_ body: (inout JSONCursor, Key) throws -> Void) throws {
        try forEachFieldUntil { c, key in try body(&c, key); return false }
    }

    /// `forEachField` that stops, inside the object, at the first field `body` returns true
    /// for (after `body` read it as it liked): for a look at a document's first fields.
    public mutating func forEachFieldUntil(_ body: (inout JSONCursor, Key) throws -> Bool) throws {
        if try consumeNull() { return }
        try expect(UInt8(ascii: "{"), "an object")
        if peek() == UInt8(ascii: "}") { offset += 1; return }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a field name") }
            let key = try rawString()
            try expect(UInt8(ascii: ":"), "':'")
            if try body(&self, key) { return }
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"): offset += 1; return
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    /// Calls `body` for each element of an array; `null` counts as empty.
    public mutating func forEachElement(_ body: (inout JSONCursor) throws -> Void) throws {
        if try consumeNull() { return }
        try expect(UInt8(ascii: "["), "an array")
        if peek() == UInt8(ascii: "]") { offset += 1; return }
        while true {
            try body(&self)
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"): offset += 1; return
            default: throw error("expected ',' or ']' in an array")
            }
        }
    }

    /// Passes over one value of any type.
    public mutating func skipValue() throws {
        guard let first = peek() else { throw error("expected a value") }
        switch first {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            repeat {
                guard offset < end else { throw error("unterminated \(first == UInt8(ascii: "{") ? "object" : "array")") }
                switch base[offset] {
                case UInt8(ascii: "\""): try skipString(); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
                offset += 1
            } while depth > 0
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            _ = try number()
        }
    }

    /// Appends the next value's bytes as they are in the document and moves past it. Unlike
    /// `skipValue`, the value is checked to be JSON, so the copy always parses.
    public mutating func copyValue(into out: inout [UInt8]) throws {
        skipWhitespace()
        let start = offset
        try skipValidated()
        out.append(contentsOf: UnsafeBufferPointer(start: base + start, count: offset - start))
    }

    private mutating func skipValidated() throws {
        switch peek() {
        case UInt8(ascii: "{"): try forEachField { c, _ in try c.skipValidated() }
        case UInt8(ascii: "["): try forEachElement { c in try c.skipValidated() }
        case UInt8(ascii: "\""): if case let s = try rawString(), s.escaped { _ = try s.decoded() }
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()
        }
    }

    // MARK: scalars

    public mutating func string() throws -> String {
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a string") }
        return try rawString().decoded()
    }

    /// A string, or nil for `null`.
    public mutating func stringOrNull() throws -> String? {
        try consumeNull() ? nil : try string()
    }

    public mutating func bool() throws -> Bool {
        switch peek() {
        case UInt8(ascii: "t"): try literal("true"); return true
        case UInt8(ascii: "f"): try literal("false"); return false
        default: throw error("expected true or false")
        }
    }

    /// A JSON number as Double.
    public mutating func number() throws -> Double {
        skipWhitespace()
        let start = offset
        while offset < end, Self.isNumberByte(base[offset]) { offset += 1 }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: offset - start), as: UTF8.self)
        guard !text.isEmpty, let value = Double(text) else {
            offset = start
            throw error(text.isEmpty ? "expected a value" : "not a number: \(text)")
        }
        return value
    }

    /// An integer (a number without fraction), as JSONDecoder reads `Int`.
    public mutating func int() throws -> Int {
        let start = offset
        let n = try number()
        guard n.rounded() == n, abs(n) < 9.0e15 else { offset = start; throw error("expected an integer") }
        return Int(n)
    }

    /// Any value as a tree.
    public mutating func value() throws -> JSONValue {
        switch peek() {
        case UInt8(ascii: "{"):
            var object: [String: JSONValue] = [:]
            try forEachField { c, key in object[key.string] = try c.value() }
            return .object(object)
        case UInt8(ascii: "["):
            var array: [JSONValue] = []
            try forEachElement { c in array.append(try c.value()) }
            return .array(array)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try bool())
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    // MARK: internals

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }

    private mutating func skipWhitespace() {
        while offset < end {
            switch base[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    private func error(_ message: String) -> SyntaxError { SyntaxError(offset: offset, message: message) }

    private mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard peek() == byte else { throw error("expected \(what)") }
        offset += 1
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard end - offset >= n, memcmp(base + offset, word.utf8Start, n) == 0 else { throw error("expected \(word)") }
        offset += n
    }

    /// Past the closing quote of the string that starts at `offset`.
    private mutating func skipString() throws { _ = try rawString() }

    /// The string starting at `offset` (a quote), undecoded; the cursor moves past it.
    private mutating func rawString() throws -> Key {
        let open = offset
        var from = open + 1
        while true {
            // The next quote closes the string unless an odd run of backslashes precedes it.
            guard let found = memchr(base + from, Int32(UInt8(ascii: "\"")), end - from) else {
                throw error("unterminated string")
            }
            let quote = base.distance(to: UnsafePointer(found.assumingMemoryBound(to: UInt8.self)))
            var backslashes = 0
            while quote - backslashes - 1 > open, base[quote - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
            if backslashes % 2 == 0 {
                offset = quote + 1
                let count = quote - open - 1
                let escaped = count > 0 && memchr(base + open + 1, Int32(UInt8(ascii: "\\")), count) != nil
                return Key(start: base + open + 1, count: count, escaped: escaped)
            }
            from = quote + 1
        }
    }
}

extension JSONCursor.Key {
    /// The string's value with escapes resolved.
    fileprivate func decoded() throws -> String {
        guard escaped else { return String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var i = 0
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= count else { throw JSONCursor.SyntaxError(offset: at, message: "short \\u escape") }
            var v: UInt32 = 0
            for k in 0..<4 {
                let b = start[at + k]
                let d: UInt8
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
                default: throw JSONCursor.SyntaxError(offset: at + k, message: "bad hex digit in \\u escape")
                }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while i < count {
            let b = start[i]
            guard b == UInt8(ascii: "\\") else { out.append(b); i += 1; continue }
            guard i + 1 < count else { throw JSONCursor.SyntaxError(offset: i, message: "dangling backslash") }
            let e = start[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(i)
                i += 4
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= count, start[i] == UInt8(ascii: "\\"), start[i + 1] == UInt8(ascii: "u") {
                    let low = try hex4(i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default:
                throw JSONCursor.SyntaxError(offset: i - 1, message: "unknown escape \\\(Character(Unicode.Scalar(e)))")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
