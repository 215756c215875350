/// One of COUNT processes sharing the work (`--shard INDEX/COUNT`): it acts only in the
/// namespaces whose name hashes to its index; cluster-scoped work belongs to shard 0.
public struct Shard: Sendable, Equatable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "shard index \(index) out of range 0..<\(count)")
        self.index = index
        self.count = count
    }

    /// The documented stable hash: FNV-1a 32-bit of the namespace name's UTF-8 bytes,
    /// modulo COUNT. The same in every run and every process, so shards never overlap.
    public static func owner(ofNamespace namespace: String, count: Int) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in namespace.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int(hash % UInt32(count))
    }

    /// The shard that acts on an object in `namespace` (nil: cluster-scoped -> 0).
    public func owner(of namespace: String?) -> Int {
        namespace.map { Self.owner(ofNamespace: $0, count: count) } ?? 0
    }

    public func owns(_ namespace: String?) -> Bool { owner(of: namespace) == index }
}
