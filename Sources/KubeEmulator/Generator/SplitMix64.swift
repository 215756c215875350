/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, seedable generator, so generated
/// clusters and controller-chosen names are the same for the same seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The alphabet of names.SimpleNameGenerator and rand.SafeEncodeString (no vowels,
    /// no confusable digits), k8s.io/apimachinery/pkg/util/rand/rand.go.
    static let safeAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// Five safe characters, as generateName appends.
    mutating func nameSuffix(_ count: Int = 5) -> String {
        String((0..<count).map { _ in Self.safeAlphabet[Int(next() % UInt64(Self.safeAlphabet.count))] })
    }

    /// A version-4-shaped UUID drawn from the generator (no system randomness).
    mutating func uuid() -> String {
        var digits = Self.hexDigits(next()) + Self.hexDigits(next() & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000)
        digits[12] = UInt8(ascii: "4")
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, d) in digits.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
            out.append(d)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `count` lowercase hex digits.
    mutating func hex(_ count: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(count + 16)
        while out.count < count { out += Self.hexDigits(next()) }
        return String(decoding: out.prefix(count), as: UTF8.self)
    }

    private static let hexAlphabet = Array("0123456789abcdef".utf8)

    /// The 16 hex digits of a value, most significant first (String(format:) is slow).
    private static func hexDigits(_ v: UInt64) -> [UInt8] {
        (0..<16).map { hexAlphabet[Int((v >> (60 - 4 * UInt64($0))) & 0xF)] }
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}

/// FNV-1a 32-bit, the hash behind pod-template-hash (controller_utils.go ComputeHash).
enum FNV32a {
    static func hash<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var h: UInt32 = 2_166_136_261
        for b in bytes { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }

    /// rand.SafeEncodeString(fmt.Sprint(hash)): each decimal digit mapped into the safe alphabet.
    static func safeEncoded(_ hash: UInt32) -> String {
        String(String(hash).utf8.map { SplitMix64.safeAlphabet[Int($0) % SplitMix64.safeAlphabet.count] })
    }
}
