import Foundation
import KubeClient

/// A pod a check wants recreated, and why (one line, shown in the report).
public struct RecreateCandidate: Sendable {
    public var pod: PodRecord
    public var problem: String

    public init(pod: PodRecord, problem: String) {
        self.pod = pod
        self.problem = problem
    }
}

/// What recreating pods may do, from a check's options.
public struct RecreateOptions: Sendable, Equatable {
    /// Evict pods of Jobs (their work so far is lost); default: report them.
    public var evictJobPods: Bool

    public init(evictJobPods: Bool = false) { self.evictJobPods = evictJobPods }
}

/// Turns pods that must be recreated into findings whose actions recreate them through
/// whoever owns them, never by deleting a pod directly (DESIGN.md problem 3, reused by
/// gatekeeper-mutation-drift):
/// - Deployment / StatefulSet / DaemonSet: one rollout restart per workload, which
///   replaces all its pods at the workload's own pace; paused Deployments and workloads
///   still rolling out are reported instead;
/// - a ReplicaSet without Deployment, or a controller kreconcile cannot restart: the
///   Eviction API, so PodDisruptionBudgets hold (429 = a later run);
/// - Job pods: reported (or evicted when `evictJobPods`); bare pods: always reported.
/// `blocked` (e.g. "KubeArmor webhook not ready") turns every action into a report.
public struct PodRecreation: Sendable {
    public var check: String
    public var snapshot: Snapshot
    public var settings: Settings
    public var options: RecreateOptions
    /// When set, nothing is planned: every finding is report-only, prefixed with this.
    public var blocked: String?

    private let owners: PodOwnerIndex

    public init(check: String, snapshot: Snapshot, settings: Settings, options: RecreateOptions, blocked: String? = nil) {
        self.check = check
        self.snapshot = snapshot
        self.settings = settings
        self.options = options
        self.blocked = blocked
        owners = PodOwnerIndex(snapshot: snapshot)
    }

    /// The kinds recreation reads (owners, budgets), for a check's `inputs`.
    public static let inputs: [SnapshotInput] = PodOwnerIndex.inputs + [.builtIn(.podDisruptionBudgets, shape: .object(keepSpec: true))]

    /// The time a rollout restart stamps: the snapshot's, so a plan is reproducible.
    var stamp: Date { snapshot.takenAt ?? Date(timeIntervalSince1970: 0) }

    public func findings(_ candidates: [RecreateCandidate]) -> [Finding] {
        var byWorkload: [String: (workload: WorkloadRecord, pods: [RecreateCandidate])] = [:]
        var findings: [Finding] = []
        for candidate in candidates where !candidate.pod.meta.isDeleting {
            switch owners.owner(of: candidate.pod) {
            case .workload(let w):
                byWorkload[w.meta.uid, default: (w, [])].pods.append(candidate)
            case .evictable(let owner):
                findings.append(eviction(candidate, owner: owner))
            case .job(let name):
                if options.evictJobPods {
                    findings.append(eviction(candidate, owner: "Job \(name)"))
                } else {
                    findings.append(report(candidate, "owned by Job \(name): recreating it loses the work done so far (set evictJobPods to evict Job pods)"))
                }
            case .bare:
                findings.append(report(candidate, "bare pod (no controller): nothing would recreate it, so kreconcile never deletes it; recreate it yourself"))
            case .unresolved(let why):
                findings.append(report(candidate, "\(why): nothing is known about what would recreate it"))
            }
        }
        if !byWorkload.isEmpty {
            let nodes = podNodes(of: Set(byWorkload.keys))
            for uid in byWorkload.keys.sorted() {
                let (w, pods) = byWorkload[uid]!
                findings.append(restart(w, pods: pods, nodes: nodes.nodes[uid, default: []], optedOut: nodes.optedOut[uid]))
            }
        }
        return findings
    }

    // MARK: restarts

    private func restart(_ w: WorkloadRecord, pods: [RecreateCandidate], nodes: [String], optedOut: String?) -> Finding {
        let sorted = pods.sorted { ($0.pod.created ?? "~", $0.pod.meta.name) < ($1.pod.created ?? "~", $1.pod.meta.name) }
        let listed = sorted.prefix(3).map { "\($0.pod.meta.name) (\($0.problem))" }.joined(separator: "; ")
        let more = sorted.count > 3 ? "; and \(sorted.count - 3) more" : ""
        let what = "\(sorted.count) pod\(sorted.count == 1 ? "" : "s") to recreate: \(listed)\(more)"
        func reportOnly(_ why: String) -> Finding { Finding(check: check, object: w.ref, reason: "\(what); \(why)", action: nil) }

        if let blocked { return reportOnly("\(blocked): nothing restarted") }
        if w.paused { return reportOnly("Deployment is paused: not restarted (kubectl refuses too; resume it first)") }
        if let optedOut { return reportOnly("\(optedOut): a restart would recreate it too, so the workload is not restarted") }
        if let why = HealthGate.unhealthyReason(w) {
            return reportOnly("rollout in progress or unavailable (\(why)): not restarted this run; the next run judges its new pods")
        }
        guard let request = RolloutRestart.request(for: w, at: stamp) else { return reportOnly("\(w.kind) cannot be restarted") }
        let action = Action(actionClass: .disruptive, target: w.ref,
                            summary: "rollout restart (\(RolloutRestart.annotation))",
                            request: request, disruptedNodes: nodes, disruptedPodLabels: w.templateLabels, since: sorted.first?.pod.created)
        return Finding(check: check, object: w.ref, reason: what, action: action)
    }

    /// For the workloads in `uids`: the node of every pod a restart replaces (all its pods,
    /// not only the ones with a problem), and the first of its pods that is opted out.
    /// Unscheduled pods disrupt no node and are not listed.
    private func podNodes(of uids: Set<String>) -> (nodes: [String: [String]], optedOut: [String: String]) {
        let exclusions = Exclusions(settings: settings, snapshot: snapshot)
        var nodes: [String: [String]] = [:], optedOut: [String: String] = [:]
        for pod in snapshot.pods where !pod.meta.isDeleting {
            guard let uid = owners.workloadUID(of: pod), uids.contains(uid) else { continue }
            if let node = pod.nodeName { nodes[uid, default: []].append(node) }
            if optedOut[uid] == nil, let why = exclusions.reason(for: pod.ref) { optedOut[uid] = "its pod \(pod.meta.name) is left alone (\(why))" }
        }
        return (nodes, optedOut)
    }

    // MARK: single pods

    private func eviction(_ c: RecreateCandidate, owner: String) -> Finding {
        if let blocked { return report(c, "\(blocked): not evicted") }
        let pod = c.pod
        // The uid precondition: a pod recreated under the same name since the snapshot
        // is not evicted (409).
        let request = KubeRequest.evict(namespace: pod.meta.namespace ?? "", name: pod.meta.name,
                                        options: DeleteOptions(preconditionUID: pod.meta.uid))
        let action = Action(actionClass: .disruptive, target: pod.ref, summary: "evict (\(owner) recreates it; PodDisruptionBudgets hold)",
                            request: request, disruptedNodes: pod.nodeName.map { [$0] } ?? [], since: pod.created)
        return Finding(check: check, object: pod.ref, reason: c.problem, action: action)
    }

    private func report(_ c: RecreateCandidate, _ why: String) -> Finding {
        Finding(check: check, object: c.pod.ref, reason: "\(c.problem); \(why)", action: nil)
    }
}
