import Foundation
import KubeClient
import Logging

public struct TeardownOptions: Sendable {
    public var profile: TeardownProfile
    /// `--namespace`: replaces the profile's namespace.
    public var namespace: String?
    /// real, clientDryRun (no write at all) or serverDryRun (writes with dryRun=All).
    public var mode: RunMode
    /// `--timeout`: the whole teardown, every step's deadline included.
    public var timeoutSeconds: Double
    public var deleteCRDs: Bool
    public var removeFinalizers: Bool
    /// How often a step's waits are checked.
    public var pollSeconds: Double
    public var lock: LockSettings
    public var identity: String

    public init(profile: TeardownProfile, namespace: String? = nil, mode: RunMode = .real, timeoutSeconds: Double = 300,
                deleteCRDs: Bool = false, removeFinalizers: Bool = false, pollSeconds: Double = 2,
                lock: LockSettings = LockSettings(), identity: String = LeaseLock.defaultIdentity()) {
        self.profile = profile
        self.namespace = namespace
        self.mode = mode
        self.timeoutSeconds = timeoutSeconds
        self.deleteCRDs = deleteCRDs
        self.removeFinalizers = removeFinalizers
        self.pollSeconds = pollSeconds
        self.lock = lock
        self.identity = identity
    }
}

/// Runs a teardown profile: each step selects its objects (their uids fix what it may
/// delete), acts, and waits until what it waits for happened or its deadline passed. A step
/// that does not finish stops the teardown (the order is the point); running it again
/// continues, since finished steps then select nothing. A real teardown holds the same Lease
/// as `run`, so a CronJob run never acts while the release is taken apart.
public struct Teardown: Sendable {
    public var options: TeardownOptions
    public var client: KubeClient
    public var stop: StopSignal
    public var logger: Logger
    public var now: @Sendable () -> Date
    /// Waits between polls; tests step the emulator's controllers here instead of sleeping.
    public var sleep: @Sendable (Double) async throws -> Void
    /// Told about every finalizer `--remove-finalizers` removes (the CLI prints each).
    public var onFinalizerRemoved: @Sendable (String) -> Void

    public init(options: TeardownOptions, client: KubeClient, stop: StopSignal = StopSignal(),
                logger: Logger = Logger(label: "kreconcile.teardown"), now: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (Double) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1e9)) },
                onFinalizerRemoved: @escaping @Sendable (String) -> Void = { _ in }) {
        self.options = options
        self.client = client
        self.stop = stop
        self.logger = logger
        self.now = now
        self.sleep = sleep
        self.onFinalizerRemoved = onFinalizerRemoved
    }

    /// The Lease could not be taken or read, or the cluster could not be read at all.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public func execute() async throws(Failure) -> TeardownReport {
        let started = now()
        let deadline = started.addingTimeInterval(options.timeoutSeconds)
        var metadata = TeardownReport.Metadata(profile: options.profile.name, mode: options.mode, startTime: MicroTime.format(started),
                                               finishTime: "", source: client.config.server, deleteCRDs: options.deleteCRDs)
        let namespace = options.lock.namespace ?? client.config.namespace
        let leaseName = "\(namespace)/\(options.lock.name)"
        var lease: LeaseLock?
        if options.mode.persists {
            let lock = LeaseLock(client: client, name: options.lock.name, namespace: namespace, holder: options.identity,
                                 durationSeconds: options.lock.leaseDurationSeconds, logger: logger, now: now)
            switch try await acquire(lock, leaseName: leaseName, deadline: deadline) {
            case .acquired:
                metadata.lock = .init(lease: leaseName, state: "acquired", holder: options.identity)
                let stop = self.stop
                await lock.startRenewing { reason in stop.request(reason) }
                lease = lock
            case .heldBy(let holder):
                // A pre-delete hook must not pass without tearing down: report and fail.
                metadata.lock = .init(lease: leaseName, state: "held-by-other", holder: holder.identity, heldUntil: MicroTime.format(holder.expires))
                metadata.stopped = "Lease \(leaseName) is still held by \(holder.identity) at the --timeout; nothing was changed"
            }
        } else {
            metadata.lock = .init(lease: leaseName, state: "not-taken")
        }

        var steps: [TeardownReport.StepReport] = []
        if metadata.stopped == nil {
            do {
                steps = try await runSteps(deadline: deadline)
            } catch {
                if let lease { await release(lease) }
                throw Failure(description: "\(error)")
            }
            if let reason = stop.reason { metadata.stopped = reason }
        }
        if let lease {
            if let lost = await lease.lost { metadata.lock?.state = "lost"; metadata.stopped = metadata.stopped ?? lost }
            await release(lease)
        }
        metadata.finishTime = MicroTime.format(now())
        return TeardownReport(metadata: metadata, steps: steps)
    }

    /// Waits for a live holder (a CronJob run) to finish, up to the teardown's deadline.
    private func acquire(_ lock: LeaseLock, leaseName: String, deadline: Date) async throws(Failure) -> LeaseAcquisition {
        while true {
            let result: LeaseAcquisition
            do { result = try await lock.acquire() } catch { throw Failure(description: "taking the Lease \(leaseName): \(error)") }
            guard case .heldBy(let holder) = result, now() < deadline, stop.reason == nil else { return result }
            logger.notice("another run holds the Lease; waiting for it", metadata: ["lease": "\(leaseName)", "holder": "\(holder.identity)"])
            do { try await sleep(min(max(options.pollSeconds, 1), max(0, deadline.timeIntervalSince(now())))) } catch { return result }
        }
    }

    private func release(_ lease: LeaseLock) async {
        do { try await lease.release() } catch {
            logger.warning("could not release the Lease; it expires on its own", metadata: ["error": "\(error)"])
        }
    }

    /// Every step in order; after one that did not finish, the rest are reported not started.
    private func runSteps(deadline: Date) async throws -> [TeardownReport.StepReport] {
        let profile = options.profile
        let namespace = options.namespace ?? profile.namespace
        let resolver = TeardownResolver(client: client)
        let applicable = profile.steps.map { !$0.onlyWithDeleteCRDs || options.deleteCRDs }
        // What every step selects now: a delete must not take a later step's objects along.
        var selected: [[TeardownObject]] = []
        for (step, runs) in zip(profile.steps, applicable) {
            var objects: [TeardownObject] = []
            if runs { for s in step.objects { objects += try await resolver.select(s, namespace: namespace) } }
            selected.append(objects)
        }

        var reports: [TeardownReport.StepReport] = []
        var blocked: String?
        for (i, step) in profile.steps.enumerated() {
            let action = step.action == .delete ? "delete" : "scale-to-zero"
            func report(_ status: TeardownReport.StepStatus, _ message: String?) -> TeardownReport.StepReport {
                .init(name: step.name, action: action, status: status, message: message, seconds: 0, objects: [], remaining: [])
            }
            if !applicable[i] { reports.append(report(.skipped, "needs --delete-crds")); continue }
            if let blocked { reports.append(report(.notStarted, blocked)); continue }
            if let reason = stop.reason { reports.append(report(.notStarted, "stopped: \(reason)")); continue }
            let later = zip(profile.steps[(i + 1)...], selected[(i + 1)...]).flatMap { s, objects in objects.map { (s.name, $0) } }
            let runner = TeardownStepRunner(step: step, options: options, namespace: namespace, resolver: resolver, teardown: self,
                                            deadline: deadline)
            let result = try await runner.run(later: later)
            reports.append(result)
            if ![.finished, .planned].contains(result.status) { blocked = "step \(step.name) did not finish" }
        }
        return reports
    }
}
