import Foundation
@testable import KubeClient
import XCTest

final class RetryPolicyTests: XCTestCase {
    let policy = RetryPolicy(maxAttempts: 4, baseDelay: 1, maxDelay: 4, maxRetryAfter: 10, random: { 0.5 })
    let read = KubeRequest(method: "GET", path: "/api/v1/pods")
    let write = KubeRequest(method: "PATCH", path: "/api/v1/namespaces/a/pods/b")

    func api(_ code: Int, retryAfter: Double? = nil) -> KubeAPIError {
        KubeAPIError(method: "GET", path: "/", code: code, status: nil, bodyExcerpt: nil, retryAfter: retryAfter)
    }

    func testRetryAfterIsHonouredAndCappedForAnyVerb() {
        XCTAssertEqual(policy.delay(afterAttempt: 1, request: read, error: api(429, retryAfter: 3)), 3)
        XCTAssertEqual(policy.delay(afterAttempt: 1, request: write, error: api(503, retryAfter: 2)), 2)
        XCTAssertEqual(policy.delay(afterAttempt: 1, request: write, error: api(429, retryAfter: 600)), 10)
    }

    func testA429WithoutRetryAfterIsAnAnswerNotATransientError() {
        // An eviction blocked by a PodDisruptionBudget answers 429 with no Retry-After.
        XCTAssertNil(policy.delay(afterAttempt: 1, request: write, error: api(429)))
    }

    func testServerErrorsRetryReadsOnlyWithBackoff() {
        XCTAssertEqual(policy.delay(afterAttempt: 1, request: read, error: api(500)), 0.75)   // 1 * (0.5 + 0.25)
        XCTAssertEqual(policy.delay(afterAttempt: 2, request: read, error: api(502)), 1.5)
        XCTAssertEqual(policy.delay(afterAttempt: 3, request: read, error: api(504)), 3)       // capped at 4 -> 2 + 1
        XCTAssertNil(policy.delay(afterAttempt: 4, request: read, error: api(500)), "attempt cap")
        XCTAssertNil(policy.delay(afterAttempt: 1, request: write, error: api(500)))
        XCTAssertNil(policy.delay(afterAttempt: 1, request: read, error: api(404)))
        XCTAssertNil(policy.delay(afterAttempt: 1, request: read, error: api(409)))
    }

    func testWritesRetryOnlyWhenNothingWasSent() {
        let refused = TransportError(kind: .connect, requestSent: false, curlCode: 7, message: "refused", url: "")
        let lostAfterSend = TransportError(kind: .connectionLost, requestSent: true, curlCode: 56, message: "reset", url: "")
        let lostBeforeSend = TransportError(kind: .connectionLost, requestSent: false, curlCode: 55, message: "reset", url: "")
        let tls = TransportError(kind: .tls, requestSent: false, curlCode: 60, message: "verify", url: "")
        XCTAssertNotNil(policy.delay(afterAttempt: 1, request: write, error: refused))
        XCTAssertNil(policy.delay(afterAttempt: 1, request: write, error: lostAfterSend))
        XCTAssertNotNil(policy.delay(afterAttempt: 1, request: write, error: lostBeforeSend))
        XCTAssertNotNil(policy.delay(afterAttempt: 1, request: read, error: lostAfterSend))
        XCTAssertNil(policy.delay(afterAttempt: 1, request: read, error: tls), "a TLS failure is configuration, not transient")
    }

    func testRequestBuildersCarryPreconditionsDryRunAndFieldManager() throws {
        let patch = KubeRequest.patch(.deployments, namespace: "ns", name: "web",
                                      patch: .json([.test("/metadata/resourceVersion", "42"), .add("/metadata/labels/a~1b", "x")]), dryRun: true)
        XCTAssertEqual(patch.pathAndQuery, "/apis/apps/v1/namespaces/ns/deployments/web?dryRun=All&fieldManager=kreconcile")
        XCTAssertEqual(patch.contentType, "application/json-patch+json")
        let ops = try JSONValue.parse(XCTUnwrap(patch.body))
        XCTAssertEqual(ops[0]?["op"], "test")
        XCTAssertEqual(ops[0]?["value"], "42")

        let delete = KubeRequest.delete(.configMaps, namespace: "ns", name: "c",
                                        options: DeleteOptions(preconditionUID: "u-1", preconditionResourceVersion: "7", propagationPolicy: .foreground))
        let body = try JSONValue.parse(XCTUnwrap(delete.body))
        XCTAssertEqual(body["preconditions"]?["uid"], "u-1")
        XCTAssertEqual(body["preconditions"]?["resourceVersion"], "7")
        XCTAssertEqual(body["propagationPolicy"], "Foreground")
        XCTAssertEqual(delete.dryRun().pathAndQuery, "/api/v1/namespaces/ns/configmaps/c?dryRun=All")

        let evict = KubeRequest.evict(namespace: "ns", name: "p", dryRun: true)
        XCTAssertEqual(evict.path, "/api/v1/namespaces/ns/pods/p/eviction")
        let eb = try JSONValue.parse(XCTUnwrap(evict.body))
        XCTAssertEqual(eb["apiVersion"], "policy/v1")
        XCTAssertEqual(eb["deleteOptions"]?["dryRun"], ["All"])
        XCTAssertEqual(JSONPatchOperation.escape("kubearmor.io/enforcer~x"), "kubearmor.io~1enforcer~0x")
    }

    func testStatusAndNonStatusBodiesDecode() {
        let status = HTTPResponse(status: 409, headers: ["content-type": "application/json"], body: Data(#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified","reason":"Conflict","details":{"name":"web","group":"apps","kind":"deployments"},"code":409}"#.utf8))
        let e = KubeAPIError.from(response: status, method: "PUT", path: "/apis/apps/v1/namespaces/a/deployments/web")
        XCTAssertEqual(e.reason, "Conflict")
        XCTAssertEqual(e.status?.details?.name, "web")
        XCTAssertTrue(e.description.hasPrefix("PUT /apis/apps/v1/namespaces/a/deployments/web: 409 Conflict: Operation cannot be fulfilled"))

        let html = HTTPResponse(status: 502, headers: ["content-type": "text/html"], body: Data("<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>".utf8))
        let h = KubeAPIError.from(response: html, method: "GET", path: "/api")
        XCTAssertNil(h.status)
        XCTAssertTrue(h.description.contains("502 BadGateway"), h.description)
        XCTAssertTrue(h.description.contains("502 Bad Gateway nginx"), h.description)
        XCTAssertFalse(h.description.contains("<"), h.description)

        let plain = HTTPResponse(status: 404, headers: ["content-type": "text/plain; charset=utf-8", "retry-after": "5"], body: Data("404 page not found\n".utf8))
        let p = KubeAPIError.from(response: plain, method: "GET", path: "/apis/nope/v1")
        XCTAssertEqual(p.description, "GET /apis/nope/v1: 404 NotFound: (text/plain) 404 page not found")
        XCTAssertEqual(p.retryAfter, 5)
    }
}
