import Foundation
import KubeClient
import Synchronization

/// The API server's state and request handling, shared by the HTTP layer and the
/// public `KubeEmulator` API. Each piece of state has its own lock.
final class EmulatorCore: Sendable {
    let options: EmulatorOptions
    let state: Mutex<StoreState>
    let faults = Mutex(FaultState())
    let log: Mutex<RequestLog>
    let tokens: Mutex<Set<String>?>
    let boundPort = Mutex(0)
    /// Mutating admission webhooks, run in order by `admit`.
    let admissionHooks = Mutex<[AdmissionHook]>([])
    /// `POST /_emulator/step` runs this (one controller step) and answers its JSON summary.
    let stepHandler = Mutex<(@Sendable () -> JSONValue)?>(nil)
    /// Set by shutdown: open watches end so the server can drain.
    let shuttingDown = Atomic<Bool>(false)
    /// Runs the pods whose images `options.exec` maps (the kubelet's exec mode).
    let exec: KubeletExec?

    init(options: EmulatorOptions) {
        self.options = options
        self.tokens = Mutex(options.bearerTokens)
        self.log = Mutex(RequestLog(capacity: options.requestLogCapacity))
        self.exec = options.exec.map(KubeletExec.init)
        var s = StoreState(registry: ResourceRegistry(BuiltInResources.serving(admissionRegistrationVersions: options.admissionRegistrationVersions)))
        s.history = WatchHistory(capacity: options.watchHistoryCapacity)
        let nsType = BuiltInResources.all[0]
        for ns in BuiltInResources.initialNamespaces {
            var obj: JSONValue = ["apiVersion": "v1", "kind": "Namespace",
                                  "metadata": ["name": .string(ns), "labels": ["kubernetes.io/metadata.name": .string(ns)]],
                                  "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"]]
            obj.setMeta("uid", .string(ServerStamp.uid()))
            obj.setMeta("creationTimestamp", .string(ServerStamp.now()))
            obj.setMeta("resourceVersion", .string(s.nextResourceVersion()))
            s.put(nsType, obj)
        }
        self.state = Mutex(s)
    }

    var registry: ResourceRegistry { state.withLock { $0.registry } }

    /// Handles one request: faults, then discovery or resource verbs. Never throws:
    /// every failure becomes a Status reply. `sleepsLatency` false: a latency fault is not
    /// slept but added to the reply's `simulatedLatency` (the in-process transport's choice).
    func handle(_ req: APIRequest, sleepsLatency: Bool = true) async -> (APIReply, RouteInfo) {
        let route = APIPath.route(req.path, registry: registry)
        let info = RouteInfo(route: route, method: req.method, query: req.query)
        var transport: TransportFault?
        var latency = 0.0
        for action in faults.withLock({ $0.actions(verb: info.verb ?? "", resource: info.resource ?? "",
                                                   name: info.name ?? "", hasContinue: req.param("continue") != nil) }) {
            switch action {
            case .latency(let seconds):
                if sleepsLatency {
                    try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                } else {
                    latency += max(0, seconds)
                }
            case .status(let code, let reason, let message, let retry):
                var e = APIError(code: code, reason: reason, message: message, retryAfterSeconds: retry)
                if let retry { e.details = APIError.details(retryAfter: retry) }
                var reply = APIReply.error(e)
                reply.simulatedLatency = latency
                return (reply, info)
            case .expireContinue:
                var reply = APIReply.error(.expired(ContinueToken.expiredMessage))
                reply.simulatedLatency = latency
                return (reply, info)
            case .resetConnection(let afterBytes):
                transport = .reset(afterBytes: max(0, afterBytes ?? 0))
            case .truncateBody(let bytes):
                transport = .truncate(bytes: max(0, bytes))
            }
        }
        var reply: APIReply
        do {
            reply = try dispatch(req, route)
        } catch {
            reply = .error(error)
        }
        reply.transportFault = transport
        reply.simulatedLatency = latency
        return (reply, info)
    }

    private func dispatch(_ req: APIRequest, _ route: APIRoute) throws(APIError) -> APIReply {
        switch route {
        case .version: return .json(200, Discovery.version(options.serverVersion))
        case .health: return APIReply(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], chunks: [Data("ok".utf8)])
        case .apiVersions: return .json(200, Discovery.apiVersions(host: options.host, port: boundPort.withLock { $0 }))
        case .groupList: return .json(200, Discovery.groupList(registry))
        case .group(let g): return .json(200, Discovery.group(g, registry))
        case .resourceList(let gv): return .json(200, Discovery.resourceList(gv, registry))
        case .notFound: return .pageNotFound
        case .openAPIV3(nil): return .json(200, OpenAPIDocuments.root(registry))
        case .openAPIV3(let gv?): return OpenAPIDocuments.groupVersion(gv, registry).map { .json(200, $0) } ?? .pageNotFound
        case .unknownResource: throw .resourceNotFound()
        case .resource(let target):
            if target.type.namespaced, target.namespace.isEmpty, target.name != nil { throw .resourceNotFound() }
            return try dispatchResource(req, target)
        }
    }

    private func dispatchResource(_ req: APIRequest, _ t: ResourceTarget) throws(APIError) -> APIReply {
        let sub = t.subresource
        if sub == "log", t.type.isCorePods, req.method == "GET", let name = t.name { return try podLog(t, name) }
        if sub == "scale", Self.servesScale(t.type), let name = t.name { return try scale(req, t, name) }
        if let sub, sub != "status", !(sub == "eviction" && t.type.plural == "pods" && t.type.group.isEmpty) {
            throw .resourceNotFound()
        }
        if sub == "status", !t.type.hasStatus { throw .resourceNotFound() }
        switch (req.method, t.name) {
        case ("GET", nil):
            if req.param("watch").map(Self.isTrue) == true { return try watch(req, t) }
            return try list(req, t)
        case ("GET", let name?): return try get(req, t, name)
        case ("POST", nil):
            guard !t.type.namespaced || !t.namespace.isEmpty else { throw .methodNotAllowed() }
            return try create(req, t)
        case ("POST", let name?) where sub == "eviction": return try evict(req, t, name)
        case ("PUT", let name?) where sub != "eviction": return try update(req, t, name)
        case ("PATCH", let name?) where sub != "eviction": return try patch(req, t, name)
        case ("DELETE", let name?) where sub == nil: return try delete(req, t, name)
        case ("DELETE", nil): return try deleteCollection(req, t)
        default: throw .methodNotAllowed()
        }
    }

    /// `pods/log`: what an exec-mode process printed (empty for simulated containers).
    private func podLog(_ t: ResourceTarget, _ name: String) throws(APIError) -> APIReply {
        guard state.withLock({ $0.get(t.type, namespace: t.namespace, name: name) }) != nil else { throw .notFound(t.type, name) }
        let text = exec?.log(namespace: t.namespace, name: name) ?? Data()
        return APIReply(status: 200, headers: [("Content-Type", "text/plain")], chunks: [text])
    }

    static func isTrue(_ s: String) -> Bool { s == "true" || s == "1" }

    /// dryRun query values: only "All" is allowed (validation.ValidateDryRun).
    func dryRun(_ req: APIRequest, optionsKind: String) throws(APIError) -> Bool {
        guard let values = req.query["dryRun"], !values.isEmpty else { return false }
        if values.allSatisfy({ $0 == "All" }) { return true }
        let shown = "[]string{" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "}"
        throw .invalid(group: "meta.k8s.io", kind: optionsKind, name: "",
                       [.notSupported("dryRun", value: shown, supported: ["All"])])
    }

    /// The body of a create/update as JSON: JSON or YAML as sent, protobuf for the simple
    /// kinds `ProtobufBody` knows; anything else is a 415 like the real serializer
    /// negotiation (endpoints/handlers/rest.go).
    func objectBody(_ req: APIRequest, kind: String) throws(APIError) -> JSONValue {
        let type = (req.header("content-type") ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch type {
        case "", "application/json", "*/*":
            return try decodeBody(req.body, kind: kind)
        case "application/yaml":
            guard let docs = try? SeedDocuments.parse(String(decoding: req.body, as: UTF8.self)), docs.count == 1,
                  case .object = docs[0] else { throw .badRequest("error converting YAML to JSON: invalid YAML") }
            return docs[0]
        case "application/vnd.kubernetes.protobuf":
            if let obj = ProtobufBody.decode(req.body) { return obj }
            fallthrough
        default:
            throw .unsupportedMediaType(["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"])
        }
    }

    /// Parses a JSON request body; failures read like transformDecodeError in
    /// endpoints/handlers/rest.go (summarizeData: text for objects, hex otherwise).
    func decodeBody(_ data: Data, kind: String) throws(APIError) -> JSONValue {
        guard let value = try? JSONValue.parse(data), case .object = value else {
            let summary: String
            if data.isEmpty { summary = "<empty>" } else if data.first == UInt8(ascii: "{") {
                summary = String(decoding: data.prefix(30), as: UTF8.self) + (data.count > 30 ? " ..." : "")
            } else {
                summary = data.prefix(30).map { String(format: "%02x", $0) }.joined() + (data.count > 30 ? " ..." : "")
            }
            throw .badRequest("the object provided is unrecognized (must be of type \(kind)): couldn't get version/kind; json parse error: invalid JSON (\(summary))")
        }
        return value
    }
}

/// How a request maps to verb/resource, for fault rules and the request log.
struct RouteInfo: Sendable {
    var verb: String?
    var resource: String?
    var namespace: String?
    var name: String?

    init(route: APIRoute, method: String, query: [String: [String]]) {
        guard case .resource(let t) = route else { return }
        let watch = query["watch"]?.first.map(EmulatorCore.isTrue) ?? false
        switch (method, t.name) {
        case ("GET", nil): verb = watch ? "watch" : "list"
        case ("GET", _): verb = "get"
        case ("POST", _): verb = "create"
        case ("PUT", _): verb = "update"
        case ("PATCH", _): verb = "patch"
        case ("DELETE", nil): verb = "deletecollection"
        case ("DELETE", _): verb = "delete"
        default: verb = method.lowercased()
        }
        resource = t.subresource.map { "\(t.type.plural)/\($0)" } ?? t.type.plural
        namespace = t.namespace.isEmpty ? nil : t.namespace
        name = t.name
    }
}
