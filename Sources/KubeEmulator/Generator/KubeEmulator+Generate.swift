extension KubeEmulator {
    /// Loads a generated cluster into the store (bytes only per object; see StoredObject).
    @discardableResult
    public func generate(_ spec: ClusterSpec) -> ClusterGenerator.Report {
        core.state.withLock { ClusterGenerator(spec).generate(into: &$0) }
    }
}
