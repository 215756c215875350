import Foundation
import KubeClient

/// Decodes the protobuf bodies kubectl's typed clients send for simple kinds
/// (`k8s\0` + runtime.Unknown envelope, staging/src/k8s.io/apimachinery/pkg/runtime/
/// serializer/protobuf), using field numbers from k8s.io/api generated.proto. Kinds not
/// described here stay unsupported (415), as JSON is what the emulator speaks.
enum ProtobufBody {
    indirect enum FieldType: Sendable { case string, bytes, int, bool, time, message(Schema), map(FieldType), repeated(FieldType) }
    typealias Schema = [Int: (name: String, type: FieldType)]

    static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    static let ownerReference: Schema = [1: ("kind", .string), 3: ("name", .string), 4: ("uid", .string), 5: ("apiVersion", .string),
                                         6: ("controller", .bool), 7: ("blockOwnerDeletion", .bool)]
    static let objectMeta: Schema = [
        1: ("name", .string), 2: ("generateName", .string), 3: ("namespace", .string), 5: ("uid", .string),
        6: ("resourceVersion", .string), 7: ("generation", .int), 8: ("creationTimestamp", .time),
        11: ("labels", .map(.string)), 12: ("annotations", .map(.string)),
        13: ("ownerReferences", .repeated(.message(ownerReference))), 14: ("finalizers", .repeated(.string)),
    ]
    static let objectReference: Schema = [1: ("kind", .string), 2: ("namespace", .string), 3: ("name", .string)]
    static let localObjectReference: Schema = [1: ("name", .string)]

    static let kinds: [String: Schema] = [
        "ConfigMap": [1: ("metadata", .message(objectMeta)), 2: ("data", .map(.string)), 3: ("binaryData", .map(.bytes)), 4: ("immutable", .bool)],
        "Secret": [1: ("metadata", .message(objectMeta)), 2: ("data", .map(.bytes)), 3: ("type", .string),
                   4: ("stringData", .map(.string)), 5: ("immutable", .bool)],
        "Namespace": [1: ("metadata", .message(objectMeta)), 2: ("spec", .message([1: ("finalizers", .repeated(.string))])),
                      3: ("status", .message([1: ("phase", .string)]))],
        "ServiceAccount": [1: ("metadata", .message(objectMeta)), 2: ("secrets", .repeated(.message(objectReference))),
                           3: ("imagePullSecrets", .repeated(.message(localObjectReference))), 4: ("automountServiceAccountToken", .bool)],
    ]

    static func isProtobuf(_ contentType: String) -> Bool { contentType == "application/vnd.kubernetes.protobuf" }

    /// nil when the body is not a decodable envelope of a described kind.
    static func decode(_ data: Data) -> JSONValue? {
        let bytes = [UInt8](data)
        guard bytes.count > 4, Array(bytes[0..<4]) == magic else { return nil }
        var r = Reader(bytes: bytes, position: 4)
        var apiVersion = "", kind = "", raw: [UInt8] = []
        while let (field, wire) = r.tag() {
            switch (field, wire) {
            case (1, 2):
                var t = Reader(bytes: r.lengthDelimited() ?? [], position: 0)
                while let (f, w) = t.tag() {
                    if w == 2, let s = t.lengthDelimited() {
                        if f == 1 { apiVersion = String(decoding: s, as: UTF8.self) } else if f == 2 { kind = String(decoding: s, as: UTF8.self) }
                    } else if !t.skip(w) { return nil }
                }
            case (2, 2): raw = r.lengthDelimited() ?? []
            default: if !r.skip(wire) { return nil }
            }
        }
        guard let schema = kinds[kind], var obj = message(raw, schema) else { return nil }
        obj["apiVersion"] = .string(apiVersion)
        obj["kind"] = .string(kind)
        return obj
    }

    private static func message(_ bytes: [UInt8], _ schema: Schema) -> JSONValue? {
        var r = Reader(bytes: bytes, position: 0)
        var out: [String: JSONValue] = [:]
        while let (field, wire) = r.tag() {
            guard let (name, type) = schema[field] else {
                if !r.skip(wire) { return nil }
                continue
            }
            switch type {
            case .map(let valueType):
                guard let entry = r.lengthDelimited() else { return nil }
                var e = Reader(bytes: entry, position: 0)
                var key = "", value: JSONValue = .string("")
                while let (f, w) = e.tag() {
                    if f == 1, w == 2 { key = String(decoding: e.lengthDelimited() ?? [], as: UTF8.self) }
                    else if f == 2, let v = scalar(&e, w, valueType) { value = v }
                    else if !e.skip(w) { return nil }
                }
                var dict = out[name]?.objectValue ?? [:]
                dict[key] = value
                out[name] = .object(dict)
            case .repeated(let itemType):
                guard let v = scalar(&r, wire, itemType) else { return nil }
                out[name] = .array((out[name]?.arrayValue ?? []) + [v])
            default:
                guard let v = scalar(&r, wire, type) else { return nil }
                // proto3 zero values mean "unset", like omitempty in JSON.
                if v != .string(""), v != .number(0), v != .bool(false) { out[name] = v }
            }
        }
        return .object(out)
    }

    private static func scalar(_ r: inout Reader, _ wire: Int, _ type: FieldType) -> JSONValue? {
        switch type {
        case .int: return r.varint().map { .number(Double(Int64(bitPattern: $0))) }
        case .bool: return r.varint().map { .bool($0 != 0) }
        case .string: return r.lengthDelimited().map { .string(String(decoding: $0, as: UTF8.self)) }
        case .bytes: return r.lengthDelimited().map { .string(Data($0).base64EncodedString()) }
        case .message(let schema): return r.lengthDelimited().flatMap { message($0, schema) }
        case .time:
            guard let body = r.lengthDelimited() else { return nil }
            var t = Reader(bytes: body, position: 0)
            var seconds: UInt64 = 0
            while let (f, w) = t.tag() { if f == 1, w == 0 { seconds = t.varint() ?? 0 } else if !t.skip(w) { return nil } }
            return .string(Date(timeIntervalSince1970: Double(seconds)).formatted(.iso8601))
        case .map, .repeated: return nil
        }
    }

    /// Minimal protobuf wire reader.
    struct Reader {
        var bytes: [UInt8]
        var position: Int

        mutating func varint() -> UInt64? {
            var result: UInt64 = 0, shift: UInt64 = 0
            while position < bytes.count, shift < 64 {
                let b = bytes[position]
                position += 1
                result |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
            return nil
        }

        mutating func tag() -> (Int, Int)? {
            guard position < bytes.count, let t = varint() else { return nil }
            return (Int(t >> 3), Int(t & 7))
        }

        mutating func lengthDelimited() -> [UInt8]? {
            guard let n = varint(), position + Int(n) <= bytes.count else { return nil }
            defer { position += Int(n) }
            return Array(bytes[position..<position + Int(n)])
        }

        mutating func skip(_ wire: Int) -> Bool {
            switch wire {
            case 0: return varint() != nil
            case 1: position += 8; return position <= bytes.count
            case 2: return lengthDelimited() != nil
            case 5: position += 4; return position <= bytes.count
            default: return false
            }
        }
    }
}
