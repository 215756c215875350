import Foundation
import KubeClient

/// The checks every write shares: type meta, names, namespaces.
enum ObjectValidation {
    /// Fills apiVersion/kind from the URL; a different group/version or kind is a 400
    /// (endpoints/handlers/create.go and rest.go transformDecodeError).
    static func typeMeta(_ obj: JSONValue, _ rt: ResourceType) throws(APIError) -> JSONValue {
        var obj = obj
        let apiVersion = obj["apiVersion"]?.stringValue ?? ""
        let kind = obj["kind"]?.stringValue ?? ""
        if !kind.isEmpty, kind != rt.kind {
            let version = apiVersion.split(separator: "/").last.map(String.init) ?? ""
            throw .badRequest("\(kind) in version \"\(version)\" cannot be handled as a \(rt.kind): the kind in the data (\(kind)) does not match the expected kind (\(rt.kind))")
        }
        if !apiVersion.isEmpty, apiVersion != rt.groupVersion {
            throw .badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(rt.groupVersion))")
        }
        obj["apiVersion"] = .string(rt.groupVersion)
        obj["kind"] = .string(rt.kind)
        return obj
    }

    /// rest.EnsureObjectNamespaceMatchesRequestNamespace.
    static func namespace(_ obj: inout JSONValue, _ t: ResourceTarget) throws(APIError) {
        if t.type.namespaced {
            if let ns = obj.meta("namespace"), !ns.isEmpty, ns != t.namespace {
                throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            obj.setMeta("namespace", .string(t.namespace))
        } else {
            obj.setMeta("namespace", nil)
        }
    }

    static func nameMatchesURL(_ obj: JSONValue, _ name: String) throws(APIError) {
        if obj.name != name {
            throw .badRequest("the name of the object (\(obj.name)) does not match the name on the URL (\(name))")
        }
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    static func isDNSLabel<S: StringProtocol>(_ s: S) -> Bool {
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
        guard let f = s.first, let l = s.last, alnum(f), alnum(l) else { return false }
        return s.allSatisfy { alnum($0) || $0 == "-" }
    }

    static func isDNSSubdomain(_ s: String) -> Bool {
        s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel($0) }
    }

    /// Name rules of apimachinery validation: DNS-1123 label for namespaces, subdomain for
    /// most kinds, path segment for RBAC and custom resources.
    static func name(_ obj: JSONValue, _ rt: ResourceType) throws(APIError) {
        let name = obj.name
        if name.isEmpty {
            throw .invalid(rt, name: "", [.required("metadata.name", "name or generateName is required")])
        }
        let quoted = JSONBytes.quote(name)
        if rt.plural == "namespaces" {
            if name.count > 63 || !isDNSLabel(name) {
                throw .invalid(rt, name: name, [.invalid("metadata.name", value: quoted,
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")])
            }
        } else if rt.builtIn, rt.group != "rbac.authorization.k8s.io" {
            if name.count > 253 || !isDNSSubdomain(name) {
                throw .invalid(rt, name: name, [.invalid("metadata.name", value: quoted,
                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")])
            }
        } else if name == "." || name == ".." || name.contains("/") || name.contains("%") {
            throw .invalid(rt, name: name, [.invalid("metadata.name", value: quoted, "may not contain '/'")])
        }
    }

    /// Kinds whose strategy sets metadata.generation: not pods (1.32; PodObservedGeneration
    /// is 1.33+), nodes, namespaces or services (their strategies leave it unset).
    static func tracksGeneration(_ rt: ResourceType) -> Bool {
        !(rt.group.isEmpty && ["pods", "nodes", "namespaces", "services"].contains(rt.plural))
    }

    /// Kinds whose generation tracks spec: built-ins with a spec; custom resources on any
    /// change outside metadata and status.
    static func generationRelevant(_ obj: JSONValue, _ rt: ResourceType) -> JSONValue? {
        guard tracksGeneration(rt) else { return nil }
        if rt.builtIn { return obj["spec"] }
        guard case .object(var o) = obj else { return nil }
        o["metadata"] = nil
        o["status"] = nil
        o["apiVersion"] = nil
        o["kind"] = nil
        return .object(o)
    }
}
