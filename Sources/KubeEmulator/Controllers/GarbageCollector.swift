import KubeClient

/// pkg/controller/garbagecollector, simplified to one pass per step:
/// - a dependent whose every ownerReference is absent is deleted (Background);
/// - an owner of a kind no longer served cannot be resolved: the dependent is kept
///   (how Gatekeeper's VAP bindings outlive a deleted constraint CRD);
/// - a namespaced owner referenced by a cluster-scoped dependent is invalid and treated as
///   unresolvable (the real GC emits OwnerRefInvalidNamespace and keeps the dependent);
/// - dangling references next to live owners are removed;
/// - `orphan`: strip the owner's references from dependents, then drop the finalizer;
/// - `foregroundDeletion`: delete dependents (in foreground), drop the finalizer once no
///   dependent with blockOwnerDeletion remains.
enum GarbageCollector {
    enum OwnerState { case present, absent, unresolvable }

    static func run(_ step: inout ControllerStep) {
        let types = step.store.registry.types
        // Every object once, by uid (each storage key once even if served in several versions).
        var seenKeys = Set<String>()
        var all: [(ResourceType, JSONValue)] = []
        for rt in types where seenKeys.insert(rt.storageKey).inserted {
            for obj in step.list(rt) { all.append((rt, obj)) }
        }
        var dependents: [String: [(ResourceType, JSONValue)]] = [:]
        for (rt, obj) in all {
            for ref in obj.ownerReferences { dependents[ref["uid"]?.stringValue ?? "", default: []].append((rt, obj)) }
        }

        // Owners being deleted with orphan or foreground finalizers.
        for (rt, owner) in all where owner.isTerminating {
            let finalizers = owner.finalizers
            let deps = dependents[owner.uid] ?? []
            if finalizers.contains("orphan") {
                for (drt, dep) in deps {
                    guard var current = step.get(drt, namespace: dep.namespace, name: dep.name) else { continue }
                    let refs = current.ownerReferences.filter { $0["uid"]?.stringValue != owner.uid }
                    current.setMeta("ownerReferences", refs.isEmpty ? nil : .array(refs))
                    step.update(drt, current)
                }
                removeFinalizer("orphan", owner, rt, &step)
            } else if finalizers.contains("foregroundDeletion") {
                var blocking = false
                for (drt, dep) in deps {
                    guard let current = step.get(drt, namespace: dep.namespace, name: dep.name) else { continue }
                    let ref = current.ownerReferences.first { $0["uid"]?.stringValue == owner.uid }
                    if ref?["blockOwnerDeletion"]?.boolValue == true { blocking = true }
                    // Dependents of an owner waiting for them go in foreground too (attemptToDeleteItem).
                    if !current.isTerminating { step.delete(drt, current, foreground: true) }
                }
                if !blocking { removeFinalizer("foregroundDeletion", owner, rt, &step) }
            }
        }

        // Dependents whose owners are gone.
        for (rt, obj) in all where !obj.ownerReferences.isEmpty && !obj.isTerminating {
            guard let current = step.get(rt, namespace: obj.namespace, name: obj.name) else { continue }
            let states = current.ownerReferences.map { ownerState($0, dependent: current, rt, &step) }
            if !states.isEmpty, states.allSatisfy({ $0 == .absent }) {
                step.delete(rt, current)
            } else if states.contains(.absent), states.contains(.present) {
                var updated = current
                let kept = zip(current.ownerReferences, states).filter { $0.1 != .absent }.map(\.0)
                updated.setMeta("ownerReferences", .array(kept))
                step.update(rt, updated)
            }
        }
    }

    static func ownerState(_ ref: JSONValue, dependent: JSONValue, _ rt: ResourceType, _ step: inout ControllerStep) -> OwnerState {
        let apiVersion = ref["apiVersion"]?.stringValue ?? "", kind = ref["kind"]?.stringValue ?? ""
        guard let ownerType = step.store.registry.lookup(apiVersion: apiVersion, kind: kind) else { return .unresolvable }
        if ownerType.namespaced, !rt.namespaced { return .unresolvable }
        let owner = step.get(ownerType, namespace: ownerType.namespaced ? dependent.namespace : "", name: ref["name"]?.stringValue ?? "")
        return owner?.uid == ref["uid"]?.stringValue ? .present : .absent
    }

    private static func removeFinalizer(_ name: String, _ owner: JSONValue, _ rt: ResourceType, _ step: inout ControllerStep) {
        guard var current = step.get(rt, namespace: owner.namespace, name: owner.name) else { return }
        let rest = current.finalizers.filter { $0 != name }
        current.setMeta("finalizers", rest.isEmpty ? nil : .array(rest.map { .string($0) }))
        // Without finalizers the update removes it (a pod waits for the kubelet).
        step.update(rt, current)
    }
}
