import KubeClient

/// Reads the API's answer to one planned write as a report outcome.
enum WriteOutcome {
    /// A non-2xx answer: `skipped` when it says the object is no longer what the plan saw,
    /// `failed` otherwise.
    static func classify(_ error: KubeAPIError, request: KubeRequest) -> (ActionOutcome, String) {
        let answer = "\(error.code) \(error.reason ?? "")".trimmingCharacters(in: .whitespaces)
        switch error.code {
        case 409:
            // A stale resourceVersion on update, or a failed delete precondition.
            return (.skipped, "object changed since the snapshot (\(answer))")
        case 404:
            return (.skipped, "object changed since the snapshot: it is gone (\(answer))")
        case 422 where isFailedPatchTest(error, request: request):
            // upstream handlers/patch.go wraps every json-patch apply error, a failed `test`
            // included, in a generic 422 without causes (FACTS.md: measured on a real server).
            return (.skipped, "object changed since the snapshot (JSON-patch test failed: \(answer))")
        case 429 where request.path.hasSuffix("/eviction"):
            // An Eviction's 429 is a PodDisruptionBudget saying "not now": a later run retries.
            return (.deferred, "eviction blocked by a PodDisruptionBudget (\(answer)); a later run retries: \(error.message ?? "")")
        case 500 where request.path.hasSuffix("/eviction"):
            // pkg/registry/core/pod/storage/eviction.go: more than one budget selects the
            // pod; the API server refuses every eviction of it until the budgets are fixed.
            return (.failed, "several PodDisruptionBudgets select this pod; the API server refuses to evict it until only one does (\(answer))")
        default:
            return (.failed, error.description)
        }
    }

    /// A 422 to a JSON patch that carries a `test` op and whose Status names no field
    /// cause: the patch did not apply (validation errors list their fields as causes).
    static func isFailedPatchTest(_ error: KubeAPIError, request: KubeRequest) -> Bool {
        guard request.contentType == MediaType.jsonPatch, let body = request.body,
              let ops = try? JSONValue.parse(body).arrayValue,  // our own body; unparsable = not a test
              ops.contains(where: { $0["op"]?.stringValue == "test" }) else { return false }
        return error.status?.details?.causes?.isEmpty ?? true
    }
}
