import Foundation
import KubeClient

/// Keeps sharded and unsharded runs apart. Each shard holds `<name>-shard-I-of-N` and the
/// unsharded run holds `<name>`, so the Leases alone would let one of each act together.
/// Rule: every run first takes its own Lease, then looks at the other side's, and steps
/// back (releases its own, acts on nothing) when one of them is held:
/// - a shard run reads the plain Lease `<name>`;
/// - the unsharded run lists the Leases of the namespace and reads every `<name>-shard-*`
///   (it cannot know the shard count; this needs `list` on leases).
/// Both write before they read, and the API server orders the writes, so of two runs that
/// overlap at least one sees the other: never both act (at worst both step back and the next
/// scheduled run acts).
///
/// A Lease counts as held while its holderIdentity is set and `renewTime + 2 x
/// leaseDurationSeconds` is still ahead of our clock: one duration for the Lease itself, one
/// more so that a clock up to a duration ahead cannot make a live holder look gone. A run
/// that crashed holding a Lease blocks the other side for at most those two durations.
enum LeaseExclusion {
    /// The live holder of a Lease on the other side, or nil.
    static func otherSide(client: KubeClient, namespace: String, lockName: String, shard: Shard?, now: Date) async throws -> LeaseHolder? {
        if let shard, shard.count > 1 {
            do {
                let plain = try await client.get(.leases, namespace: namespace, name: lockName, as: JSONValue.self)
                return live(plain, now: now)
            } catch let error as KubeAPIError where error.isNotFound {
                return nil
            }
        }
        let prefix = "\(lockName)-shard-"
        let leases = try await client.list(.leases, namespace: namespace, as: JSONValue.self).items
        return leases.compactMap { lease -> LeaseHolder? in
            guard lease["metadata"]?["name"]?.stringValue?.hasPrefix(prefix) == true else { return nil }
            return live(lease, now: now)
        }.first
    }

    static func live(_ lease: JSONValue, now: Date) -> LeaseHolder? {
        guard let holder = LeaseHolder.of(lease, defaultDuration: 0) else { return nil }
        let margin = Double(holder.leaseDurationSeconds)
        return holder.expires.addingTimeInterval(margin) > now ? holder : nil
    }
}
