import Foundation
import KubeClient

/// CustomResourceDefinitions served at run time: a stored CRD registers one ResourceType per
/// served version; removing it unregisters them and drops their objects (what the
/// apiextensions-apiserver's establishing, naming and finalizer controllers do, at once).
enum CustomResourceDefinitions {
    static let storageKey = "customresourcedefinitions.apiextensions.k8s.io"

    /// One type per `spec.versions[served: true]`.
    static func types(_ crd: JSONValue) -> [ResourceType] {
        let spec = crd["spec"] ?? [:]
        let names = spec["names"] ?? [:]
        guard let group = spec["group"]?.stringValue, let kind = names["kind"]?.stringValue,
              let plural = names["plural"]?.stringValue else { return [] }
        return (spec["versions"]?.arrayValue ?? []).compactMap { v -> ResourceType? in
            guard let version = v["name"]?.stringValue, v["served"]?.boolValue ?? false else { return nil }
            return ResourceType(group: group, version: version, kind: kind, plural: plural,
                                namespaced: spec["scope"]?.stringValue != "Cluster", builtIn: false,
                                listKind: names["listKind"]?.stringValue, singular: names["singular"]?.stringValue,
                                shortNames: (names["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue),
                                hasStatus: v["subresources"]?["status"] != nil)
        }
    }

    /// apiextensions validation: the name is `plural.group` and some version is served.
    static func validate(_ crd: JSONValue) throws(APIError) {
        let spec = crd["spec"] ?? [:]
        let plural = spec["names"]?["plural"]?.stringValue ?? ""
        let group = spec["group"]?.stringValue ?? ""
        var errors: [FieldError] = []
        if crd.name != "\(plural).\(group)" {
            errors.append(.invalid("metadata.name", value: JSONBytes.quote(crd.name), "must be spec.names.plural+\".\"+spec.group"))
        }
        if spec["names"]?["kind"]?.stringValue?.isEmpty ?? true { errors.append(.required("spec.names.kind", "")) }
        let versions = spec["versions"]?.arrayValue ?? []
        if versions.isEmpty { errors.append(.invalid("spec.versions", value: "null", "must have exactly one version marked as storage version")) }
        if !errors.isEmpty { throw .invalid(group: "apiextensions.k8s.io", kind: "CustomResourceDefinition", name: crd.name, errors) }
    }

    /// The status the naming and establishing controllers write: accepted names and the
    /// NamesAccepted/Established conditions, plus storedVersions.
    static func withStatus(_ crd: JSONValue) -> JSONValue {
        var crd = crd
        let names = crd["spec"]?["names"] ?? [:]
        var accepted = names.objectValue ?? [:]
        let kind = names["kind"]?.stringValue ?? ""
        if accepted["singular"] == nil { accepted["singular"] = .string(kind.lowercased()) }
        if accepted["listKind"] == nil { accepted["listKind"] = .string(kind + "List") }
        let now = JSONValue.string(ServerStamp.now())
        let storage = (crd["spec"]?["versions"]?.arrayValue ?? []).filter { $0["storage"]?.boolValue ?? false }.compactMap { $0["name"] }
        crd["status"] = [
            "acceptedNames": .object(accepted),
            "conditions": [
                ["type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": now],
                ["type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": now],
            ],
            "storedVersions": .array(storage),
        ]
        return crd
    }
}

extension CustomResourceDefinitions {
    /// apiextensions-apiserver registry/customresourcedefinition/etcd.go Delete: the first
    /// delete sets deletionTimestamp, adds this finalizer and a Terminating condition; the
    /// finalizer controller (controller/finalizer/crd_finalizer.go) removes the custom
    /// resources, then the finalizer.
    static let cleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io"

    static func markTerminating(_ crd: inout JSONValue) {
        crd.setMeta("deletionTimestamp", .string(ServerStamp.now()))
        crd.setMeta("deletionGracePeriodSeconds", 0)
        setCondition(&crd, type: "Terminating", status: "True", reason: "InstanceDeletionPending",
                     message: "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon")
    }

    static func setCondition(_ crd: inout JSONValue, type: String, status: String, reason: String, message: String) {
        var conditions = (crd["status"]?["conditions"]?.arrayValue ?? []).filter { $0["type"]?.stringValue != type }
        conditions.append(["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
                           "lastTransitionTime": .string(ServerStamp.now())])
        var status = crd["status"] ?? [:]
        status["conditions"] = .array(conditions)
        crd["status"] = status
    }

    static func isTerminating(_ s: StoreState, group: String, plural: String) -> Bool {
        s.buckets[storageKey]?.objects["\(plural).\(group)"]?.object.meta("deletionTimestamp") != nil
    }
}

/// The CRD finalizer controller, one pass per step: deletes the custom resources of each
/// terminating CRD (their own finalizers are respected), then drops the cleanup finalizer,
/// which removes the CRD and stops serving its types.
enum CRDFinalizerController {
    static func run(_ step: inout ControllerStep) {
        guard let crdType = step.type(CustomResourceDefinitions.storageKey) else { return }
        for crd in step.list(crdType) where crd.isTerminating && crd.finalizers.contains(CustomResourceDefinitions.cleanupFinalizer) {
            // crd_finalizer.go deleteInstances deletes the collection, then polls (up to a
            // minute) until the list is empty, and drops the finalizer in the same sync: so
            // the CRD goes in the same pass when no instance holds a finalizer of its own,
            // before the garbage collector could look the deleted owners' kind up again.
            var remaining = 0
            for rt in CustomResourceDefinitions.types(crd).prefix(1) {
                for obj in step.list(rt) { step.delete(rt, obj) }
                remaining += step.list(rt).count
            }
            guard var current = step.get(crdType, namespace: "", name: crd.name) else { continue }
            if remaining > 0 {
                CustomResourceDefinitions.setCondition(&current, type: "Terminating", status: "True", reason: "InstanceDeletionInProgress",
                                                       message: "CustomResource deletion is in progress")
                step.update(crdType, current)
                continue
            }
            CustomResourceDefinitions.setCondition(&current, type: "Terminating", status: "False", reason: "InstanceDeletionCompleted",
                                                   message: "removed all instances")
            let rest = current.finalizers.filter { $0 != CustomResourceDefinitions.cleanupFinalizer }
            current.setMeta("finalizers", rest.isEmpty ? nil : .array(rest.map { .string($0) }))
            step.update(crdType, current)
        }
    }
}

extension ResourceType {
    var isCRD: Bool { storageKey == CustomResourceDefinitions.storageKey }
}

extension StoreState {
    /// Keeps the registry in step with a CRD that was stored (`new`) or removed (`new` nil).
    /// Types the old CRD served and the new one does not stop being served; when the
    /// group/resource goes away entirely, its objects go too.
    mutating func syncCustomResourceTypes(old: JSONValue?, new: JSONValue?) {
        let before = old.map(CustomResourceDefinitions.types) ?? []
        let after = new.map(CustomResourceDefinitions.types) ?? []
        for t in before where !after.contains(where: { $0.groupVersion == t.groupVersion && $0.plural == t.plural }) {
            registry.unregister(groupVersion: t.groupVersion, plural: t.plural)
        }
        for t in after { registry.register(t) }
        for key in Set(before.map(\.storageKey)) where !after.contains(where: { $0.storageKey == key }) {
            buckets[key] = nil
        }
    }
}
