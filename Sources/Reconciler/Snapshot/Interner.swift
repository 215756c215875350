import Synchronization

/// Shares one storage among equal values while pods are decoded. 150,000 pods repeat a
/// few hundred namespaces, nodes and owner names, and the pods of one ReplicaSet have the
/// same container list, kept annotations and admission view: each of those is a heap
/// allocation per pod unless equal ones are shared (copy-on-write keeps them safe). Set for
/// the decoding task by the loader (`Interner.$shared`); without one, values are kept as
/// decoded.
public final class Interner: Sendable {
    private struct Tables {
        var strings: Set<String> = []
        var maps: Set<[String: String]> = []
        var containers: Set<[PodContainerRecord]> = []
        var bytes: Set<[UInt8]> = []
    }
    private let tables = Mutex(Tables())

    public init() {}

    @TaskLocal public static var shared: Interner?

    /// The task's string interner as a function (identity when none is set).
    static var current: (String) -> String {
        guard let interner = shared else { return { $0 } }
        return { interner.intern($0) }
    }

    public func intern(_ s: String) -> String {
        // Short strings are stored inline: nothing to share.
        if s.utf8.count <= 15 { return s }
        return tables.withLock { $0.strings.insert(s).memberAfterInsert }
    }

    func intern(_ map: [String: String]) -> [String: String] {
        map.isEmpty ? map : tables.withLock { $0.maps.insert(map).memberAfterInsert }
    }

    func intern(_ containers: [PodContainerRecord]) -> [PodContainerRecord] {
        containers.isEmpty ? containers : tables.withLock { $0.containers.insert(containers).memberAfterInsert }
    }

    func intern(_ bytes: [UInt8]) -> [UInt8] {
        bytes.isEmpty ? bytes : tables.withLock { $0.bytes.insert(bytes).memberAfterInsert }
    }

    /// Distinct strings held (tests).
    public var count: Int { tables.withLock { $0.strings.count } }
}
