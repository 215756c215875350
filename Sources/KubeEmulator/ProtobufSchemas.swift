import KubeClient

/// How one protobuf field maps to JSON. `pointer` marks Go pointer fields (`*int32`,
/// `*bool`, ...), whose zero value is meaningful and kept.
indirect enum ProtobufFieldType: Sendable {
    case string, bytes, int, bool, time, intOrString, quantity
    case message(ProtobufSchema)
    case map(ProtobufFieldType)
    case repeated(ProtobufFieldType)
    case pointer(ProtobufFieldType)

    /// The value Go's JSON encoding would omit (omitempty); messages are never omitted.
    var zero: JSONValue {
        switch self {
        case .string, .bytes: return .string("")
        case .int: return .number(0)
        case .bool: return .bool(false)
        default: return .null
        }
    }
}

typealias ProtobufSchema = [Int: (name: String, type: ProtobufFieldType)]

/// Field numbers of the kinds kubectl's typed clients send, from the go-to-protobuf
/// generated.proto files: k8s.io/apimachinery/pkg/apis/meta/v1, k8s.io/api/core/v1,
/// apps/v1, batch/v1, policy/v1, rbac/v1. Checked against bodies kubectl 1.32 sends
/// (`kubectl create ... -v=10` hex dumps). Only the fields those bodies and common
/// manifests use are listed; others are skipped.
enum ProtobufSchemas {
    // MARK: meta/v1
    static let ownerReference: ProtobufSchema = [
        1: ("kind", .string), 3: ("name", .string), 4: ("uid", .string), 5: ("apiVersion", .string),
        6: ("controller", .pointer(.bool)), 7: ("blockOwnerDeletion", .pointer(.bool)),
    ]
    static let objectMeta: ProtobufSchema = [
        1: ("name", .string), 2: ("generateName", .string), 3: ("namespace", .string), 5: ("uid", .string),
        6: ("resourceVersion", .string), 7: ("generation", .int), 8: ("creationTimestamp", .time),
        9: ("deletionTimestamp", .time), 10: ("deletionGracePeriodSeconds", .pointer(.int)),
        11: ("labels", .map(.string)), 12: ("annotations", .map(.string)),
        13: ("ownerReferences", .repeated(.message(ownerReference))), 14: ("finalizers", .repeated(.string)),
    ]
    static let labelSelectorRequirement: ProtobufSchema = [1: ("key", .string), 2: ("operator", .string), 3: ("values", .repeated(.string))]
    static let labelSelector: ProtobufSchema = [1: ("matchLabels", .map(.string)), 2: ("matchExpressions", .repeated(.message(labelSelectorRequirement)))]
    static let preconditions: ProtobufSchema = [1: ("uid", .pointer(.string)), 2: ("resourceVersion", .pointer(.string))]
    static let deleteOptions: ProtobufSchema = [
        1: ("gracePeriodSeconds", .pointer(.int)), 2: ("preconditions", .message(preconditions)),
        3: ("orphanDependents", .pointer(.bool)), 4: ("propagationPolicy", .pointer(.string)), 5: ("dryRun", .repeated(.string)),
    ]

    // MARK: core/v1
    static let keySelector: ProtobufSchema = [1: ("localObjectReference", .message([1: ("name", .string)])), 2: ("key", .string), 3: ("optional", .pointer(.bool))]
    static let envVar: ProtobufSchema = [
        1: ("name", .string), 2: ("value", .string),
        3: ("valueFrom", .message([1: ("fieldRef", .message([1: ("apiVersion", .string), 2: ("fieldPath", .string)])),
                                   3: ("configMapKeyRef", .message(keySelector)), 4: ("secretKeyRef", .message(keySelector))])),
    ]
    static let containerPort: ProtobufSchema = [1: ("name", .string), 2: ("hostPort", .int), 3: ("containerPort", .int), 4: ("protocol", .string), 5: ("hostIP", .string)]
    static let resources: ProtobufSchema = [1: ("limits", .map(.quantity)), 2: ("requests", .map(.quantity))]
    static let volumeMount: ProtobufSchema = [1: ("name", .string), 2: ("readOnly", .bool), 3: ("mountPath", .string), 4: ("subPath", .string)]
    static let container: ProtobufSchema = [
        1: ("name", .string), 2: ("image", .string), 3: ("command", .repeated(.string)), 4: ("args", .repeated(.string)),
        5: ("workingDir", .string), 6: ("ports", .repeated(.message(containerPort))), 7: ("env", .repeated(.message(envVar))),
        8: ("resources", .message(resources)), 9: ("volumeMounts", .repeated(.message(volumeMount))),
        13: ("terminationMessagePath", .string), 14: ("imagePullPolicy", .string), 16: ("stdin", .bool), 17: ("stdinOnce", .bool),
        18: ("tty", .bool), 20: ("terminationMessagePolicy", .string), 24: ("restartPolicy", .pointer(.string)),
    ]
    static let podSpec: ProtobufSchema = [
        2: ("containers", .repeated(.message(container))), 3: ("restartPolicy", .string),
        4: ("terminationGracePeriodSeconds", .pointer(.int)), 5: ("activeDeadlineSeconds", .pointer(.int)), 6: ("dnsPolicy", .string),
        7: ("nodeSelector", .map(.string)), 8: ("serviceAccountName", .string), 9: ("serviceAccount", .string), 10: ("nodeName", .string),
        11: ("hostNetwork", .bool), 12: ("hostPID", .bool), 13: ("hostIPC", .bool),
        15: ("imagePullSecrets", .repeated(.message([1: ("name", .string)]))), 16: ("hostname", .string), 17: ("subdomain", .string),
        19: ("schedulerName", .string), 20: ("initContainers", .repeated(.message(container))),
        21: ("automountServiceAccountToken", .pointer(.bool)), 24: ("priorityClassName", .string),
    ]
    static let podTemplateSpec: ProtobufSchema = [1: ("metadata", .message(objectMeta)), 2: ("spec", .message(podSpec))]
    static let servicePort: ProtobufSchema = [
        1: ("name", .string), 2: ("protocol", .string), 3: ("port", .int), 4: ("targetPort", .intOrString), 5: ("nodePort", .int),
        6: ("appProtocol", .pointer(.string)),
    ]
    static let serviceSpec: ProtobufSchema = [
        1: ("ports", .repeated(.message(servicePort))), 2: ("selector", .map(.string)), 3: ("clusterIP", .string), 4: ("type", .string),
        5: ("externalIPs", .repeated(.string)), 7: ("sessionAffinity", .string), 10: ("externalName", .string),
        18: ("clusterIPs", .repeated(.string)),
    ]

    // MARK: apps/v1, batch/v1
    static let deploymentSpec: ProtobufSchema = [
        1: ("replicas", .pointer(.int)), 2: ("selector", .message(labelSelector)), 3: ("template", .message(podTemplateSpec)),
        4: ("strategy", .message([1: ("type", .string), 2: ("rollingUpdate", .message([1: ("maxUnavailable", .intOrString), 2: ("maxSurge", .intOrString)]))])),
        5: ("minReadySeconds", .int), 6: ("revisionHistoryLimit", .pointer(.int)), 7: ("paused", .bool),
        9: ("progressDeadlineSeconds", .pointer(.int)),
    ]
    static let jobSpec: ProtobufSchema = [
        1: ("parallelism", .pointer(.int)), 2: ("completions", .pointer(.int)), 3: ("activeDeadlineSeconds", .pointer(.int)),
        4: ("selector", .message(labelSelector)), 5: ("manualSelector", .pointer(.bool)), 6: ("template", .message(podTemplateSpec)),
        7: ("backoffLimit", .pointer(.int)), 8: ("ttlSecondsAfterFinished", .pointer(.int)), 9: ("completionMode", .pointer(.string)),
        10: ("suspend", .pointer(.bool)),
    ]
    static let cronJobSpec: ProtobufSchema = [
        1: ("schedule", .string), 2: ("startingDeadlineSeconds", .pointer(.int)), 3: ("concurrencyPolicy", .string),
        4: ("suspend", .pointer(.bool)), 5: ("jobTemplate", .message([1: ("metadata", .message(objectMeta)), 2: ("spec", .message(jobSpec))])),
        6: ("successfulJobsHistoryLimit", .pointer(.int)), 7: ("failedJobsHistoryLimit", .pointer(.int)), 8: ("timeZone", .pointer(.string)),
    ]

    // MARK: rbac/v1, policy/v1
    static let policyRule: ProtobufSchema = [
        1: ("verbs", .repeated(.string)), 2: ("apiGroups", .repeated(.string)), 3: ("resources", .repeated(.string)),
        4: ("resourceNames", .repeated(.string)), 5: ("nonResourceURLs", .repeated(.string)),
    ]
    static let subject: ProtobufSchema = [1: ("kind", .string), 2: ("apiGroup", .string), 3: ("name", .string), 4: ("namespace", .string)]
    static let roleRef: ProtobufSchema = [1: ("apiGroup", .string), 2: ("kind", .string), 3: ("name", .string)]
    static let pdbSpec: ProtobufSchema = [
        1: ("minAvailable", .intOrString), 2: ("selector", .message(labelSelector)), 3: ("maxUnavailable", .intOrString),
        4: ("unhealthyPodEvictionPolicy", .pointer(.string)),
    ]

    private static let meta = (1, (name: "metadata", type: ProtobufFieldType.message(objectMeta)))
    private static func kind(_ fields: [Int: (name: String, type: ProtobufFieldType)]) -> ProtobufSchema {
        fields.merging([meta.0: meta.1]) { a, _ in a }
    }

    /// Kind name -> top-level schema. `status` is read as an empty object: create and
    /// update ignore it for kinds with a status subresource.
    static let kinds: [String: ProtobufSchema] = [
        "ConfigMap": kind([2: ("data", .map(.string)), 3: ("binaryData", .map(.bytes)), 4: ("immutable", .pointer(.bool))]),
        "Secret": kind([2: ("data", .map(.bytes)), 3: ("type", .string), 4: ("stringData", .map(.string)), 5: ("immutable", .pointer(.bool))]),
        "Namespace": kind([2: ("spec", .message([1: ("finalizers", .repeated(.string))])), 3: ("status", .message([1: ("phase", .string)]))]),
        "ServiceAccount": kind([2: ("secrets", .repeated(.message([1: ("kind", .string), 2: ("namespace", .string), 3: ("name", .string)]))),
                                3: ("imagePullSecrets", .repeated(.message([1: ("name", .string)]))),
                                4: ("automountServiceAccountToken", .pointer(.bool))]),
        "Service": kind([2: ("spec", .message(serviceSpec)), 3: ("status", .message([:]))]),
        "Pod": kind([2: ("spec", .message(podSpec)), 3: ("status", .message([:]))]),
        "Deployment": kind([2: ("spec", .message(deploymentSpec)), 3: ("status", .message([:]))]),
        "Job": kind([2: ("spec", .message(jobSpec)), 3: ("status", .message([:]))]),
        "CronJob": kind([2: ("spec", .message(cronJobSpec)), 3: ("status", .message([:]))]),
        "Role": kind([2: ("rules", .repeated(.message(policyRule)))]),
        "ClusterRole": kind([2: ("rules", .repeated(.message(policyRule))),
                             3: ("aggregationRule", .message([1: ("clusterRoleSelectors", .repeated(.message(labelSelector)))]))]),
        "RoleBinding": kind([2: ("subjects", .repeated(.message(subject))), 3: ("roleRef", .message(roleRef))]),
        "ClusterRoleBinding": kind([2: ("subjects", .repeated(.message(subject))), 3: ("roleRef", .message(roleRef))]),
        "PodDisruptionBudget": kind([2: ("spec", .message(pdbSpec)), 3: ("status", .message([:]))]),
        "Eviction": kind([2: ("deleteOptions", .message(deleteOptions))]),
        "DeleteOptions": deleteOptions,
    ]
}
