/// A minimal protobuf wire-format reader (varints, length-delimited fields, skipping).
struct ProtobufWire {
    var bytes: [UInt8]
    var position: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        position = 0
    }

    mutating func varint() -> UInt64? {
        var result: UInt64 = 0, shift: UInt64 = 0
        while position < bytes.count, shift < 64 {
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    /// (field number, wire type) of the next field; nil at the end or on garbage.
    mutating func tag() -> (field: Int, wire: Int)? {
        guard position < bytes.count, let t = varint(), t >> 3 > 0 else { return nil }
        return (Int(t >> 3), Int(t & 7))
    }

    mutating func lengthDelimited() -> [UInt8]? {
        guard let n = varint(), n <= UInt64(bytes.count - position) else { return nil }
        defer { position += Int(n) }
        return Array(bytes[position..<position + Int(n)])
    }

    mutating func skip(_ wire: Int) -> Bool {
        switch wire {
        case 0: return varint() != nil
        case 1: position += 8; return position <= bytes.count
        case 2: return lengthDelimited() != nil
        case 5: position += 4; return position <= bytes.count
        default: return false
        }
    }

    var atEnd: Bool { position >= bytes.count }
}
