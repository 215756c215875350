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
        String(decoding: JSONWriter.encode(.string(s)), as: UTF8.self)
    }

    /// Compact, keys sorted: JSONWriter, many times faster than JSONEncoder on Linux.
    static func encode(_ value: JSONValue) -> Data { JSONWriter.encode(value) }

    /// `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":…}` around
    /// stored metadata bytes, in the real server's key order.
    static func partialObject(metadata: Data, into out: inout Data) {
        out.append(contentsOf: partialHead)
        out.append(metadata)
        out.append(UInt8(ascii: "}"))
    }

    static func partialObject(metadata: Data) -> Data {
        var out = Data()
        out.reserveCapacity(metadata.count + partialHead.count + 1)
        partialObject(metadata: metadata, into: &out)
        return out
    }

    private static let partialHead = Array("{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":".utf8)
}
