import Foundation
import KubeClient

/// One column of a server-side Table (meta.k8s.io/v1 TableColumnDefinition).
struct TableColumn: Sendable {
    var name: String
    var type = "string"
    var format = ""
    var description = ""
    var priority = 0

    var json: JSONValue {
        ["name": .string(name), "type": .string(type), "format": .string(format),
         "description": .string(description), "priority": .number(Double(priority))]
    }

    static let name = TableColumn(name: "Name", format: "name", description: TableColumn.nameDoc)
    static let age = TableColumn(name: "Age", description: TableColumn.creationDoc)

    static let nameDoc = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
    static let creationDoc = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
}

/// Columns plus the function that fills one row's cells, like a TableHandler in
/// pkg/printers/internalversion/printers.go.
struct TablePrinter: Sendable {
    var columns: [TableColumn]
    var cells: @Sendable (JSONValue) -> [JSONValue]
}

/// Builds `Table` responses (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
enum TableConvertor {
    /// `?includeObject=` (metav1.IncludeObjectPolicy); the server's default is Metadata.
    enum IncludeObject: String, Sendable { case none = "None", metadata = "Metadata", object = "Object" }

    static func includeObject(_ value: String?) throws(APIError) -> IncludeObject {
        guard let value, !value.isEmpty else { return .metadata }
        guard let policy = IncludeObject(rawValue: value) else {
            throw .badRequest("includeObject: Unsupported value: \"\(value)\": supported values: \"Metadata\", \"None\", \"Object\"")
        }
        return policy
    }

    /// `crd` is the CustomResourceDefinition of a custom resource, when one is stored.
    /// Rows are written as bytes: cells are encoded, a row's object is the stored metadata
    /// (or whole object) spliced in; printers read a tree without managedFields.
    /// `headers: false` leaves `columnDefinitions` null (TableOptions.NoHeaders: a watch's later events).
    static func table(_ objects: [StoredObject], _ rt: ResourceType, listMeta: JSONValue, include: IncludeObject, crd: JSONValue?,
                      headers: Bool = true) -> Data {
        let printer = printer(for: rt, crd: crd)
        var out = Data()
        out.reserveCapacity(objects.reduce(1024) { $0 + $1.metadataRange.count + 256 })
        out.append(contentsOf: Array("{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":".utf8))
        out.append(JSONBytes.encode(listMeta))
        out.append(contentsOf: Array(",\"columnDefinitions\":".utf8))
        out.append(headers ? JSONBytes.encode(.array(printer.columns.map(\.json))) : Data("null".utf8))
        out.append(contentsOf: Array(",\"rows\":[".utf8))
        let now = Date().timeIntervalSince1970
        var ages: [Double: [UInt8]] = [:]
        for (n, o) in objects.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: Array("{\"cells\":".utf8))
            // A custom resource's columns follow its CRD, which can change: print those live.
            if let row = o.row, rt.builtIn {
                row.write(into: &out, now: now, ages: &ages)
            } else {
                out.append(JSONBytes.encode(.array(printer.cells(o.printable))))
            }
            // asTable (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go):
            // Object keeps the object, Metadata (and "") makes it a PartialObjectMetadata,
            // None sets it nil, which the RawExtension (a struct field, never omitted)
            // encodes as null (apimachinery/pkg/runtime/extension.go MarshalJSON).
            switch include {
            case .none:
                out.append(contentsOf: Array(",\"object\":null".utf8))
            case .metadata:
                out.append(contentsOf: Array(",\"object\":".utf8))
                JSONBytes.partialObject(metadata: o.metadataBytes, into: &out)
            case .object:
                out.append(contentsOf: Array(",\"object\":".utf8))
                out.append(JSONBytes.withTypeMeta(o.body, apiVersion: rt.groupVersion, kind: rt.kind))
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: Array("]}".utf8))
        return out
    }

    static func printer(for rt: ResourceType, crd: JSONValue?) -> TablePrinter {
        if rt.builtIn, let p = BuiltInPrinters.all[rt.qualifiedResource] { return p }
        if !rt.builtIn { return CustomResourceColumns.printer(crd: crd, version: rt.version) }
        return defaultPrinter
    }

    /// rest.NewDefaultTableConvertor (staging/src/k8s.io/apiserver/pkg/registry/rest/table.go):
    /// kinds without a printer show their name and creation time in RFC 3339.
    static let defaultPrinter = TablePrinter(
        columns: [.name, TableColumn(name: "Created At", type: "date", description: TableColumn.creationDoc)],
        cells: { o in [.string(o.name), o["metadata"]?["creationTimestamp"] ?? .null] })
}

extension EmulatorCore {
    /// A Table reply for `get`/`list`, honouring `?includeObject=`.
    func tableReply(_ objects: [StoredObject], _ t: ResourceTarget, listMeta: JSONValue, _ req: APIRequest) throws(APIError) -> APIReply {
        let include = try TableConvertor.includeObject(req.param("includeObject"))
        let crd: JSONValue? = t.type.builtIn ? nil : state.withLock { s in
            s.registry.lookup(resource: "customresourcedefinitions.apiextensions.k8s.io").flatMap {
                s.get($0, namespace: "", name: t.type.qualifiedResource)?.object
            }
        }
        return .json(200, TableConvertor.table(objects, t.type, listMeta: listMeta, include: include, crd: crd))
    }
}
