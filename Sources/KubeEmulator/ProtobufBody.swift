import Foundation
import KubeClient

/// Decodes the protobuf bodies kubectl's typed clients send (create configmap/secret/
/// deployment/..., drain's evictions) into the JSON the rest of the emulator speaks.
///
/// The envelope is `k8s\0` + runtime.Unknown{typeMeta=1{apiVersion=1, kind=2}, raw=2,
/// contentEncoding=3, contentType=4} (apimachinery/pkg/runtime/serializer/protobuf and
/// runtime/generated.proto); `raw` is the object, read with the field numbers of the
/// k8s.io/api generated.proto files (see `ProtobufSchemas`). Fields a schema does not
/// name are skipped. Kinds without a schema stay a 415, like an unknown media type.
enum ProtobufBody {
    static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]
    static let mediaType = "application/vnd.kubernetes.protobuf"

    static func isProtobuf(_ contentType: String) -> Bool { contentType == mediaType }

    /// nil when the body is not an envelope of a kind with a schema.
    static func decode(_ data: Data) -> JSONValue? {
        let bytes = [UInt8](data)
        guard bytes.count > 4, Array(bytes[0..<4]) == magic else { return nil }
        var r = ProtobufWire(Array(bytes[4...]))
        var apiVersion = "", kind = "", raw: [UInt8] = [], encoding = ""
        while let (field, wire) = r.tag() {
            switch (field, wire) {
            case (1, 2):
                guard let typeMeta = r.lengthDelimited() else { return nil }
                var t = ProtobufWire(typeMeta)
                while let (f, w) = t.tag() {
                    if w == 2, f == 1 || f == 2, let s = t.lengthDelimited() {
                        if f == 1 { apiVersion = String(decoding: s, as: UTF8.self) } else { kind = String(decoding: s, as: UTF8.self) }
                    } else if !t.skip(w) { return nil }
                }
            case (2, 2):
                guard let body = r.lengthDelimited() else { return nil }
                raw = body
            case (3, 2): encoding = String(decoding: r.lengthDelimited() ?? [], as: UTF8.self)
            default: if !r.skip(wire) { return nil }
            }
        }
        guard r.atEnd else { return nil }
        // A compressed raw payload (contentEncoding) is never sent by client-go.
        guard encoding.isEmpty, let schema = ProtobufSchemas.kinds[kind], case .object(var obj)? = message(raw, schema) else { return nil }
        obj["apiVersion"] = .string(apiVersion)
        obj["kind"] = .string(kind)
        return .object(obj)
    }

    /// Go's generated marshallers write every non-pointer field, zero or not; JSON would
    /// omit those zeros (omitempty), so they are dropped unless the field is a pointer.
    static func message(_ bytes: [UInt8], _ schema: ProtobufSchema) -> JSONValue? {
        var r = ProtobufWire(bytes)
        var out: [String: JSONValue] = [:]
        while !r.atEnd {
            guard let (field, wire) = r.tag() else { return nil }
            guard let (name, type) = schema[field] else {
                if !r.skip(wire) { return nil }
                continue
            }
            switch type {
            case .map(let valueType):
                guard let entry = r.lengthDelimited() else { return nil }
                var e = ProtobufWire(entry)
                var key = "", entryValue: JSONValue = valueType.zero
                while let (f, w) = e.tag() {
                    if f == 1, w == 2 { key = String(decoding: e.lengthDelimited() ?? [], as: UTF8.self) }
                    else if f == 2, let v = value(&e, w, valueType) { entryValue = v }
                    else if !e.skip(w) { return nil }
                }
                var dict = out[name]?.objectValue ?? [:]
                dict[key] = entryValue
                out[name] = .object(dict)
            case .repeated(let itemType):
                guard let v = value(&r, wire, itemType) else { return nil }
                out[name] = .array((out[name]?.arrayValue ?? []) + [v])
            case .pointer(let inner):
                guard let v = value(&r, wire, inner) else { return nil }
                out[name] = v
            default:
                guard let v = value(&r, wire, type) else { return nil }
                if v != type.zero { out[name] = v } else { out[name] = nil }
            }
        }
        return .object(out)
    }

    private static func value(_ r: inout ProtobufWire, _ wire: Int, _ type: ProtobufFieldType) -> JSONValue? {
        switch type {
        case .int:
            guard wire == 0 else { return nil }
            return r.varint().map { .number(Double(Int64(bitPattern: $0))) }
        case .bool:
            guard wire == 0 else { return nil }
            return r.varint().map { .bool($0 != 0) }
        case .string:
            guard wire == 2 else { return nil }
            return r.lengthDelimited().map { .string(String(decoding: $0, as: UTF8.self)) }
        case .bytes:
            guard wire == 2 else { return nil }
            return r.lengthDelimited().map { .string(Data($0).base64EncodedString()) }
        case .message(let schema):
            guard wire == 2 else { return nil }
            return r.lengthDelimited().flatMap { message($0, schema) }
        case .time:
            // metav1.Time as google.protobuf.Timestamp{seconds=1, nanos=2}; zero = unset.
            guard wire == 2, let body = r.lengthDelimited() else { return nil }
            var t = ProtobufWire(body)
            var seconds: Int64 = 0
            while let (f, w) = t.tag() {
                if f == 1, w == 0 { seconds = Int64(bitPattern: t.varint() ?? 0) } else if !t.skip(w) { return nil }
            }
            return seconds == 0 ? .null : .string(Date(timeIntervalSince1970: Double(seconds)).formatted(.iso8601))
        case .intOrString:
            // intstr.IntOrString{type=1 (0 Int, 1 String), intVal=2, strVal=3}.
            guard wire == 2, let body = r.lengthDelimited() else { return nil }
            var t = ProtobufWire(body)
            var isString = false, int: Int64 = 0, str = ""
            while let (f, w) = t.tag() {
                switch (f, w) {
                case (1, 0): isString = t.varint() == 1
                case (2, 0): int = Int64(Int32(truncatingIfNeeded: t.varint() ?? 0))
                case (3, 2): str = String(decoding: t.lengthDelimited() ?? [], as: UTF8.self)
                default: if !t.skip(w) { return nil }
                }
            }
            return isString ? .string(str) : .number(Double(int))
        case .quantity:
            // resource.Quantity{string=1}, its canonical text.
            guard wire == 2, let body = r.lengthDelimited() else { return nil }
            var t = ProtobufWire(body)
            var text = ""
            while let (f, w) = t.tag() {
                if f == 1, w == 2 { text = String(decoding: t.lengthDelimited() ?? [], as: UTF8.self) } else if !t.skip(w) { return nil }
            }
            return .string(text)
        case .pointer(let inner): return value(&r, wire, inner)
        case .map, .repeated: return nil
        }
    }
}
