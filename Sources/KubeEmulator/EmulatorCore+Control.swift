import Foundation
import KubeClient

/// Test-support routes under `/_emulator/`, answered before faults and not logged:
/// `GET|DELETE /_emulator/requests` (the request log as JSON, with how many records the
/// ring dropped / clear it) and
/// `POST /_emulator/step` (one controller step through `stepHandler`).
extension EmulatorCore {
    func control(_ req: APIRequest) -> APIReply? {
        guard req.path.hasPrefix("/_emulator/") else { return nil }
        switch (req.method, String(req.path.dropFirst("/_emulator/".count))) {
        case ("GET", "requests"):
            let (records, dropped) = log.withLock { ($0.records, $0.dropped) }
            return .json(200, JSONValue.object(["items": .array(records.map(Self.json)), "dropped": .number(Double(dropped))]).jsonData())
        case ("DELETE", "requests"):
            let count = log.withLock { log in defer { log.removeAll() }; return log.count }
            return .json(200, JSONValue.object(["cleared": .number(Double(count))]).jsonData())
        case ("POST", "step"):
            guard let step = stepHandler.withLock({ $0 }) else {
                return .json(404, JSONValue.object(["message": "controllers disabled"]).jsonData())
            }
            return .json(200, step().jsonData())
        default:
            return .json(404, JSONValue.object(["message": .string("no emulator route \(req.method) \(req.path)")]).jsonData())
        }
    }

    static func json(_ r: RequestRecord) -> JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        return [
            "method": .string(r.method), "path": .string(r.path),
            "query": .object(r.query.mapValues { .array($0.map(JSONValue.string)) }),
            "contentType": opt(r.contentType), "bodySize": .number(Double(r.bodySize)), "status": .number(Double(r.status)),
            "durationSeconds": .number(r.durationSeconds), "verb": opt(r.verb), "resource": opt(r.resource),
            "namespace": opt(r.namespace), "name": opt(r.name), "dryRun": .bool(r.dryRun),
            "httpVersion": .string(r.httpVersion), "contentEncoding": opt(r.contentEncoding),
            "userAgent": opt(r.requestHeaders["user-agent"]),
        ]
    }

    /// dryRun=All anywhere a write can carry it.
    static func isDryRun(_ req: APIRequest) -> Bool {
        if req.query["dryRun"]?.contains("All") == true { return true }
        guard ["POST", "PUT", "PATCH", "DELETE"].contains(req.method), req.body.first == UInt8(ascii: "{"),
              let body = try? JSONValue.parse(req.body) else { return false }
        let values = (body["dryRun"]?.arrayValue ?? []) + (body["deleteOptions"]?["dryRun"]?.arrayValue ?? [])
        return values.contains("All")
    }
}
