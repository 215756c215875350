import Foundation
import KubeClient

/// The deletion convention controllers (kubelet, garbage collector) rely on:
///
/// An object with `metadata.deletionTimestamp` is being deleted. It is removed from
/// storage once its `finalizers` list is empty AND its `deletionGracePeriodSeconds` is 0
/// (apiserver registry ShouldDeleteDuringUpdate). A pod deleted gracefully keeps a
/// non-zero grace period until its kubelet has stopped it: the kubelet then calls
/// `finishDeletion`. The garbage collector, after orphaning or deleting dependents, calls
/// `removeFinalizer(Finalizers.orphan | Finalizers.foreground)`.
///
/// Both run under `core.state.withLock`, take one resourceVersion per persisted change and
/// return whether the object is gone.
extension StoreState {
    /// The kubelet's final delete (grace period 0): removes the object when no finalizers
    /// are left, else leaves it with `deletionGracePeriodSeconds: 0` for the finalizers'
    /// owners. Does nothing to an object that is not being deleted.
    @discardableResult
    mutating func finishDeletion(_ rt: ResourceType, namespace: String, name: String) -> Bool {
        guard var obj = get(rt, namespace: namespace, name: name)?.object, obj.meta("deletionTimestamp") != nil else { return false }
        if (obj["metadata"]?["finalizers"]?.arrayValue ?? []).isEmpty {
            remove(rt, namespace: namespace, name: name)
            return true
        }
        if obj["metadata"]?["deletionGracePeriodSeconds"]?.intValue != 0 {
            obj.setMeta("deletionGracePeriodSeconds", 0)
            obj.setMeta("resourceVersion", .string(nextResourceVersion()))
            put(rt, obj)
        }
        return false
    }

    /// Removes one finalizer; an object being deleted whose last finalizer goes and whose
    /// grace period is over is removed.
    @discardableResult
    mutating func removeFinalizer(_ rt: ResourceType, namespace: String, name: String, _ finalizer: String) -> Bool {
        guard var obj = get(rt, namespace: namespace, name: name)?.object else { return false }
        let before = (obj["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        let after = before.filter { $0 != finalizer }
        guard after.count != before.count else { return false }
        obj.setMeta("finalizers", after.isEmpty ? nil : .array(after.map(JSONValue.string)))
        if Self.shouldDeleteDuringUpdate(old: obj, new: obj) {
            remove(rt, namespace: namespace, name: name)
            return true
        }
        obj.setMeta("resourceVersion", .string(nextResourceVersion()))
        put(rt, obj)
        return false
    }

    /// registry.ShouldDeleteDuringUpdate: no finalizers left in the new object, a delete
    /// was requested on the old one, and its grace period is absent or 0.
    static func shouldDeleteDuringUpdate(old: JSONValue, new: JSONValue) -> Bool {
        guard (new["metadata"]?["finalizers"]?.arrayValue ?? []).isEmpty, old.meta("deletionTimestamp") != nil else { return false }
        return (old["metadata"]?["deletionGracePeriodSeconds"]?.intValue ?? 0) == 0
    }
}
