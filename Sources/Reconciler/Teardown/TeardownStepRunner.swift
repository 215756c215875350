import Foundation
import KubeClient

/// One step: select (uids as of now), refuse a delete that would take a later step's
/// objects along, act with uid preconditions, then wait.
struct TeardownStepRunner {
    let step: TeardownProfile.Step
    let options: TeardownOptions
    let namespace: String?
    let resolver: TeardownResolver
    let teardown: Teardown
    /// The whole teardown's deadline (`--timeout`).
    let deadline: Date

    private var client: KubeClient { teardown.client }
    private var dryRun: Bool { options.mode == .serverDryRun }

    func run(later: [(step: String, object: TeardownObject)]) async throws -> TeardownReport.StepReport {
        let started = teardown.now()
        var report = TeardownReport.StepReport(name: step.name, action: step.action == .delete ? "delete" : "scale-to-zero",
                                               status: .finished, message: nil, seconds: 0, objects: [], remaining: [])
        var objects: [TeardownObject] = []
        for s in step.objects { objects += try await resolver.select(s, namespace: namespace) }

        if step.action == .delete, step.propagation != .orphan, let taken = Self.dependents(of: objects, among: later) {
            report.status = .failed
            report.message = taken
            return finish(report, started)
        }

        for o in objects {
            let result = step.action == .delete ? await delete(o) : await scaleToZero(o)
            report.objects.append(result)
        }
        if report.objects.contains(where: { $0.result == "failed" }) {
            report.status = .failed
            report.message = "a write failed; run the teardown again once the cause is fixed"
            return finish(report, started)
        }
        guard options.mode == .real else {
            report.status = .planned
            return finish(report, started)
        }
        try await wait(for: objects, report: &report, started: started)
        return finish(report, started)
    }

    private func finish(_ report: TeardownReport.StepReport, _ started: Date) -> TeardownReport.StepReport {
        var r = report
        r.seconds = (teardown.now().timeIntervalSince(started) * 1000).rounded() / 1000
        return r
    }

    /// The garbage collector deletes an owner's dependents with it (all at once): a later
    /// step's object that references one of these owners would escape its ordering.
    /// References the collector ignores (a cluster-scoped dependent of a namespaced owner,
    /// FACTS: OwnerRefInvalidNamespace) do not count.
    static func dependents(of objects: [TeardownObject], among later: [(step: String, object: TeardownObject)]) -> String? {
        for owner in objects {
            for (stepName, dependent) in later where dependent.ownerUIDs.contains(owner.uid) {
                if owner.resource.namespaced, dependent.namespace == nil { continue }
                return "deleting \(owner.display) now would let the garbage collector delete \(dependent.display) (step \(stepName)) with it; "
                    + "nothing was deleted: delete dependents in an earlier step, or use propagation Orphan"
            }
        }
        return nil
    }

    // MARK: acting

    private func delete(_ o: TeardownObject) async -> TeardownReport.ObjectResult {
        var result = TeardownReport.ObjectResult(object: o.display, uid: o.uid, action: "delete", result: "planned")
        if o.deleting {
            result.result = "already-deleting"
            return result
        }
        let deleteOptions = DeleteOptions(preconditionUID: o.uid, propagationPolicy: step.propagation)
        let request = KubeRequest.delete(o.resource, namespace: o.namespace, name: o.name, options: deleteOptions, dryRun: dryRun)
        result.request = "\(request.method) \(request.pathAndQuery)"
        guard options.mode.sendsWrites else { return result }
        do {
            _ = try await client.delete(o.resource, namespace: o.namespace, name: o.name, options: deleteOptions, dryRun: dryRun)
            result.result = dryRun ? "validated" : "applied"
        } catch let error as KubeAPIError where error.isNotFound {
            result.result = "already-gone"
        } catch let error as KubeAPIError where error.isConflict {
            result.result = "failed"
            result.message = "its name now belongs to another object (uid precondition failed): something recreated it"
        } catch {
            result.result = "failed"
            result.message = "\(error)"
        }
        return result
    }

    private func scaleToZero(_ o: TeardownObject) async -> TeardownReport.ObjectResult {
        var result = TeardownReport.ObjectResult(object: o.display, uid: o.uid, action: "scale-to-zero", result: "planned")
        if o.replicas == 0 {
            result.result = "no-change"
            return result
        }
        return await scale(o, to: 0, result: result)
    }

    /// A JSON patch that tests the uid first: the server answers 422 and changes nothing
    /// when the name now belongs to another object.
    private func scale(_ o: TeardownObject, to replicas: Int, result: TeardownReport.ObjectResult) async -> TeardownReport.ObjectResult {
        var result = result
        let patch = Patch.json([.test("/metadata/uid", .string(o.uid)), .add("/spec/replicas", .number(Double(replicas)))])
        let request = KubeRequest.patch(o.resource, namespace: o.namespace, name: o.name, patch: patch, dryRun: dryRun)
        result.request = "\(request.method) \(request.pathAndQuery)"
        guard options.mode.sendsWrites else { return result }
        do {
            _ = try await client.patch(o.resource, namespace: o.namespace, name: o.name, patch: patch, dryRun: dryRun)
            result.result = dryRun ? "validated" : "applied"
        } catch let error as KubeAPIError where error.isNotFound {
            result.result = "already-gone"
        } catch let error as KubeAPIError where error.isInvalid || error.isConflict {
            result.result = "failed"
            result.message = "its name now belongs to another object (uid test failed): \(error.code)"
        } catch {
            result.result = "failed"
            result.message = "\(error)"
        }
        return result
    }

    // MARK: waiting

    /// Polls until nothing the step waits for remains. At the deadline, `--remove-finalizers`
    /// removes the finalizers of terminating objects once (printing each) and gives them a
    /// short grace; otherwise the step times out naming what remains.
    private func wait(for objects: [TeardownObject], report: inout TeardownReport.StepReport, started: Date) async throws {
        var stepDeadline = min(started.addingTimeInterval(step.timeoutSeconds), deadline)
        let podSelectors = step.waitFor.contains(.podsGone)
            ? Set(objects.compactMap { o in o.podSelector.map { PodSet(namespace: o.namespace ?? "", selector: $0) } }) : []
        var finalizerHelperStarted = false
        var finalizersRemoved = false
        while true {
            var remaining: [TeardownObject] = []
            if step.waitFor.contains(.deleted) {
                for o in objects { if let now = try await resolver.current(o) { remaining.append(now) } }
            }
            for set in podSelectors.sorted(by: { ($0.namespace, $0.selector) < ($1.namespace, $1.selector) }) {
                remaining += try await resolver.list(.pods, namespace: set.namespace, labelSelector: set.selector)
            }
            if remaining.isEmpty { return }

            if let helper = step.finalizedBy, !finalizerHelperStarted,
               remaining.contains(where: { $0.deleting && !Set($0.finalizers).isDisjoint(with: helper.finalizers) }) {
                finalizerHelperStarted = true
                report.objects.append(await startFinalizer(helper))
            }
            if let reason = teardown.stop.reason {
                report.status = .failed
                report.message = "stopped: \(reason)"
                report.remaining = remaining.map(Self.remaining)
                return
            }
            if teardown.now() >= stepDeadline {
                if options.removeFinalizers, !finalizersRemoved, remaining.contains(where: { $0.deleting && !$0.finalizers.isEmpty }) {
                    finalizersRemoved = true
                    for o in remaining where o.deleting && !o.finalizers.isEmpty { report.objects.append(await removeFinalizers(o)) }
                    // The API removes an object whose last finalizer is gone at once; the
                    // grace covers the read after the write.
                    stepDeadline = teardown.now().addingTimeInterval(max(options.pollSeconds * 3, 1))
                    continue
                }
                report.status = .timedOut
                let limit = stepDeadline == deadline ? "the teardown's --timeout" : "the step's deadline (\(TableRenderer.duration(Int(step.timeoutSeconds.rounded(.up)))))"
                report.message = "\(limit) passed with \(remaining.count) object(s) remaining: "
                    + remaining.map { o in o.display + (o.finalizers.isEmpty ? "" : " (finalizers: \(o.finalizers.joined(separator: ", ")))") }
                    .joined(separator: "; ")
                report.remaining = remaining.map(Self.remaining)
                return
            }
            try await teardown.sleep(max(0, min(options.pollSeconds, stepDeadline.timeIntervalSince(teardown.now()))))
        }
    }

    private struct PodSet: Hashable { var namespace: String; var selector: String }

    private static func remaining(_ o: TeardownObject) -> TeardownReport.Remaining {
        .init(object: o.display, finalizers: o.finalizers, terminating: o.deleting)
    }

    /// Scales the controller that removes a finalizer back up (kubearmor: the operator,
    /// scaled to zero in the first step, finishes a KubeArmorConfig's deletion).
    private func startFinalizer(_ helper: TeardownProfile.FinalizedBy) async -> TeardownReport.ObjectResult {
        let display = "\(helper.kind) \(namespace.map { "\($0)/" } ?? "")\(helper.name)"
        var result = TeardownReport.ObjectResult(object: display, uid: "", action: "scale-up", result: "planned",
                                                 message: "to remove finalizer \(helper.finalizers.joined(separator: ", "))")
        do {
            guard let r = try await resolver.resource(group: helper.group, kind: helper.kind),
                  let workload = try await resolver.get(r, namespace: namespace, name: helper.name) else {
                result.result = "already-gone"
                result.message = "no \(display) to remove finalizer \(helper.finalizers.joined(separator: ", "))"
                return result
            }
            result.uid = workload.uid
            if (workload.replicas ?? 0) >= helper.replicas {
                result.result = "no-change"
                return result
            }
            return await scale(workload, to: helper.replicas, result: result)
        } catch {
            result.result = "failed"
            result.message = "\(error)"
            return result
        }
    }

    /// `--remove-finalizers`: a JSON patch that tests uid and the finalizers read, so a
    /// finalizer added meanwhile is never removed unseen.
    private func removeFinalizers(_ o: TeardownObject) async -> TeardownReport.ObjectResult {
        var result = TeardownReport.ObjectResult(object: o.display, uid: o.uid, action: "remove-finalizer", result: "planned",
                                                 message: o.finalizers.joined(separator: ", "))
        let patch = Patch.json([.test("/metadata/uid", .string(o.uid)),
                                .test("/metadata/finalizers", .array(o.finalizers.map(JSONValue.string))),
                                .remove("/metadata/finalizers")])
        let request = KubeRequest.patch(o.resource, namespace: o.namespace, name: o.name, patch: patch)
        result.request = "\(request.method) \(request.pathAndQuery)"
        do {
            _ = try await client.patch(o.resource, namespace: o.namespace, name: o.name, patch: patch)
            result.result = "applied"
            for f in o.finalizers { teardown.onFinalizerRemoved("removed finalizer \(f) from \(o.display)") }
        } catch let error as KubeAPIError where error.isNotFound {
            result.result = "already-gone"
        } catch {
            result.result = "failed"
            result.message = "\(o.finalizers.joined(separator: ", ")): \(error)"
        }
        return result
    }
}
