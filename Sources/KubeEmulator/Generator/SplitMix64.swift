/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, seedable generator, so generated
/// clusters and controller-chosen names are the same for the same seed.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
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
        let a = next(), b = next()
        let hex = String(format: "%016llx%016llx", a, b & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000)
        let c = Array(hex)
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-4\(String(c[13..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
    }

    /// `count` lowercase hex digits.
    mutating func hex(_ count: Int) -> String {
        var out = ""
        while out.count < count { out += String(format: "%016llx", next()) }
        return String(out.prefix(count))
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
