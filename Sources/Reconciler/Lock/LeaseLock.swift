import Foundation
import KubeClient
import Logging

/// Who holds a Lease and until when, as read from its spec.
public struct LeaseHolder: Sendable, Equatable, CustomStringConvertible {
    public var identity: String
    public var renewTime: Date
    public var leaseDurationSeconds: Int
    /// The Lease's own name when it is not the one this run asked for (a shard's, or the
    /// unsharded run's): see `LeaseExclusion`.
    public var lease: String?
    public var expires: Date { renewTime.addingTimeInterval(Double(leaseDurationSeconds)) }
    public var description: String { "\(identity) until \(MicroTime.format(expires))" }

    public init(identity: String, renewTime: Date, leaseDurationSeconds: Int, lease: String? = nil) {
        self.identity = identity
        self.renewTime = renewTime
        self.leaseDurationSeconds = leaseDurationSeconds
        self.lease = lease
    }

    /// The holder a Lease object names, or nil when nobody holds it.
    static func of(_ lease: JSONValue, defaultDuration: Int) -> LeaseHolder? {
        let spec = lease["spec"]
        guard let identity = spec?["holderIdentity"]?.stringValue, !identity.isEmpty else { return nil }
        return LeaseHolder(identity: identity,
                           renewTime: spec?["renewTime"]?.stringValue.flatMap(MicroTime.parse) ?? .distantPast,
                           leaseDurationSeconds: spec?["leaseDurationSeconds"]?.intValue ?? defaultDuration,
                           lease: lease["metadata"]?["name"]?.stringValue)
    }
}

/// The outcome of trying to take the lock.
public enum LeaseAcquisition: Sendable, Equatable {
    /// We hold it now; `tookOverFrom` names an expired previous holder.
    case acquired(tookOverFrom: String?)
    /// A live holder has it: this run must not act.
    case heldBy(LeaseHolder)
}

public struct LeaseError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// One run at a time: a `coordination.k8s.io/v1` Lease, taken, renewed and given up the
/// way client-go's leader election does (staging/src/k8s.io/client-go/tools/leaderelection/
/// leaderelection.go):
/// - take: create it if missing; otherwise update it, carrying the resourceVersion read, only
///   when it is free or expired, so two runs racing for it cannot both win (the loser gets 409).
/// - expiry (tryAcquireOrRenew, isLeaseValid): client-go never trusts the holder's renewTime,
///   which another machine's clock wrote. It keeps the record it observed and *its own* time
///   of observation, and calls the Lease expired only when the record has not changed for
///   leaseDurationSeconds of its own clock. So here: a record that is live by its renewTime
///   means "held" at once (not acting is always safe); one that looks expired is watched for
///   a full duration before it is taken; if it changes meanwhile its holder is alive. A
///   clock running ahead therefore cannot steal a live Lease.
/// - writes (renew, RenewDeadline): the holder acts only while
///   `now < lastSuccessfulRenew + renewDeadline`, with renewDeadline < leaseDuration, so it
///   stops before any other run can see the Lease expired (`mayWrite`).
/// - release (ReleaseOnCancel): an update clearing the holder with a 1 s duration, done only
///   after any renewal in flight has finished, so the two never race.
public actor LeaseLock {
    public nonisolated let name: String
    public nonisolated let namespace: String
    public nonisolated let holder: String
    public nonisolated let durationSeconds: Int
    /// No write starts later than this after the last successful renewal.
    public nonisolated let renewDeadlineSeconds: Int
    /// Between renewals, and between looks at a Lease that seems expired.
    public nonisolated let retryPeriodSeconds: Double
    private let client: KubeClient
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Double) async throws -> Void
    private let logger: Logger
    /// The resourceVersion of our last successful write; nil while we do not hold it.
    private var heldVersion: String?
    private var acquireTime: Date?
    /// The renewTime of our last successful write of the Lease (stamped before it was sent).
    private var lastRenewed: Date?
    private var transitions = 0
    private var renewal: Task<Void, Never>?
    private var sleeper: Task<Void, Never>?
    private var released = false
    /// Renew and release take turns: one Lease write at a time.
    private var writing = false
    private var writeQueue: [CheckedContinuation<Void, Never>] = []
    /// Set when a renewal found the Lease taken or gone, or could not renew in time: writes must stop.
    public private(set) var lost: String?

    /// `renewDeadlineSeconds` defaults to two thirds of the duration (client-go's 10 s of 15 s).
    public init(client: KubeClient, name: String, namespace: String, holder: String, durationSeconds: Int,
                renewDeadlineSeconds: Int? = nil, logger: Logger = Logger(label: "kreconcile.lease"),
                now: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (Double) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1e9)) }) {
        self.client = client
        self.name = name
        self.namespace = namespace
        self.holder = holder
        self.durationSeconds = durationSeconds
        let deadline = renewDeadlineSeconds ?? max(1, durationSeconds * 2 / 3)
        self.renewDeadlineSeconds = deadline
        self.retryPeriodSeconds = max(1, Double(deadline) / 4)
        self.logger = logger
        self.now = now
        self.sleep = sleep
    }

    /// "host_4f0c…": unique per process, recognisable per pod (client-go uses hostname + uuid).
    public static func defaultIdentity() -> String {
        "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased().prefix(8))"
    }

    public var isHeld: Bool { heldVersion != nil && lost == nil }

    /// Lease writes waiting for the one in flight (tests observe release waiting on a renewal).
    var writersWaiting: Int { writeQueue.count }

    /// nil while a write may start; else why not: the Lease is lost, or its last successful
    /// renewal is more than renewDeadline ago (a renewal hanging on a slow API server).
    /// Past the deadline the Lease counts as lost for good, as client-go stops leading.
    public func mayWrite() -> String? {
        if let lost { return lost }
        guard heldVersion != nil, let lastRenewed else { return "Lease \(namespace)/\(name) is not held" }
        let since = now().timeIntervalSince(lastRenewed)
        guard since < Double(renewDeadlineSeconds) else {
            lost = "Lease \(namespace)/\(name) not renewed for \(Int(since))s (renew deadline \(renewDeadlineSeconds)s): no write may start"
            return lost
        }
        return nil
    }

    /// Takes the Lease, or says who holds it. `shouldStop` ends the watch of a Lease that
    /// looks expired (a stop request while waiting): it then counts as held.
    public func acquire(shouldStop: @Sendable () -> Bool = { false }) async throws -> LeaseAcquisition {
        var observed: (version: String, at: Date)?
        while true {
            let existing: JSONValue
            do {
                existing = try await client.get(.leases, namespace: namespace, name: name, as: JSONValue.self)
            } catch let error as KubeAPIError where error.isNotFound {
                return try await create()
            }
            let version = existing["metadata"]?["resourceVersion"]?.stringValue ?? ""
            guard let current = LeaseHolder.of(existing, defaultDuration: durationSeconds), current.identity != holder else {
                return try await take(existing, version: version, from: nil)
            }
            // Live by the holder's own record: held. Waiting would not help a one-shot run.
            if current.expires > now() { return .heldBy(current) }
            // Expired by our clock alone: watch the record for a full duration of our own time.
            if let seen = observed {
                if seen.version != version { return .heldBy(current) }  // it changed: the holder renewed
                if now().timeIntervalSince(seen.at) >= Double(current.leaseDurationSeconds) {
                    return try await take(existing, version: version, from: current.identity)
                }
            } else {
                observed = (version, now())
                logger.info("the Lease looks expired by this machine's clock; watching it for its full duration before taking it over",
                            metadata: ["lease": "\(namespace)/\(name)", "holder": "\(current.identity)", "seconds": "\(current.leaseDurationSeconds)"])
            }
            if shouldStop() { return .heldBy(current) }
            try await sleep(retryPeriodSeconds)
        }
    }

    private func take(_ existing: JSONValue, version: String, from previous: String?) async throws -> LeaseAcquisition {
        let spec = existing["spec"]
        let stamp = now()
        let mine = spec?["holderIdentity"]?.stringValue == holder
        transitions = (spec?["leaseTransitions"]?.intValue ?? 0) + (mine ? 0 : 1)
        acquireTime = mine ? (spec?["acquireTime"]?.stringValue.flatMap(MicroTime.parse) ?? stamp) : stamp
        do {
            try await put(resourceVersion: version, holderIdentity: holder, duration: durationSeconds, renewTime: stamp)
        } catch let error as KubeAPIError where error.isConflict {
            return try await heldByAfterRace()  // another run updated it between our read and write: it won
        }
        return .acquired(tookOverFrom: previous)
    }

    private func create() async throws -> LeaseAcquisition {
        let stamp = now()
        acquireTime = stamp
        transitions = 0
        let body: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": spec(holderIdentity: holder, duration: durationSeconds, renewTime: stamp),
        ]
        do {
            let created = try await client.create(.leases, namespace: namespace, body: body)
            heldVersion = created["metadata"]?["resourceVersion"]?.stringValue ?? ""
            lastRenewed = stamp
            return .acquired(tookOverFrom: nil)
        } catch let error as KubeAPIError where error.isConflict {
            return try await heldByAfterRace()  // AlreadyExists: another run created it first
        }
    }

    private func heldByAfterRace() async throws -> LeaseAcquisition {
        let lease = try await client.get(.leases, namespace: namespace, name: name, as: JSONValue.self)
        return .heldBy(LeaseHolder.of(lease, defaultDuration: durationSeconds)
            ?? LeaseHolder(identity: "another run", renewTime: now(), leaseDurationSeconds: durationSeconds))
    }

    /// Extends our hold; a 409 or 404 means someone took the Lease: `lost` is set.
    public func renew() async throws {
        try await oneWriteAtATime {
            guard let rv = heldVersion, lost == nil, !released else { return }
            do {
                try await put(resourceVersion: rv, holderIdentity: holder, duration: durationSeconds, renewTime: now())
            } catch let error as KubeAPIError where error.isConflict || error.isNotFound {
                lost = "Lease \(namespace)/\(name) was taken or removed while this run held it (\(error.code))"
                heldVersion = nil
                throw LeaseError(description: lost!)
            }
        }
    }

    /// Renews every retry period until `release`. A failed renewal is retried at the next
    /// period; a lost Lease, or no successful renewal within the renew deadline, calls
    /// `onLost` once (and `mayWrite` already refuses writes from the deadline on).
    public func startRenewing(onLost: @escaping @Sendable (String) -> Void) {
        guard renewal == nil, !released else { return }
        renewal = Task { [weak self] in
            while let self, await self.waitForNextRenewal() {
                if let reason = await self.renewOnce() {
                    onLost(reason)
                    return
                }
            }
        }
    }

    /// Sleeps one retry period; false once released. Release ends the sleep, never a
    /// renewal on the wire (cancelling it would leave its outcome unknown).
    private func waitForNextRenewal() async -> Bool {
        guard !released else { return false }
        let period = retryPeriodSeconds, sleep = self.sleep
        let nap = Task { _ = try? await sleep(period) }
        sleeper = nap
        await nap.value
        sleeper = nil
        return !released
    }

    /// nil while we still hold the Lease; otherwise why we must stop acting.
    private func renewOnce() async -> String? {
        do {
            try await renew()
            return nil
        } catch let error as LeaseError {
            return error.description
        } catch {
            logger.warning("renewing the Lease failed; retrying", metadata: ["lease": "\(namespace)/\(name)", "error": "\(error)"])
            guard mayWrite() != nil else { return nil }
            lost = "could not renew Lease \(namespace)/\(name) within its renew deadline of \(renewDeadlineSeconds)s (\(error)); stopping before another run may take it over"
            return lost
        }
    }

    /// Gives the Lease up so the next run need not wait for it to expire: clears the holder
    /// (client-go's release writes an empty holderIdentity and a 1 s duration). Waits for a
    /// renewal in flight first; throws, saying why, when the holder could not be cleared.
    public func release() async throws {
        released = true
        sleeper?.cancel()
        try await oneWriteAtATime {
            // Past the renew deadline we may still hold it: clearing with our version is safe
            // (409 if someone took it). Taken or removed (409/404 on renewal): nothing is ours.
            guard let rv = heldVersion else { return }
            do {
                try await clear(resourceVersion: rv)
            } catch let error as KubeAPIError where error.isConflict {
                // Our last renewal may have landed without our seeing its answer (a timeout):
                // if the Lease still names us, clear it at its current version.
                let lease = try await client.get(.leases, namespace: namespace, name: name, as: JSONValue.self)
                guard let current = LeaseHolder.of(lease, defaultDuration: durationSeconds), current.identity == holder else {
                    heldVersion = nil
                    let other = LeaseHolder.of(lease, defaultDuration: durationSeconds)?.identity ?? "nobody"
                    throw LeaseError(description: "Lease \(namespace)/\(name) changed before release: now held by \(other); left as it is")
                }
                try await clear(resourceVersion: lease["metadata"]?["resourceVersion"]?.stringValue ?? "")
            } catch let error as KubeAPIError where error.isNotFound {
                heldVersion = nil  // deleted by someone: nothing left to clear
            }
        }
        await renewal?.value
        renewal = nil
    }

    private func clear(resourceVersion: String) async throws {
        try await put(resourceVersion: resourceVersion, holderIdentity: nil, duration: 1, renewTime: now())
        heldVersion = nil
    }

    private func oneWriteAtATime(_ body: () async throws -> Void) async throws {
        while writing { await withCheckedContinuation { writeQueue.append($0) } }
        writing = true
        defer {
            writing = false
            if !writeQueue.isEmpty { writeQueue.removeFirst().resume() }
        }
        try await body()
    }

    private func put(resourceVersion: String, holderIdentity: String?, duration: Int, renewTime: Date) async throws {
        let body: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "resourceVersion": .string(resourceVersion)],
            "spec": spec(holderIdentity: holderIdentity, duration: duration, renewTime: renewTime),
        ]
        let updated = try await client.update(.leases, namespace: namespace, name: name, body: body)
        if holderIdentity != nil {
            heldVersion = updated["metadata"]?["resourceVersion"]?.stringValue ?? resourceVersion
            lastRenewed = renewTime
        }
    }

    private func spec(holderIdentity: String?, duration: Int, renewTime: Date) -> JSONValue {
        var spec: [String: JSONValue] = [
            "leaseDurationSeconds": .number(Double(duration)),
            "renewTime": .string(MicroTime.format(renewTime)),
            "acquireTime": .string(MicroTime.format(acquireTime ?? renewTime)),
            "leaseTransitions": .number(Double(transitions)),
        ]
        if let holderIdentity { spec["holderIdentity"] = .string(holderIdentity) }
        return .object(spec)
    }
}
