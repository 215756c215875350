import Foundation
import KubeClient
import Logging

/// Who holds a Lease and until when, as read from its spec.
public struct LeaseHolder: Sendable, Equatable, CustomStringConvertible {
    public var identity: String
    public var renewTime: Date
    public var leaseDurationSeconds: Int
    public var expires: Date { renewTime.addingTimeInterval(Double(leaseDurationSeconds)) }
    public var description: String { "\(identity) until \(MicroTime.format(expires))" }
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

/// One run at a time: a `coordination.k8s.io/v1` Lease, taken and renewed the way
/// client-go's leader election does (staging/src/k8s.io/client-go/tools/leaderelection/
/// leaderelection.go, tryAcquireOrRenew): create it if missing; otherwise take it only when
/// it is free or its `renewTime + leaseDurationSeconds` has passed, by an update carrying the
/// resourceVersion we read, so two runs racing for it cannot both win (the loser gets 409).
/// Expiry is judged with our wall clock against the holder's renewTime, as client-go does
/// for a record it has not observed before.
public actor LeaseLock {
    public nonisolated let name: String
    public nonisolated let namespace: String
    public nonisolated let holder: String
    public nonisolated let durationSeconds: Int
    private let client: KubeClient
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// The resourceVersion of our last successful write; nil while we do not hold it.
    private var heldVersion: String?
    private var acquireTime: Date?
    /// When our last write of the Lease succeeded.
    private var lastRenewed: Date?
    private var transitions = 0
    private var renewal: Task<Void, Never>?
    /// Set when a renewal found the Lease taken or gone: writes must stop.
    public private(set) var lost: String?

    public init(client: KubeClient, name: String, namespace: String, holder: String, durationSeconds: Int,
                logger: Logger = Logger(label: "kreconcile.lease"), now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.name = name
        self.namespace = namespace
        self.holder = holder
        self.durationSeconds = durationSeconds
        self.logger = logger
        self.now = now
    }

    /// "host_4f0c…": unique per process, recognisable per pod (client-go uses hostname + uuid).
    public static func defaultIdentity() -> String {
        "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased().prefix(8))"
    }

    public var isHeld: Bool { heldVersion != nil && lost == nil }

    public func acquire() async throws -> LeaseAcquisition {
        let existing: JSONValue
        do {
            existing = try await client.get(.leases, namespace: namespace, name: name, as: JSONValue.self)
        } catch let error as KubeAPIError where error.isNotFound {
            return try await create()
        }
        let spec = existing["spec"]
        let current = spec?["holderIdentity"]?.stringValue ?? ""
        let renew = spec?["renewTime"]?.stringValue.flatMap(MicroTime.parse)
        let duration = spec?["leaseDurationSeconds"]?.intValue ?? durationSeconds
        if !current.isEmpty, current != holder, let renew, renew.addingTimeInterval(Double(duration)) > now() {
            return .heldBy(LeaseHolder(identity: current, renewTime: renew, leaseDurationSeconds: duration))
        }
        let rv = existing["metadata"]?["resourceVersion"]?.stringValue ?? ""
        let stamp = now()
        transitions = (spec?["leaseTransitions"]?.intValue ?? 0) + (current == holder ? 0 : 1)
        acquireTime = current == holder ? (spec?["acquireTime"]?.stringValue.flatMap(MicroTime.parse) ?? stamp) : stamp
        do {
            try await put(resourceVersion: rv, holderIdentity: holder, duration: durationSeconds, renewTime: stamp)
        } catch let error as KubeAPIError where error.isConflict {
            // Another run updated it between our read and write: it won.
            return try await heldByAfterRace()
        }
        return .acquired(tookOverFrom: current.isEmpty || current == holder ? nil : current)
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
        let spec = lease["spec"]
        return .heldBy(LeaseHolder(
            identity: spec?["holderIdentity"]?.stringValue ?? "another run",
            renewTime: spec?["renewTime"]?.stringValue.flatMap(MicroTime.parse) ?? now(),
            leaseDurationSeconds: spec?["leaseDurationSeconds"]?.intValue ?? durationSeconds))
    }

    /// Extends our hold; a 409 or 404 means someone took the Lease: `lost` is set.
    public func renew() async throws {
        guard let rv = heldVersion, lost == nil else { return }
        do {
            try await put(resourceVersion: rv, holderIdentity: holder, duration: durationSeconds, renewTime: now())
        } catch let error as KubeAPIError where error.isConflict || error.isNotFound {
            lost = "Lease \(namespace)/\(name) was taken or removed while this run held it (\(error.code))"
            heldVersion = nil
            throw LeaseError(description: lost!)
        }
    }

    /// Renews every third of the lease duration until `release` (client-go's RetryPeriod
    /// is similar). A failed renewal is retried; a lost Lease, or no successful renewal for
    /// two thirds of the duration (client-go's RenewDeadline: step down before another run
    /// may see it expired and take over), calls `onLost` once.
    public func startRenewing(onLost: @escaping @Sendable (String) -> Void) {
        guard renewal == nil else { return }
        let interval = max(1.0, Double(durationSeconds) / 3)
        renewal = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))  // cancellation ends the loop below
                guard !Task.isCancelled, let self else { return }
                if let reason = await self.renewOnce() {
                    onLost(reason)
                    return
                }
            }
        }
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
            let since = lastRenewed.map { now().timeIntervalSince($0) } ?? .infinity
            guard since >= Double(durationSeconds) * 2 / 3 else { return nil }
            lost = "could not renew Lease \(namespace)/\(name) for \(Int(since))s (\(error)); stopping before another run may take it over"
            return lost
        }
    }

    /// Gives the Lease up so the next run need not wait for it to expire: clears the holder
    /// (client-go's release writes an empty holderIdentity and a 1 s duration).
    public func release() async throws {
        renewal?.cancel()
        renewal = nil
        guard let rv = heldVersion, lost == nil else { return }
        heldVersion = nil
        do {
            try await put(resourceVersion: rv, holderIdentity: nil, duration: 1, renewTime: now())
        } catch let error as KubeAPIError where error.isConflict || error.isNotFound {
            logger.warning("Lease changed before release; leaving it", metadata: ["lease": "\(namespace)/\(name)"])
        }
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
