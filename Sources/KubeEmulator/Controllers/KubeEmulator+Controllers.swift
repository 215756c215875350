extension KubeEmulator {
    /// Runs every simulated controller once, in a fixed order (garbage collector,
    /// Deployment, ReplicaSet, DaemonSet, StatefulSet, scheduler, kubelet, disruption);
    /// returns the number of objects written.
    @discardableResult
    public func step() -> Int { controllerRunner.step() }

    /// Steps until a step writes nothing; returns the steps taken (the last one wrote nothing
    /// unless maxSteps ran out).
    @discardableResult
    public func settle(maxSteps: Int = 100) -> Int { controllerRunner.settle(maxSteps: maxSteps) }
}
