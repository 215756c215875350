import KubeClient

/// pkg/registry/core/pod/strategy.go applyAppArmorVersionSkew, on pod create: a container
/// without the annotation gets one from its (or the pod's) `appArmorProfile` field (1.30 to
/// 1.33 only), and a container with the annotation but no field gets the field, unless
/// the pod-level profile already says the same.
enum PodAppArmorSync {
    static func apply(_ pod: inout JSONValue, serverMinor: Int) {
        guard pod["spec"]?["os"]?["name"]?.stringValue != "windows" else { return }
        let podProfile = pod["spec"]?["securityContext"]?["appArmorProfile"]
        var annotations = pod["metadata"]?["annotations"]?.objectValue ?? [:]
        for listKey in ["initContainers", "containers"] {
            guard var list = pod["spec"]?[listKey]?.arrayValue else { continue }
            for i in list.indices {
                guard let name = list[i]["name"]?.stringValue else { continue }
                let key = ImmutableFields.appArmorPrefix + name
                let containerProfile = list[i]["securityContext"]?["appArmorProfile"]
                if let annotation = annotations[key]?.stringValue {
                    guard containerProfile == nil, let field = field(forAnnotation: annotation), field != podProfile else { continue }
                    var sc = list[i]["securityContext"] ?? [:]
                    sc["appArmorProfile"] = field
                    list[i]["securityContext"] = sc
                } else if serverMinor <= 33, let value = (containerProfile ?? podProfile).flatMap(annotation(forField:)) {
                    annotations[key] = .string(value)
                }
            }
            pod["spec"]?[listKey] = .array(list)
        }
        if !annotations.isEmpty { pod.setMeta("annotations", .object(annotations)) }
    }

    static func annotation(forField f: JSONValue) -> String? {
        switch f["type"]?.stringValue {
        case "RuntimeDefault": return "runtime/default"
        case "Unconfined": return "unconfined"
        case "Localhost": return f["localhostProfile"]?.stringValue.map { "localhost/" + $0 }
        default: return nil
        }
    }

    static func field(forAnnotation a: String) -> JSONValue? {
        if a == "runtime/default" { return ["type": "RuntimeDefault"] }
        if a == "unconfined" { return ["type": "Unconfined"] }
        if a.hasPrefix("localhost/"), a.count > "localhost/".count {
            return ["type": "Localhost", "localhostProfile": .string(String(a.dropFirst("localhost/".count)))]
        }
        return nil
    }
}
