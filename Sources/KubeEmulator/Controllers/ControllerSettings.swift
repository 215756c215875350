/// How the simulated controllers run (EmulatorOptions.controllers).
public enum ControllerMode: Sendable, Equatable {
    /// Nothing steps on its own and `POST /_emulator/step` has no handler.
    case disabled
    /// Controllers run only when stepped: `KubeEmulator.step()`/`settle()` or `POST /_emulator/step`.
    case manual
    /// A background task steps every `interval` seconds until shutdown.
    case auto(interval: Double)
}

/// Timing of the simulated kubelet and the seed of controller-chosen names.
public struct ControllerSettings: Sendable, Equatable {
    /// Kubelet passes a scheduled pod waits before it is Running and Ready (1 = the first pass).
    public var readyAfterSteps: Int
    /// Kubelet passes a terminating pod waits before it is removed.
    public var terminateAfterSteps: Int
    /// Seeds pod-name suffixes, IPs and container ids.
    public var seed: UInt64
    /// The controllers that run, by name ("kubelet", "garbage-collector", "deployment", ...);
    /// nil = all. A test that seeds hand-made pods can run only the kubelet, so graceful
    /// deletions finish without the other controllers rewriting its fixtures.
    public var enabled: Set<String>?

    public init(readyAfterSteps: Int = 1, terminateAfterSteps: Int = 1, seed: UInt64 = 1, enabled: Set<String>? = nil) {
        self.readyAfterSteps = readyAfterSteps
        self.terminateAfterSteps = terminateAfterSteps
        self.seed = seed
        self.enabled = enabled
    }
}
