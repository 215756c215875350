import KubeClient

/// The `patchMergeKey`/`patchStrategy` tags of the built-in types that strategic merge
/// patch needs (k8s.io/api core/v1, apps/v1, meta/v1 types.go), keyed by field name.
enum PatchMergeKeys {
    enum Strategy { case mergeByKey(String), mergePrimitives, replace }

    private static let byField: [String: Strategy] = [
        "containers": .mergeByKey("name"),
        "initContainers": .mergeByKey("name"),
        "ephemeralContainers": .mergeByKey("name"),
        "env": .mergeByKey("name"),
        "volumes": .mergeByKey("name"),
        "volumeMounts": .mergeByKey("mountPath"),
        "volumeDevices": .mergeByKey("devicePath"),
        "imagePullSecrets": .mergeByKey("name"),
        "ownerReferences": .mergeByKey("uid"),
        "conditions": .mergeByKey("type"),
        "hostAliases": .mergeByKey("ip"),
        "topologySpreadConstraints": .mergeByKey("topologyKey"),
        "resourceClaims": .mergeByKey("name"),
        "webhooks": .mergeByKey("name"),
        "finalizers": .mergePrimitives,
    ]

    /// `ports` merges by containerPort in a container and by port in a Service spec.
    static func strategy(field: String, original: [JSONValue], patch: [JSONValue]) -> Strategy {
        if field == "ports" {
            let items = original + patch
            return items.contains(where: { $0["containerPort"] != nil }) ? .mergeByKey("containerPort") : .mergeByKey("port")
        }
        return byField[field] ?? .replace
    }
}
