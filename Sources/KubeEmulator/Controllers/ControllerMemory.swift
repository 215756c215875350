/// What the controllers remember between steps (the real ones keep it in informer caches
/// and work queues): the name generator, kubelet timers, scheduler position.
struct ControllerMemory: Sendable {
    var rng: SplitMix64
    /// Kubelet passes seen per pod uid, while pending or terminating.
    var kubeletPasses: [String: Int] = [:]
    var nextNode = 0
    var steps = 0

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }
}
