import Foundation
import KubeClient

/// The opaque `continue` value: base64url (no padding) of JSON holding the list's
/// resourceVersion and the first key of the next page, like storage.EncodeContinue in
/// k8s.io/apiserver/pkg/storage/continue.go, plus a serial so tokens can be expired.
struct ContinueToken: Sendable, Equatable {
    var resourceVersion: Int
    var startKey: String
    var serial: Int

    func encoded() -> String {
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .number(Double(resourceVersion)), "start": .string(startKey), "n": .number(Double(serial))]
        return json.jsonData().base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A garbage token is a 400, as etcd3's store answers "invalid continue token".
    static func decode(_ text: String) throws(APIError) -> ContinueToken {
        var b64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64) else {
            throw .badRequest("invalid continue token: continue key is not valid: illegal base64 data")
        }
        guard let json = try? JSONValue.parse(data), json["v"]?.stringValue == "meta.k8s.io/v1",
              let rv = json["rv"]?.intValue, let start = json["start"]?.stringValue, let serial = json["n"]?.intValue
        else {
            throw .badRequest("invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        return ContinueToken(resourceVersion: rv, startKey: start, serial: serial)
    }

    /// etcd3/store.go compactedContinue message for a token whose snapshot is gone.
    static let expiredMessage = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."
}
