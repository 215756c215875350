import Foundation
import KubeClient

/// The Job controller of kube-controller-manager 1.32 (pkg/controller/job/job_controller.go
/// syncJob, manageJob, trackJobStatusAndRemoveFinalizers), one pass per step:
///
/// - pods come from the template with a controller ownerReference and the
///   `batch.kubernetes.io/job-tracking` finalizer; Indexed Jobs add the completion index
///   (annotation and label `batch.kubernetes.io/job-completion-index`, env
///   `JOB_COMPLETION_INDEX` from the annotation) and are named `<job>-<index>-<suffix>`;
/// - finished pods are counted into `status.succeeded/failed` (`completedIndexes` for
///   Indexed) and lose their finalizer in the same pass (upstream goes through
///   `uncountedTerminatedPods`; the counts come out the same);
/// - failures: more failed pods than `backoffLimit` → `FailureTarget` BackoffLimitExceeded;
///   running longer than `activeDeadlineSeconds` → `FailureTarget` DeadlineExceeded; active
///   pods are deleted and, once none is left terminating, `Failed` follows with the same
///   reason (the terminal condition waits for terminating pods, JobPodReplacementPolicy);
/// - success: completions reached with nothing active → `SuccessCriteriaMet`
///   (CompletionsReached), then `Complete` and `completionTime` once nothing terminates;
/// - `ttlSecondsAfterFinished` (the TTL-after-finished controller): the finished Job is
///   deleted that many seconds after it finished; the garbage collector takes its pods.
///
/// Not simulated: pod failure policies, backoffLimitPerIndex, success policies, the
/// exponential delay before recreating failed pods, suspend's resume bookkeeping.
enum JobController {
    static let trackingFinalizer = "batch.kubernetes.io/job-tracking"
    static let indexAnnotation = "batch.kubernetes.io/job-completion-index"

    /// registry/batch/job/strategy.go generateSelector (PrepareForCreate): unless
    /// manualSelector, the selector is the Job's uid and the template gets the four labels.
    static func generateSelector(_ job: inout JSONValue) {
        guard job["spec"]?["manualSelector"]?.boolValue != true, job["spec"]?["template"] != nil else { return }
        let uid = JSONValue.string(job.uid), name = JSONValue.string(job.name)
        job["spec"]?["selector"] = ["matchLabels": ["batch.kubernetes.io/controller-uid": uid]]
        var labels = job["spec"]?["template"]?["metadata"]?["labels"]?.objectValue ?? [:]
        labels["batch.kubernetes.io/controller-uid"] = uid
        labels["batch.kubernetes.io/job-name"] = name
        labels["controller-uid"] = uid
        labels["job-name"] = name
        if job["spec"]?["template"]?["metadata"] == nil { job["spec"]?["template"]?["metadata"] = [:] }
        job["spec"]?["template"]?["metadata"]?["labels"] = .object(labels)
    }

    static func run(_ step: inout ControllerStep) {
        guard let jobType = step.type("jobs.batch"), let podType = step.type("pods") else { return }
        let now = Date()
        for job in step.list(jobType) where !job.isTerminating {
            if let finished = finishTime(job) {
                expire(job, finishedAt: finished, now: now, jobType, &step)
                continue
            }
            sync(job, now: now, jobType, podType, &step)
        }
    }

    private static func condition(_ job: JSONValue, _ type: String) -> JSONValue? {
        (job["status"]?["conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
    }

    /// When a Job reached Complete or Failed, if it did.
    static func finishTime(_ job: JSONValue) -> Date? {
        guard let c = condition(job, "Complete") ?? condition(job, "Failed") else { return nil }
        return (job["status"]?["completionTime"]?.stringValue ?? c["lastTransitionTime"]?.stringValue).flatMap(HumanDuration.parse) ?? Date.distantPast
    }

    /// pkg/controller/ttlafterfinished: delete the Job once its TTL after finishing is over.
    private static func expire(_ job: JSONValue, finishedAt: Date, now: Date, _ jobType: ResourceType, _ step: inout ControllerStep) {
        guard let ttl = job["spec"]?["ttlSecondsAfterFinished"]?.intValue, now >= finishedAt.addingTimeInterval(Double(ttl)) else { return }
        step.delete(jobType, job)
    }

    private static func newCondition(_ type: String, reason: String, message: String, at now: String) -> JSONValue {
        ["type": .string(type), "status": "True", "lastProbeTime": .string(now), "lastTransitionTime": .string(now),
         "reason": .string(reason), "message": .string(message)]
    }

    private static func sync(_ job: JSONValue, now: Date, _ jobType: ResourceType, _ podType: ResourceType, _ step: inout ControllerStep) {
        let spec = job["spec"] ?? [:]
        var status = job["status"]?.objectValue ?? [:]
        var conditions = status["conditions"]?.arrayValue ?? []
        let stamp = ServerStamp.at(now)
        let indexed = spec["completionMode"]?.stringValue == "Indexed"
        let completions = spec["completions"]?.intValue
        let parallelism = spec["parallelism"]?.intValue ?? 1
        let suspended = spec["suspend"]?.boolValue == true
        if !suspended, status["startTime"] == nil { status["startTime"] = .string(stamp) }

        // Count finished pods that still carry the tracking finalizer, then release them.
        let pods = step.list(podType, namespace: job.namespace).filter { $0.isControlled(by: job) }
        var succeeded = status["succeeded"]?.intValue ?? 0
        var failed = status["failed"]?.intValue ?? 0
        var doneIndexes = Set(parseIndexes(status["completedIndexes"]?.stringValue ?? ""))
        for var pod in pods where pod.finalizers.contains(trackingFinalizer) {
            let phase = pod["status"]?["phase"]?.stringValue
            guard phase == "Succeeded" || phase == "Failed" || pod.isTerminating else { continue }
            if phase == "Succeeded" {
                if indexed, let i = completionIndex(pod), completions.map({ i < $0 }) ?? false {
                    doneIndexes.insert(i)
                } else if !indexed {
                    succeeded += 1
                }
            } else {
                failed += 1  // a pod deleted before it finished counts as failed
            }
            pod.setMeta("finalizers", pod.finalizers.filter { $0 != trackingFinalizer }.isEmpty ? nil
                        : .array(pod.finalizers.filter { $0 != trackingFinalizer }.map(JSONValue.string)))
            step.update(podType, pod)
        }
        if indexed { succeeded = doneIndexes.count }
        var active = pods.filter(\.isActivePod)
        let terminating = pods.filter { $0.isTerminating && $0["status"]?["phase"]?.stringValue != "Succeeded" && $0["status"]?["phase"]?.stringValue != "Failed" }.count

        // Failure: a pending FailureTarget, else backoff limit, else the active deadline.
        var failure: (reason: String, message: String)?
        if let target = condition(job, "FailureTarget") {
            failure = (target["reason"]?.stringValue ?? "", target["message"]?.stringValue ?? "")
        } else if failed > (spec["backoffLimit"]?.intValue ?? 6) {
            failure = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
        } else if let deadline = spec["activeDeadlineSeconds"]?.intValue, !suspended,
                  let start = (status["startTime"]?.stringValue).flatMap(HumanDuration.parse), now >= start.addingTimeInterval(Double(deadline)) {
            failure = ("DeadlineExceeded", "Job was active longer than specified deadline")
        }

        var deleted = 0
        if let failure {
            if condition(job, "FailureTarget") == nil {
                conditions.append(newCondition("FailureTarget", reason: failure.reason, message: failure.message, at: stamp))
            }
            for pod in active { step.delete(podType, pod); deleted += 1 }
            active = []
            if terminating + deleted == 0 {
                conditions.append(newCondition("Failed", reason: failure.reason, message: failure.message, at: stamp))
            }
        } else if suspended {
            for pod in active { step.delete(podType, pod); deleted += 1 }
            active = []
            conditions = Conditions.set(conditions, type: "Suspended", status: "True", reason: "JobSuspended", message: "Job suspended",
                                        extra: ["lastProbeTime": .string(stamp)])
        } else {
            active += create(job, indexed: indexed, completions: completions, parallelism: parallelism, succeeded: succeeded,
                             doneIndexes: doneIndexes, active: active, podType, &step)
            let complete = completions.map { succeeded >= $0 } ?? (succeeded > 0)
            if complete, active.isEmpty {
                if condition(job, "SuccessCriteriaMet") == nil {
                    conditions.append(newCondition("SuccessCriteriaMet", reason: "CompletionsReached",
                                                   message: "Reached expected number of succeeded pods", at: stamp))
                }
                if terminating == 0 {
                    conditions.append(newCondition("Complete", reason: "CompletionsReached",
                                                   message: "Reached expected number of succeeded pods", at: stamp))
                    status["completionTime"] = .string(stamp)
                }
            }
        }

        status["active"] = active.isEmpty ? nil : .number(Double(active.count))
        status["ready"] = .number(Double(active.filter(\.isPodReady).count))
        status["terminating"] = .number(Double(terminating + deleted))
        status["succeeded"] = succeeded > 0 ? .number(Double(succeeded)) : nil
        status["failed"] = failed > 0 ? .number(Double(failed)) : nil
        if indexed { status["completedIndexes"] = .string(formatIndexes(doneIndexes)) }
        status["uncountedTerminatedPods"] = [:]
        status["conditions"] = conditions.isEmpty ? nil : .array(conditions)
        step.updateStatus(jobType, job, status: .object(status))
    }

    /// manageJob: start pods up to parallelism, never more than the completions left.
    private static func create(_ job: JSONValue, indexed: Bool, completions: Int?, parallelism: Int, succeeded: Int,
                               doneIndexes: Set<Int>, active: [JSONValue], _ podType: ResourceType, _ step: inout ControllerStep) -> [JSONValue] {
        var want = parallelism
        if let completions { want = min(want, completions - succeeded) } else if succeeded > 0 { want = 0 }
        guard want > active.count else { return [] }
        var made: [JSONValue] = []
        if indexed, let completions {
            let running = Set(active.compactMap(completionIndex))
            for i in 0..<completions where !doneIndexes.contains(i) && !running.contains(i) {
                if active.count + made.count >= want { break }
                made.append(newPod(job, index: i, &step))
            }
        } else {
            for _ in 0..<(want - active.count) { made.append(newPod(job, index: nil, &step)) }
        }
        for pod in made { step.create(podType, pod) }
        return made
    }

    /// The pod for one completion (pkg/controller/job: podTemplate + addCompletionIndexEnvVariables).
    static func newPod(_ job: JSONValue, index: Int?, _ step: inout ControllerStep) -> JSONValue {
        let template = job["spec"]?["template"] ?? [:]
        var meta = template["metadata"]?.objectValue ?? [:]
        var spec = template["spec"] ?? [:]
        let prefix = index.map { "\(job.name)-\($0)-" } ?? "\(job.name)-"
        meta["name"] = .string(prefix + step.memory.rng.nameSuffix())
        meta["generateName"] = .string(prefix)
        meta["namespace"] = .string(job.namespace)
        meta["ownerReferences"] = [job.ownerReference()]
        meta["finalizers"] = [.string(trackingFinalizer)]
        if let index {
            var annotations = meta["annotations"]?.objectValue ?? [:]
            annotations[indexAnnotation] = .string(String(index))
            meta["annotations"] = .object(annotations)
            var labels = meta["labels"]?.objectValue ?? [:]
            labels[indexAnnotation] = .string(String(index))
            meta["labels"] = .object(labels)
            let env: JSONValue = ["name": "JOB_COMPLETION_INDEX",
                                  "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": .string("metadata.annotations['\(indexAnnotation)']")]]]
            for key in ["initContainers", "containers"] {
                guard let containers = spec[key]?.arrayValue else { continue }
                spec[key] = .array(containers.map { c in
                    var c = c
                    var envs = c["env"]?.arrayValue ?? []
                    if !envs.contains(where: { $0["name"]?.stringValue == "JOB_COMPLETION_INDEX" }) { envs.append(env) }
                    c["env"] = .array(envs)
                    return c
                })
            }
        }
        return ["metadata": .object(meta), "spec": spec]
    }

    static func completionIndex(_ pod: JSONValue) -> Int? {
        pod["metadata"]?["annotations"]?[indexAnnotation]?.stringValue.flatMap { Int($0) }
    }

    /// "1,3-5" (status.completedIndexes) to indexes and back.
    static func parseIndexes(_ text: String) -> [Int] {
        text.split(separator: ",").flatMap { part -> [Int] in
            let ends = part.split(separator: "-").compactMap { Int($0) }
            if ends.count == 2, ends[0] <= ends[1] { return Array(ends[0]...ends[1]) }
            return ends.count == 1 ? ends : []
        }
    }

    static func formatIndexes(_ indexes: Set<Int>) -> String {
        var parts: [String] = []
        var run: (Int, Int)?
        for i in indexes.sorted() {
            if let r = run, i == r.1 + 1 { run = (r.0, i); continue }
            if let r = run { parts.append(r.0 == r.1 ? "\(r.0)" : "\(r.0)-\(r.1)") }
            run = (i, i)
        }
        if let r = run { parts.append(r.0 == r.1 ? "\(r.0)" : "\(r.0)-\(r.1)") }
        return parts.joined(separator: ",")
    }
}
