import Foundation
import KubeClient

/// One controller pass over the store. The store lock is held for the whole step, so every
/// controller sees a consistent state; all writes go through here so they bump
/// resourceVersion (and generation on spec changes) like the API server and are counted.
struct ControllerStep {
    var store: StoreState
    var memory: ControllerMemory
    let settings: ControllerSettings
    /// The API server's mutating admission (`EmulatorCore.admit`): controller-made objects
    /// pass the same webhooks as client-made ones, so a test can take a webhook down and see
    /// the pods a ReplicaSet creates meanwhile go unmutated.
    let admit: @Sendable (inout JSONValue, ResourceType) throws(APIError) -> Void
    /// The kubelet's exec mode, when the emulator runs mapped images as local processes.
    var exec: KubeletExec?
    /// Persisted writes so far; a step with none means the cluster has settled.
    private(set) var writes = 0
    /// Trees parsed during this step, by storage key then store key.
    private var parsed: [String: [String: JSONValue]] = [:]

    init(store: StoreState, memory: ControllerMemory, settings: ControllerSettings,
         admit: @escaping @Sendable (inout JSONValue, ResourceType) throws(APIError) -> Void = { _, _ in }) {
        self.store = store
        self.memory = memory
        self.settings = settings
        self.admit = admit
    }

    func type(_ qualifiedResource: String) -> ResourceType? {
        store.registry.types.first { $0.qualifiedResource == qualifiedResource }
    }

    private func key(_ rt: ResourceType, _ obj: JSONValue) -> String {
        StoreState.key(namespace: rt.namespaced ? obj.namespace : "", name: obj.name)
    }

    /// Objects of a type in store order (namespace/name).
    mutating func list(_ rt: ResourceType, namespace: String = "") -> [JSONValue] {
        let keys = store.keys(rt, namespace: namespace)
        guard let bucket = store.buckets[rt.storageKey] else { return [] }
        var cache = parsed[rt.storageKey] ?? [:]
        var out: [JSONValue] = []
        out.reserveCapacity(keys.count)
        for k in keys {
            if let obj = cache[k] { out.append(obj); continue }
            guard let obj = bucket.objects[k]?.object else { continue }
            cache[k] = obj
            out.append(obj)
        }
        parsed[rt.storageKey] = cache
        return out
    }

    mutating func list(_ qualifiedResource: String, namespace: String = "") -> [JSONValue] {
        type(qualifiedResource).map { list($0, namespace: namespace) } ?? []
    }

    func get(_ rt: ResourceType, namespace: String, name: String) -> JSONValue? {
        let k = StoreState.key(namespace: rt.namespaced ? namespace : "", name: name)
        if let obj = parsed[rt.storageKey]?[k] { return obj }
        return store.buckets[rt.storageKey]?.objects[k]?.object
    }

    private mutating func persist(_ rt: ResourceType, _ obj: JSONValue) {
        var obj = obj
        obj.setMeta("resourceVersion", .string(store.nextResourceVersion()))
        store.put(rt, obj)
        let k = key(rt, obj)
        parsed[rt.storageKey, default: [:]][k] = obj
        writes += 1
    }

    /// The single way controllers create objects (pods, ReplicaSets), filling what the API
    /// server's create path fills.
    mutating func create(_ rt: ResourceType, _ obj: JSONValue) {
        var obj = obj
        obj["apiVersion"] = .string(rt.groupVersion)
        obj["kind"] = .string(rt.kind)
        obj.setMeta("uid", .string(memory.rng.uuid()))
        obj.setMeta("creationTimestamp", .string(ServerStamp.now()))
        if ObjectValidation.generationRelevant(obj, rt) != nil { obj.setMeta("generation", 1) }
        Defaulting.apply(&obj, rt)
        ManagedFields.recordUpdate(old: nil, new: &obj, rt, manager: Self.manager)
        if rt.qualifiedResource == "pods" {
            obj["status"] = nil
            var rng = memory.rng
            do { try PodAdmission.admitCreate(&obj, suffix: { rng.nameSuffix() }) } catch { return }
            memory.rng = rng
        }
        // A webhook failing with failurePolicy Fail refuses the create; the controller
        // tries again on a later step, as the real one requeues.
        do { try admit(&obj, rt) } catch { return }
        guard store.get(rt, namespace: obj.namespace, name: obj.name) == nil else { return }
        persist(rt, obj)
    }

    /// A full update: metadata.generation increments when spec changes (status is kept
    /// apart only by updateStatus). Unchanged objects are not written, like GuaranteedUpdate.
    /// The field manager of the controllers' writes (kube-controller-manager's user agent).
    static let manager = "kube-controller-manager"

    mutating func update(_ rt: ResourceType, _ obj: JSONValue) {
        guard let current = get(rt, namespace: obj.namespace, name: obj.name), current != obj else { return }
        var obj = obj
        var view = obj
        if rt.hasStatus { view["status"] = current["status"] }
        ManagedFields.recordUpdate(old: current, new: &view, rt, manager: Self.manager)
        obj.setMeta("managedFields", view["metadata"]?["managedFields"])
        if let gen = current["metadata"]?["generation"]?.intValue,
           ObjectValidation.generationRelevant(obj, rt) != ObjectValidation.generationRelevant(current, rt) {
            obj.setMeta("generation", .number(Double(gen + 1)))
        }
        if obj.isTerminating, obj.finalizers.isEmpty, rt.qualifiedResource != "pods" {
            // The last finalizer is gone: the API server deletes the object on this update.
            removeNow(rt, obj)
            return
        }
        persist(rt, obj)
    }

    /// Writes only `.status` (the /status subresource).
    mutating func updateStatus(_ rt: ResourceType, _ obj: JSONValue, status: JSONValue) {
        guard let old = get(rt, namespace: obj.namespace, name: obj.name), old["status"] != status else { return }
        var current = old
        current["status"] = status
        // The kubelet writes pod status; controllers the status of their objects.
        ManagedFields.recordUpdate(old: old, new: &current, rt, manager: rt.qualifiedResource == "pods" ? "kubelet" : Self.manager,
                                   subresource: "status")
        persist(rt, current)
    }

    /// DELETE as a controller sends it: bound, running pods get a graceful deletion
    /// (deletionTimestamp, the kubelet finishes them); objects with finalizers wait for
    /// them; anything else goes at once. Foreground adds the foregroundDeletion finalizer.
    mutating func delete(_ rt: ResourceType, _ obj: JSONValue, foreground: Bool = false) {
        guard var current = get(rt, namespace: obj.namespace, name: obj.name), !current.isTerminating else { return }
        var finalizers = current.finalizers
        if foreground, !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
        let isPod = rt.qualifiedResource == "pods"
        let phase = current["status"]?["phase"]?.stringValue
        // registry/core/pod/strategy.go CheckGracefulDelete: unbound or terminal pods go at once.
        let graceful = isPod && !(current["spec"]?["nodeName"]?.stringValue ?? "").isEmpty && phase != "Succeeded" && phase != "Failed"
        guard graceful || !finalizers.isEmpty else {
            removeNow(rt, current)
            return
        }
        let grace = graceful ? current["spec"]?["terminationGracePeriodSeconds"]?.intValue ?? 30 : 0
        current.setMeta("deletionTimestamp", .string(Date().addingTimeInterval(Double(grace)).formatted(.iso8601)))
        current.setMeta("deletionGracePeriodSeconds", .number(Double(grace)))
        current.setMeta("finalizers", finalizers.isEmpty ? nil : .array(finalizers.map { .string($0) }))
        persist(rt, current)
    }

    /// Removes the object from storage (its deletion is complete).
    mutating func removeNow(_ rt: ResourceType, _ obj: JSONValue) {
        guard store.remove(rt, namespace: rt.namespaced ? obj.namespace : "", name: obj.name) != nil else { return }
        let k = key(rt, obj)
        parsed[rt.storageKey]?[k] = nil
        memory.kubeletPasses[obj.uid] = nil
        writes += 1
    }
}
