import Synchronization

/// Shares one storage among equal strings while pods are decoded: 150,000 pods repeat a
/// few hundred namespaces, nodes, owner names and profile names, and a Swift string over
/// 15 bytes is its own heap allocation. Set for the decoding task by the loader
/// (`StringInterner.$current`); without one, strings are kept as decoded.
public final class StringInterner: Sendable {
    private let table = Mutex<Set<String>>([])

    public init() {}

    @TaskLocal public static var shared: StringInterner?

    /// The task's interner as a function (identity when none is set).
    static var current: (String) -> String {
        guard let interner = shared else { return { $0 } }
        return interner.intern
    }

    public func intern(_ s: String) -> String {
        // Short strings are stored inline: nothing to share.
        if s.utf8.count <= 15 { return s }
        return table.withLock { set in
            if let existing = set.firstIndex(of: s) { return set[existing] }
            set.insert(s)
            return s
        }
    }

    public var count: Int { table.withLock { $0.count } }
}
