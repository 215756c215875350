import Foundation
import KubeClient

/// Compact JSON with keys in byte order, written straight into a byte buffer. Bulk loading
/// encodes 150k objects; this is many times faster than JSONEncoder and gives the same
/// bytes for the same value.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    /// Pre-encoded fragments: a string value that starts with NUL and is a key here is
    /// written as these bytes instead (the generator splices shared managedFields subtrees).
    var raw: [String: [UInt8]] = [:]

    static func encode(_ value: JSONValue, raw: [String: [UInt8]] = [:]) -> Data {
        var w = JSONWriter()
        w.raw = raw
        w.write(value)
        return Data(w.bytes)
    }

    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): bytes.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .number(let n):
            if n.rounded() == n, abs(n) < 9.0e15 { bytes.append(contentsOf: String(Int64(n)).utf8) } else { bytes.append(contentsOf: "\(n)".utf8) }
        case .string(let s):
            if !raw.isEmpty, s.utf8.first == 0, let fragment = raw[s] {
                bytes.append(contentsOf: fragment)
            } else {
                writeString(s)
            }
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                write(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let dict):
            bytes.append(UInt8(ascii: "{"))
            // String order is code point order for NFC text (byte order for ASCII keys), the
            // order Go's encoding/json uses for maps.
            let keys = dict.keys.sorted()
            for (i, key) in keys.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(key)
                bytes.append(UInt8(ascii: ":"))
                write(dict[key]!)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        // Fast path: nothing to escape, copy the UTF-8 bytes in one go.
        let copied = s.withUTF8 { buf -> Bool in
            guard !buf.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            bytes.append(contentsOf: buf)
            return true
        }
        if copied {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Self.hexDigits[Int(b >> 4)])
                bytes.append(Self.hexDigits[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
