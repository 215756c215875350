import Foundation

/// A request that got no HTTP answer. `requestSent` tells the retry policy whether a
/// write may have reached the server (then it must not be repeated).
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case connect       // DNS, refused, unreachable: nothing was sent
        case tls           // handshake or verification failed: a configuration problem, never retried
        case timeout
        case connectionLost
        case cancelled
        case other
    }

    public var kind: Kind
    public var requestSent: Bool
    public var curlCode: Int
    public var message: String
    public var url: String

    public init(kind: Kind, requestSent: Bool, curlCode: Int, message: String, url: String) {
        self.kind = kind
        self.requestSent = requestSent
        self.curlCode = curlCode
        self.message = message
        self.url = url
    }

    public var description: String {
        "\(url): \(message) (curl error \(curlCode))"
    }
}
