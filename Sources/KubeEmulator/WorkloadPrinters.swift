import Foundation
import KubeClient

/// Printers of apps, batch and policy kinds (printers.go, Kubernetes 1.32).
enum WorkloadPrinters {
    typealias C = TableColumn
    private static func num(_ n: Int) -> JSONValue { PrintHelpers.num(n) }
    private static let containers = C(name: "Containers", description: "Names of each container in the template.", priority: 1)
    private static let images = C(name: "Images", description: "Images referenced by each container in the template.", priority: 1)
    private static func selector(_ doc: String) -> C { C(name: "Selector", description: doc, priority: 1) }
    /// spec.replicas is defaulted to 1 by the real server; the emulator may store none.
    private static func replicas(_ o: JSONValue) -> Int { o["spec"]?["replicas"]?.intValue ?? 1 }

    static let deployment = TablePrinter(columns: [
        .name, C(name: "Ready", description: "Number of the pod with ready state"),
        C(name: "Up-to-date", type: "integer", description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        C(name: "Available", type: "integer", description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        .age, containers, images, selector("Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
    ]) { d in
        [.string(d.name), .string("\(d.int("status", "readyReplicas"))/\(replicas(d))"), num(d.int("status", "updatedReplicas")),
         num(d.int("status", "availableReplicas")), d.age] + PrintHelpers.containersAndImages(d.at("spec", "template", "spec"))
            + [.string(PrintHelpers.selector(d.at("spec", "selector")))]
    }

    static let replicaSet = TablePrinter(columns: [
        .name, C(name: "Desired", type: "integer", description: "Replicas is the number of desired pods."),
        C(name: "Current", type: "integer", description: "Replicas is the most recently observed number of replicas."),
        C(name: "Ready", type: "integer", description: "readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition."),
        .age, containers, images, selector("Selector is a label query over pods that should match the replica count."),
    ]) { rs in
        [.string(rs.name), num(replicas(rs)), num(rs.int("status", "replicas")), num(rs.int("status", "readyReplicas")), rs.age]
            + PrintHelpers.containersAndImages(rs.at("spec", "template", "spec")) + [.string(PrintHelpers.selector(rs.at("spec", "selector")))]
    }

    static let daemonSet = TablePrinter(columns: [
        .name, C(name: "Desired", type: "integer", description: "The total number of nodes that should be running the daemon pod."),
        C(name: "Current", type: "integer", description: "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
        C(name: "Ready", type: "integer", description: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
        C(name: "Up-to-date", type: "integer", description: "The total number of nodes that are running updated daemon pod"),
        C(name: "Available", type: "integer", description: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
        C(name: "Node Selector", description: "NodeSelector is a selector which must be true for the pod to fit on a node."),
        .age, containers, images, selector("A label query over pods that are managed by the daemon set."),
    ]) { ds in
        [.string(ds.name), num(ds.int("status", "desiredNumberScheduled")), num(ds.int("status", "currentNumberScheduled")),
         num(ds.int("status", "numberReady")), num(ds.int("status", "updatedNumberScheduled")), num(ds.int("status", "numberAvailable")),
         .string(PrintHelpers.formatLabels(ds.at("spec", "template", "spec", "nodeSelector"))), ds.age]
            + PrintHelpers.containersAndImages(ds.at("spec", "template", "spec")) + [.string(PrintHelpers.selector(ds.at("spec", "selector")))]
    }

    static let statefulSet = TablePrinter(columns: [
        .name, C(name: "Ready", description: "Number of the pod with ready state"), .age, containers, images,
    ]) { s in
        [.string(s.name), .string("\(s.int("status", "readyReplicas"))/\(replicas(s))"), s.age]
            + PrintHelpers.containersAndImages(s.at("spec", "template", "spec"))
    }

    static let job = TablePrinter(columns: [
        .name, C(name: "Status", description: "Status of the job."),
        C(name: "Completions", description: "The completion status of the job."),
        C(name: "Duration", description: "Time required to complete the job."), .age, containers, images,
        selector("A label query over pods that should match the pod count."),
    ]) { j in
        let succeeded = j.int("status", "succeeded")
        let completions: String
        if let c = j.at("spec", "completions")?.intValue {
            completions = "\(succeeded)/\(c)"
        } else if let p = j.at("spec", "parallelism")?.intValue, p > 1 {
            completions = "\(succeeded)/1 of \(p)"
        } else {
            completions = "\(succeeded)/1"
        }
        var duration = ""
        if let start = j.at("status", "startTime")?.stringValue.flatMap(HumanDuration.parse) {
            if let end = j.at("status", "completionTime")?.stringValue.flatMap(HumanDuration.parse) {
                duration = HumanDuration.format(seconds: Int(end.timeIntervalSince(start)))
            } else {
                duration = HumanDuration.elapsed(since: start)
            }
        }
        let conds = j.list("status", "conditions")
        func has(_ t: String) -> Bool { conds.contains { $0.str("type") == t && $0.str("status") == "True" } }
        let status = has("Complete") ? "Complete" : has("Failed") ? "Failed" : j.meta("deletionTimestamp") != nil ? "Terminating"
            : has("Suspended") ? "Suspended" : has("FailureTarget") ? "FailureTarget" : has("SuccessCriteriaMet") ? "SuccessCriteriaMet" : "Running"
        return [.string(j.name), .string(status), .string(completions), .string(duration), j.age]
            + PrintHelpers.containersAndImages(j.at("spec", "template", "spec")) + [.string(PrintHelpers.selector(j.at("spec", "selector")))]
    }

    static let cronJob = TablePrinter(columns: [
        .name, C(name: "Schedule", description: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        C(name: "Timezone", description: "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
        C(name: "Suspend", type: "boolean", description: "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions."),
        C(name: "Active", type: "integer", description: "A list of pointers to currently running jobs."),
        C(name: "Last Schedule", description: "Information when was the last time the job was successfully scheduled."),
        .age, containers, images, selector("A label query over pods that should match the pod count."),
    ]) { cj in
        let suspend = cj.at("spec", "suspend")?.boolValue.map { $0 ? "True" : "False" } ?? "<unset>"
        let last = cj.at("status", "lastScheduleTime")?.stringValue.map { HumanDuration.since($0) } ?? "<none>"
        let jobSpec = cj.at("spec", "jobTemplate", "spec")
        return [.string(cj.name), .string(cj.str("spec", "schedule")), .string(PrintHelpers.orNone(cj.str("spec", "timeZone"))),
                .string(suspend), num(cj.list("status", "active").count), .string(last), cj.age]
            + PrintHelpers.containersAndImages(jobSpec?["template"]?["spec"]) + [.string(PrintHelpers.selector(jobSpec?["selector"]))]
    }

    static let podDisruptionBudget = TablePrinter(columns: [
        .name, C(name: "Min Available", description: "The minimum number of pods that must be available."),
        C(name: "Max Unavailable", description: "The maximum number of pods that may be unavailable."),
        C(name: "Allowed Disruptions", type: "integer", description: "Calculated number of pods that may be disrupted at this time."), .age,
    ]) { p in
        [.string(p.name), .string(PrintHelpers.intOrString(p.at("spec", "minAvailable")) ?? "N/A"),
         .string(PrintHelpers.intOrString(p.at("spec", "maxUnavailable")) ?? "N/A"), num(p.int("status", "disruptionsAllowed")), p.age]
    }
}
