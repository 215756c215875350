/// Failures of the Swift API (seeding, starting, certificates); HTTP errors are Status bodies.
public enum EmulatorError: Error, CustomStringConvertible, Sendable {
    case unknownKind(apiVersion: String, kind: String)
    case invalidDocument(String)
    case startFailed(String)
    case certificateGeneration(String)

    public var description: String {
        switch self {
        case .unknownKind(let v, let k): return "no resource type registered for apiVersion \(v) kind \(k)"
        case .invalidDocument(let why): return "invalid document: \(why)"
        case .startFailed(let why): return "emulator failed to start: \(why)"
        case .certificateGeneration(let why): return "certificate generation failed: \(why)"
        }
    }
}
