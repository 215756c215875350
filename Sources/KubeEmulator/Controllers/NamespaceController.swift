import Foundation
import KubeClient

/// NamespaceLifecycle admission (plugin/pkg/admission/namespace/lifecycle/admission.go):
/// creating in a missing namespace is 404; in a terminating one 403 with a
/// `NamespaceTerminating` cause on `metadata.namespace`.
enum NamespaceLifecycle {
    static let finalizer = "kubernetes"

    static func admitCreate(_ s: StoreState, namespace: String, _ rt: ResourceType, name: String) throws(APIError) {
        guard let ns = s.buckets["namespaces"]?.objects[namespace]?.object else {
            throw .notFound(group: "", plural: "namespaces", namespace)
        }
        guard ns["status"]?["phase"]?.stringValue == "Terminating" else { return }
        // admission.NewForbidden -> errors.NewForbidden(resource, name, err).
        let why = "unable to create new content in namespace \(namespace) because it is being terminated"
        let message = name.isEmpty ? "\(rt.qualifiedResource) is forbidden: \(why)" : "\(rt.qualifiedResource) \(JSONBytes.quote(name)) is forbidden: \(why)"
        throw APIError(code: 403, reason: "Forbidden", message: message,
                       details: APIError.details(name: name, group: rt.group, kind: rt.plural, causes: [
                           ["reason": "NamespaceTerminating", "message": .string("namespace \(namespace) is being terminated"),
                            "field": "metadata.namespace"]]))
    }

    /// pkg/registry/core/namespace/storage/storage.go Delete: a namespace with spec
    /// finalizers is only marked: deletionTimestamp and phase Terminating.
    static func markTerminating(_ ns: inout JSONValue) -> Bool {
        let finalizers = ns["spec"]?["finalizers"]?.arrayValue ?? []
        guard !finalizers.isEmpty else { return false }
        if ns.meta("deletionTimestamp") == nil {
            ns.setMeta("deletionTimestamp", .string(ServerStamp.now()))
            ns.setMeta("deletionGracePeriodSeconds", 0)
        }
        ns["status"] = ["phase": "Terminating"]
        return true
    }
}

/// pkg/controller/namespace/deletion/namespaced_resources_deleter.go, one pass per step:
/// for a terminating namespace, report the conditions, delete everything in it (pods
/// gracefully, objects with finalizers wait for them), then remove the `kubernetes`
/// finalizer; with no finalizers left the namespace is removed.
enum NamespaceController {
    static func run(_ step: inout ControllerStep) {
        guard let nsType = step.type("namespaces") else { return }
        for ns in step.list(nsType) where ns.isTerminating {
            var remaining = 0
            var seen = Set<String>()
            for rt in step.store.registry.types where rt.namespaced && seen.insert(rt.storageKey).inserted {
                for obj in step.list(rt, namespace: ns.name) {
                    remaining += 1
                    step.delete(rt, obj)
                }
            }
            let conditions = ns["status"]?["conditions"]?.arrayValue ?? []
            if conditions.isEmpty {
                // What the deleter reports on its first pass (all False when discovery works).
                var status = ns["status"] ?? [:]
                status["conditions"] = .array([
                    ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"),
                    ("NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
                    ("NamespaceDeletionContentFailure", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
                    ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"),
                    ("NamespaceFinalizersRemaining", "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
                ].map { ["type": .string($0.0), "status": "False", "reason": .string($0.1), "message": .string($0.2),
                         "lastTransitionTime": .string(ServerStamp.now())] })
                step.updateStatus(nsType, ns, status: status)
            }
            guard remaining == 0, let current = step.get(nsType, namespace: "", name: ns.name) else { continue }
            var finished = current
            let finalizers = (current["spec"]?["finalizers"]?.arrayValue ?? []).filter { $0.stringValue != NamespaceLifecycle.finalizer }
            finished["spec"]?["finalizers"] = finalizers.isEmpty ? nil : .array(finalizers)
            if finalizers.isEmpty, current.finalizers.isEmpty {
                step.removeNow(nsType, current)
            } else if finished != current, !current.finalizers.isEmpty {
                // Metadata finalizers keep it; other spec finalizers' owners finish it.
                step.update(nsType, finished)
            }
        }
    }
}
