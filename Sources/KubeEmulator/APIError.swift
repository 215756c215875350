import KubeClient

/// A failure answered as a `Status` body, built like apimachinery's
/// staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go constructors.
struct APIError: Error, Sendable {
    var code: Int
    var reason: String
    var message: String
    var details: JSONValue?
    var retryAfterSeconds: Int?
    /// Set on 410 Expired for a continue token: a token that continues inconsistently.
    var continueToken: String?

    var statusBody: JSONValue {
        var meta: [String: JSONValue] = [:]
        if let continueToken { meta["continue"] = .string(continueToken) }
        var body: [String: JSONValue] = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object(meta),
            "status": "Failure", "message": .string(message), "reason": .string(reason), "code": .number(Double(code)),
        ]
        if let details { body["details"] = details }
        return .object(body)
    }

    /// StatusDetails with upstream's omitempty fields: kind is the plural resource for
    /// resource errors and the Kind for Invalid.
    static func details(name: String = "", group: String = "", kind: String = "", uid: String = "",
                        causes: [JSONValue] = [], retryAfter: Int? = nil) -> JSONValue {
        var d: [String: JSONValue] = [:]
        if !name.isEmpty { d["name"] = .string(name) }
        if !group.isEmpty { d["group"] = .string(group) }
        if !kind.isEmpty { d["kind"] = .string(kind) }
        if !uid.isEmpty { d["uid"] = .string(uid) }
        if !causes.isEmpty { d["causes"] = .array(causes) }
        if let retryAfter { d["retryAfterSeconds"] = .number(Double(retryAfter)) }
        return .object(d)
    }

    static func notFound(_ rt: ResourceType, _ name: String) -> APIError {
        notFound(group: rt.group, plural: rt.plural, name)
    }

    static func notFound(group: String, plural: String, _ name: String) -> APIError {
        let qualified = group.isEmpty ? plural : "\(plural).\(group)"
        return APIError(code: 404, reason: "NotFound", message: "\(qualified) \"\(name)\" not found",
                        details: details(name: name, group: group, kind: plural))
    }

    static func alreadyExists(_ rt: ResourceType, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(rt.qualifiedResource) \"\(name)\" already exists",
                 details: details(name: name, group: rt.group, kind: rt.plural))
    }

    /// NewConflict: "Operation cannot be fulfilled on <resource> \"name\": <why>".
    static func conflict(_ rt: ResourceType, _ name: String, _ why: String) -> APIError {
        APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(rt.qualifiedResource) \"\(name)\": \(why)",
                 details: details(name: name, group: rt.group, kind: rt.plural))
    }

    /// registry/generic/registry/store.go OptimisticLockErrorMsg.
    static let optimisticLock = "the object has been modified; please apply your changes to the latest version and try again"

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func methodNotAllowed() -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource",
                 details: .object([:]))
    }

    /// A known group/version without this resource: go-restful's generic 404.
    static func resourceNotFound() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource", details: .object([:]))
    }

    static func unsupportedMediaType(_ accepted: [String]) -> APIError {
        // endpoints/handlers/negotiation/errors.go errUnsupportedMediaType
        APIError(code: 415, reason: "UnsupportedMediaType",
                 message: "the body of the request was in an unknown format - accepted media types include: " + accepted.joined(separator: ", "))
    }

    static func expired(_ message: String, continueToken: String? = nil) -> APIError {
        APIError(code: 410, reason: "Expired", message: message, continueToken: continueToken)
    }

    /// NewGenericServerResponse(422, ...) without causes, as a failed JSON patch answers.
    static func patchNotApplied() -> APIError {
        APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request",
                 details: .object([:]))
    }

    static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    static func `internal`(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
                 details: details(causes: [["message": .string(message)]]))
    }
}

/// One field error, as k8s.io/apimachinery/pkg/util/validation/field prints it.
struct FieldError: Sendable {
    var type: String        // cause reason, e.g. FieldValueRequired
    var field: String
    var detail: String      // message without the field prefix

    static func required(_ field: String, _ why: String) -> FieldError {
        FieldError(type: "FieldValueRequired", field: field, detail: why.isEmpty ? "Required value" : "Required value: \(why)")
    }

    static func invalid(_ field: String, value: String, _ why: String) -> FieldError {
        FieldError(type: "FieldValueInvalid", field: field, detail: "Invalid value: \(value): \(why)")
    }

    static func notSupported(_ field: String, value: String, supported: [String]) -> FieldError {
        let list = supported.map { "\"\($0)\"" }.joined(separator: ", ")
        return FieldError(type: "FieldValueNotSupported", field: field, detail: "Unsupported value: \(value): supported values: \(list)")
    }

    var text: String { "\(field): \(detail)" }
}

extension APIError {
    /// NewInvalid: "<Kind.group> \"name\" is invalid: <errors>" with one cause per error.
    static func invalid(group: String, kind: String, name: String, _ errors: [FieldError]) -> APIError {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        let aggregate = errors.count == 1 ? errors[0].text : "[" + errors.map(\.text).joined(separator: ", ") + "]"
        let causes: [JSONValue] = errors.map { ["reason": .string($0.type), "message": .string($0.detail), "field": .string($0.field)] }
        return APIError(code: 422, reason: "Invalid", message: "\(qualified) \"\(name)\" is invalid: \(aggregate)",
                        details: details(name: name, group: group, kind: kind, causes: causes))
    }

    static func invalid(_ rt: ResourceType, name: String, _ errors: [FieldError]) -> APIError {
        invalid(group: rt.group, kind: rt.kind, name: name, errors)
    }
}
