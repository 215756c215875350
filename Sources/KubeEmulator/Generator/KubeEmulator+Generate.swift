extension KubeEmulator {
    /// Loads a generated cluster into the store (bytes only per object; see StoredObject).
    @discardableResult
    public func generate(_ spec: ClusterSpec) -> ClusterGenerator.Report {
        core.state.withLock { ClusterGenerator(spec).generate(into: &$0) }
    }

    /// Parses every object stored as bytes alone (a generated cluster) once and keeps the
    /// tree: the controllers then stop parsing them at every step. For small clusters
    /// stepped many times (property tests); a large one would hold a tree per object.
    public func keepParsedObjects() {
        core.state.withLock { s in
            for storageKey in Array(s.buckets.keys) {
                guard let objects = s.buckets[storageKey]?.objects else { continue }
                s.buckets[storageKey]?.objects = objects.mapValues { (o: StoredObject) -> StoredObject in
                    var kept = o
                    kept.keepTree()
                    return kept
                }
            }
        }
    }
}
