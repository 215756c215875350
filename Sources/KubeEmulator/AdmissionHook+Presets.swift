import KubeClient

/// Ready-made webhooks that behave like the ones kreconcile cleans up after.
extension AdmissionHook {
    /// KubeArmor's controller webhook `annotation.kubearmor.com` (failurePolicy Ignore):
    /// gives every container of a new pod the AppArmor annotation
    /// `localhost/kubearmor-<namespace>-<owner>-<container>`, where owner is the Deployment
    /// (ReplicaSet name minus pod-template-hash), another controller's name, or the pod's
    /// own name. Skips kube-system and pods labelled `kubearmor-app` or `io.cilium/app`,
    /// keeps annotations already present.
    public static func kubearmor(name: String = "annotation.kubearmor.com", down: Bool = false) -> AdmissionHook {
        AdmissionHook(name: name, resource: "pods", operations: [.create], failurePolicy: .ignore,
                      behaviour: down ? .down : .mutate(addKubeArmorAnnotations))
    }

    static func addKubeArmorAnnotations(_ pod: inout JSONValue) {
        let namespace = pod.namespace
        let labels = pod.labels
        guard namespace != "kube-system", labels["kubearmor-app"] == nil, labels["io.cilium/app"] == nil else { return }
        let owner = kubeArmorOwner(pod)
        var annotations = pod["metadata"]?["annotations"]?.objectValue ?? [:]
        for container in pod["spec"]?["containers"]?.arrayValue ?? [] {
            guard let c = container["name"]?.stringValue else { continue }
            let key = ImmutableFields.appArmorPrefix + c
            if annotations[key] == nil { annotations[key] = .string("localhost/kubearmor-\(namespace)-\(owner)-\(c)") }
        }
        pod.setMeta("annotations", .object(annotations))
    }

    /// The workload name KubeArmor puts in the profile name.
    static func kubeArmorOwner(_ pod: JSONValue) -> String {
        let refs = pod["metadata"]?["ownerReferences"]?.arrayValue ?? []
        let ref = refs.first { $0["controller"]?.boolValue == true } ?? refs.first
        if let ref, let ownerName = ref["name"]?.stringValue {
            if ref["kind"]?.stringValue == "ReplicaSet" {
                if let hash = pod.labels["pod-template-hash"], ownerName.hasSuffix("-" + hash) {
                    return String(ownerName.dropLast(hash.count + 1))
                }
                if let dash = ownerName.lastIndex(of: "-") { return String(ownerName[..<dash]) }
            }
            return ownerName
        }
        if !pod.name.isEmpty { return pod.name }
        return String((pod.meta("generateName") ?? "").trimmingSuffix("-"))
    }

    /// Where a Gatekeeper Assign-like mutation writes `value`.
    public enum AssignTarget: Sendable {
        /// `spec.containers[name:*].securityContext.<field>`
        case containerSecurityContext(String)
        /// `metadata.labels.<key>` (as AssignMetadata)
        case label(String)
        /// `metadata.annotations.<key>` (as AssignMetadata)
        case annotation(String)
    }

    /// Gatekeeper's mutating webhook `mutation.gatekeeper.sh` (failurePolicy Ignore, 1 s
    /// timeout) applying one Assign/AssignMetadata-like mutation to new pods. AssignMetadata
    /// only adds: an existing label or annotation is kept.
    public static func gatekeeperAssign(name: String = "mutation.gatekeeper.sh", target: AssignTarget, value: JSONValue,
                                        excludedNamespaces: Set<String> = ["kube-system", "gatekeeper-system"],
                                        down: Bool = false) -> AdmissionHook {
        AdmissionHook(name: name, resource: "pods", operations: [.create], failurePolicy: .ignore, timeoutSeconds: 1,
                      behaviour: down ? .down : .mutate { pod in
                          guard !excludedNamespaces.contains(pod.namespace) else { return }
                          switch target {
                          case .containerSecurityContext(let field):
                              guard var containers = pod["spec"]?["containers"]?.arrayValue else { return }
                              for i in containers.indices {
                                  var sc = containers[i]["securityContext"] ?? [:]
                                  if case .object = sc {} else { sc = [:] }
                                  sc[field] = value
                                  containers[i]["securityContext"] = sc
                              }
                              pod["spec"]?["containers"] = .array(containers)
                          case .label(let key), .annotation(let key):
                              let field = { if case .label = target { return "labels" } else { return "annotations" } }()
                              var map = pod["metadata"]?[field]?.objectValue ?? [:]
                              if map[key] == nil { map[key] = value }
                              pod.setMeta(field, .object(map))
                          }
                      })
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> Substring {
        hasSuffix(suffix) ? dropLast(suffix.count) : self[...]
    }
}
