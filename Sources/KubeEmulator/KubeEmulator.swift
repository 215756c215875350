import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
import KubeClient
import Logging
import ServiceLifecycle
import Synchronization

/// An in-memory Kubernetes API server on loopback, answering like a real kube-apiserver.
public final class KubeEmulator: Sendable {
    let core: EmulatorCore
    let controllerRunner: ControllerRunner
    private let server = Mutex<(group: ServiceGroup, task: Task<Void, any Error>)?>(nil)

    public init(options: EmulatorOptions = .init()) {
        core = EmulatorCore(options: options)
        controllerRunner = ControllerRunner(core: core)
    }

    public var options: EmulatorOptions { core.options }

    /// Binds the (ephemeral) port and returns once connections are accepted.
    public func start() async throws {
        let options = core.options
        let responder = EmulatorResponder(core: core, clientCertificatesVerified: options.tls?.clientCAPEM != nil)
        // Over TLS, ALPN offers h2 and http/1.1 (HTTP2UpgradeChannel), like the real server.
        let builder: HTTPServerBuilder = try options.tls.map { try .http2Upgrade(tlsConfiguration: EmulatorResponder.tlsConfiguration($0)) } ?? .http1()
        var logger = Logger(label: "kube-emulator")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder, server: builder,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        // A ServiceGroup of our own, so shutdown can be graceful instead of a cancellation.
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        server.withLock { $0 = (group, task) }
        for await port in ports {
            core.boundPort.withLock { $0 = port }
            controllerRunner.startAuto()
            return
        }
        do { try await task.value } catch { throw EmulatorError.startFailed("\(error)") }
        throw EmulatorError.startFailed("server stopped before listening")
    }

    /// "http://127.0.0.1:PORT" or "https://..." once started.
    public var baseURL: String {
        let host = core.options.host.contains(":") ? "[\(core.options.host)]" : core.options.host
        return "\(core.options.tls == nil ? "http" : "https")://\(host):\(port)"
    }

    public var port: Int { core.boundPort.withLock { $0 } }

    public func shutdown() async {
        core.shuttingDown.store(true, ordering: .relaxed)
        await controllerRunner.stopAuto()
        guard let running = server.withLock({ s in defer { s = nil }; return s }) else { return }
        await running.group.triggerGracefulShutdown()
        _ = try? await running.task.value
    }

    /// Replaces the accepted bearer tokens (nil turns authentication off).
    public func setBearerTokens(_ tokens: Set<String>?) { core.tokens.withLock { $0 = tokens } }

    // MARK: state

    /// Stores an object as given, filling uid/resourceVersion/creationTimestamp when
    /// missing; `*List` documents are expanded. An existing object is replaced.
    public func seed(_ object: JSONValue) throws {
        try core.state.withLock { s throws in try Self.seed(object, into: &s) }
    }

    /// A List, a JSON document or multi-document YAML, as `kubectl get -o json|yaml` prints.
    public func seed(yamlOrJSON text: String) throws {
        let docs: [JSONValue]
        do { docs = try SeedDocuments.parse(text) } catch { throw EmulatorError.invalidDocument("\(error)") }
        try core.state.withLock { s throws in for d in docs { try Self.seed(d, into: &s) } }
    }

    private static func seed(_ object: JSONValue, into s: inout StoreState) throws {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        if kind.hasSuffix("List"), let items = object["items"]?.arrayValue {
            for item in items { try seed(item, into: &s) }
            return
        }
        guard let rt = s.registry.lookup(apiVersion: apiVersion, kind: kind) else {
            throw EmulatorError.unknownKind(apiVersion: apiVersion, kind: kind)
        }
        var obj = object
        guard !obj.name.isEmpty else { throw EmulatorError.invalidDocument("\(kind) without metadata.name") }
        if rt.namespaced {
            if obj.namespace.isEmpty { obj.setMeta("namespace", "default") }
        } else {
            obj.setMeta("namespace", nil)
        }
        if rt.isCRD, obj["status"]?["conditions"] == nil { obj = CustomResourceDefinitions.withStatus(obj) }
        if obj.meta("uid") == nil { obj.setMeta("uid", .string(ServerStamp.uid())) }
        if obj.meta("creationTimestamp") == nil { obj.setMeta("creationTimestamp", .string(ServerStamp.now())) }
        if obj["metadata"]?["generation"] == nil, ObjectValidation.generationRelevant(obj, rt) != nil {
            obj.setMeta("generation", 1)
        }
        if let rv = obj.meta("resourceVersion").flatMap(Int.init) {
            s.resourceVersion = max(s.resourceVersion, rv)
        } else {
            obj.setMeta("resourceVersion", .string(s.nextResourceVersion()))
        }
        s.put(rt, obj)
    }

    /// One stored object by plural resource ("deployments" or "deployments.apps").
    public func object(_ resource: String, namespace: String?, name: String) -> JSONValue? {
        core.state.withLock { s in
            guard let rt = s.registry.lookup(resource: resource) else { return nil }
            return s.get(rt, namespace: rt.namespaced ? namespace ?? "" : "", name: name)?.object
        }
    }

    /// Stored objects of a resource in list order; nil namespace = all namespaces.
    public func objects(_ resource: String, namespace: String?) -> [JSONValue] {
        core.state.withLock { s in
            guard let rt = s.registry.lookup(resource: resource) else { return [] }
            let keys = s.keys(rt, namespace: rt.namespaced ? namespace ?? "" : "")
            let objects = s.buckets[rt.storageKey]?.objects ?? [:]
            return keys.compactMap { objects[$0]?.object }
        }
    }

    /// Serves an extra kind, as installing a CRD would.
    public func register(_ type: ResourceType) { core.state.withLock { $0.registry.register(type) } }

    /// The cluster-wide resourceVersion counter (the last one handed out).
    public var resourceVersion: Int { core.state.withLock { $0.resourceVersion } }

    // MARK: test support

    /// The newest `EmulatorOptions.requestLogCapacity` requests, oldest first.
    public func requests() -> [RequestRecord] { core.log.withLock { $0.records } }
    /// Requests pushed out of the log since the last clear.
    public var droppedRequests: Int { core.log.withLock { $0.dropped } }
    public func clearRequests() { core.log.withLock { $0.removeAll() } }
    public func addFault(_ rule: FaultRule) { core.faults.withLock { $0.entries.append(.init(rule: rule)) } }
    public func clearFaults() { core.faults.withLock { $0.entries.removeAll() } }
    /// How many times the current fault rules have acted: a latency fault counts when its
    /// request arrives, so a test can tell that request is in flight.
    public var faultsFired: Int { core.faults.withLock { $0.entries.reduce(0) { $0 + $1.fired } } }

    /// Adds a mutating admission webhook; hooks run in the order added.
    public func addAdmissionHook(_ hook: AdmissionHook) { core.admissionHooks.withLock { $0.append(hook) } }

    /// Removes the hooks with this name (e.g. to bring a webhook "back up" with a new behaviour).
    public func removeAdmissionHook(named name: String) { core.admissionHooks.withLock { $0.removeAll { $0.name == name } } }

    /// Every continue token issued so far answers 410 Expired from now on.
    public func expireContinueTokens() { core.state.withLock { $0.expiredThroughSerial = $0.tokenSerial } }
}
