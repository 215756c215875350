import Foundation
import KubeClient

/// Byte-level helpers: objects are stored encoded once, and responses splice bytes.
enum JSONBytes {
    /// Stored objects omit apiVersion/kind (as typed list items do upstream); a single
    /// object response gets them prefixed without re-encoding the rest.
    static func withTypeMeta(_ body: Data, apiVersion: String, kind: String) -> Data {
        var out = Data()
        out.reserveCapacity(body.count + 64)
        out.append(contentsOf: Array("{\"kind\":\(quote(kind)),\"apiVersion\":\(quote(apiVersion))".utf8))
        // body is "{...}": keep everything after the opening brace, adding a comma unless empty.
        if body.count > 2 { out.append(UInt8(ascii: ",")) }
        out.append(body.dropFirst())
        return out
    }

    static func quote(_ s: String) -> String {
        String(decoding: JSONValue.string(s).jsonData(), as: UTF8.self)
    }

    static func encode(_ value: JSONValue) -> Data { value.jsonData() }
}
