import Foundation

extension KubeClient {
    public func create(_ r: ResourceDescriptor, namespace: String?, body: JSONValue, dryRun: Bool = false) async throws -> JSONValue {
        let request = KubeRequest.create(r, namespace: namespace, body: body, dryRun: dryRun)
        return try decode(JSONValue.self, try await send(request), request)
    }

    /// PUT; the body's metadata.resourceVersion makes it conditional (409 on change).
    public func update(_ r: ResourceDescriptor, namespace: String?, name: String, body: JSONValue, dryRun: Bool = false) async throws -> JSONValue {
        let request = KubeRequest.update(r, namespace: namespace, name: name, body: body, dryRun: dryRun)
        return try decode(JSONValue.self, try await send(request), request)
    }

    public func patch(_ r: ResourceDescriptor, namespace: String?, name: String, patch: Patch, subresource: String? = nil,
                      dryRun: Bool = false) async throws -> JSONValue {
        let request = KubeRequest.patch(r, namespace: namespace, name: name, patch: patch, subresource: subresource, dryRun: dryRun)
        return try decode(JSONValue.self, try await send(request), request)
    }

    public func delete(_ r: ResourceDescriptor, namespace: String?, name: String, options: DeleteOptions = DeleteOptions(),
                       dryRun: Bool = false) async throws -> DeleteResult {
        let request = KubeRequest.delete(r, namespace: namespace, name: name, options: options, dryRun: dryRun)
        return try decodeDeleteResult(try await send(request), request)
    }

    /// Evicts a pod through the Eviction API, so PodDisruptionBudgets hold: a 429 means
    /// a budget blocks it now (no Retry-After; try on a later run).
    public func evict(namespace: String, name: String, options: DeleteOptions = DeleteOptions(), dryRun: Bool = false) async throws -> DeleteResult {
        let request = KubeRequest.evict(namespace: namespace, name: name, options: options, dryRun: dryRun)
        return try decodeDeleteResult(try await send(request), request)
    }

    /// A DELETE answers either a Status or the object; parse both.
    func decodeDeleteResult(_ response: HTTPResponse, _ request: KubeRequest) throws -> DeleteResult {
        let value = try decode(JSONValue.self, response, request)
        if value["kind"]?.stringValue == "Status" {
            return .status(try JSONDecoder().decode(APIStatus.self, from: response.body))
        }
        return .object(value)
    }
}
