extension RunReport {
    /// The documented exit code of a run that produced this report (see `kreconcile run
    /// --help`): 1 beats 4 beats 3 beats 0, so a failure or a stop never reads as "findings remain".
    /// A run that threw `Run.Failure` has no report: 2 for input errors, else 1.
    public func exitCode(exitCodeFlag: Bool) -> Int32 {
        if summary.failed > 0 || metadata.stopped != nil || metadata.lock?.state == "lost" { return 1 }
        if safety != nil { return 4 }
        if exitCodeFlag, entries.contains(where: { $0.result != .applied }) { return 3 }
        return 0
    }
}
