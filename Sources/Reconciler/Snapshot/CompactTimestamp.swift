/// `metadata.creationTimestamp` stored in 8 bytes when it has the form the API server
/// writes (`2026-03-01T10:00:00Z`), as the text otherwise. A 20-character string is a heap
/// allocation of its own: 10 MB at 150,000 pods.
struct CompactTimestamp: Sendable, Hashable {
    private enum Storage: Sendable, Hashable {
        /// The 14 digits YYYYMMDDhhmmss as one number.
        case packed(UInt64)
        case text(String)
    }
    private let storage: Storage

    init(_ text: String) {
        storage = Self.pack(text).map(Storage.packed) ?? .text(text)
    }

    var text: String {
        switch storage {
        case .text(let s):
            return s
        case .packed(var n):
            return String(unsafeUninitializedCapacity: 20) { out in
                // Digits from the right, skipping the separators' places.
                for i in (0..<20).reversed() {
                    switch i {
                    case 19: out[i] = UInt8(ascii: "Z")
                    case 4, 7: out[i] = UInt8(ascii: "-")
                    case 10: out[i] = UInt8(ascii: "T")
                    case 13, 16: out[i] = UInt8(ascii: ":")
                    default: out[i] = UInt8(ascii: "0") + UInt8(n % 10); n /= 10
                    }
                }
                return 20
            }
        }
    }

    /// `YYYY-MM-DDThh:mm:ssZ` exactly, as 14 digits; nil for any other form.
    private static func pack(_ text: String) -> UInt64? {
        let u = Array(text.utf8)
        guard u.count == 20, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"), u[10] == UInt8(ascii: "T"),
              u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"), u[19] == UInt8(ascii: "Z") else { return nil }
        var n: UInt64 = 0
        for i in [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(u[i]) else { return nil }
            n = n * 10 + UInt64(u[i] - UInt8(ascii: "0"))
        }
        return n
    }
}
