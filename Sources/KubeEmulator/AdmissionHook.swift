import KubeClient

/// A mutating admission webhook as the emulator runs it: in registration order, before
/// validation and storage, also on dry run (side effects None). Hooks run while the store
/// is locked: a mutation closure must not call back into the emulator.
public struct AdmissionHook: Sendable {
    public enum Operation: String, Sendable { case create = "CREATE", update = "UPDATE" }
    /// The webhook's failurePolicy: Ignore admits the object unmutated when the call fails.
    public enum FailurePolicy: Sendable { case ignore, fail }
    public enum Behaviour: Sendable {
        /// The webhook answers with this mutation.
        case mutate(@Sendable (inout JSONValue) -> Void)
        /// The webhook's service is unreachable (connection refused).
        case down
        /// The webhook answers after this long: past `timeoutSeconds` the call fails like a
        /// timeout; otherwise it admits without mutation. No real delay is spent.
        case slow(seconds: Double)
    }

    public var name: String
    /// Plural resource the hook's rule matches ("pods"), or "*".
    public var resource: String
    public var operations: Set<Operation>
    public var failurePolicy: FailurePolicy
    /// The webhook's timeoutSeconds (default 10, Gatekeeper ships 1 for mutation).
    public var timeoutSeconds: Double
    public var behaviour: Behaviour

    public init(name: String, resource: String, operations: Set<Operation> = [.create], failurePolicy: FailurePolicy = .fail,
                timeoutSeconds: Double = 10, behaviour: Behaviour) {
        self.name = name
        self.resource = resource
        self.operations = operations
        self.failurePolicy = failurePolicy
        self.timeoutSeconds = timeoutSeconds
        self.behaviour = behaviour
    }

    /// Why calling the webhook failed, as the dispatcher words it; nil when it answered.
    var callFailure: String? {
        let url = "https://\(name).webhooks.svc:443/mutate?timeout=\(Int(timeoutSeconds))s"
        switch behaviour {
        case .mutate: return nil
        case .down: return "failed to call webhook: Post \"\(url)\": dial tcp 10.96.0.10:443: connect: connection refused"
        case .slow(let seconds):
            return seconds >= timeoutSeconds ? "failed to call webhook: Post \"\(url)\": context deadline exceeded" : nil
        }
    }
}

extension EmulatorCore {
    /// Runs the matching admission hooks on an object about to be created or updated.
    /// The HTTP create/update paths call this, and so must controllers that create objects
    /// (E2: call it on each pod before `insert`, with `operation: .create`), so hooks see
    /// every write like a real webhook does. A failing hook with failurePolicy Fail throws
    /// the real 500 (webhook/mutating/dispatcher.go: "failed calling webhook").
    func admit(_ obj: inout JSONValue, type rt: ResourceType, operation: AdmissionHook.Operation) throws(APIError) {
        for hook in admissionHooks.withLock({ $0 }) where hook.operations.contains(operation)
            && (hook.resource == "*" || hook.resource == rt.plural) {
            if let failure = hook.callFailure {
                if hook.failurePolicy == .fail { throw .internal("failed calling webhook \"\(hook.name)\": \(failure)") }
                continue
            }
            if case .mutate(let mutation) = hook.behaviour { mutation(&obj) }
        }
    }
}
