import Foundation

/// Everything one run needs besides the cluster connection.
public struct RunOptions: Sendable {
    public var mode: RunMode
    public var settings: Settings
    public var shard: Shard?
    /// For the estimate: how often the CronJob runs (`--schedule-interval`).
    public var scheduleIntervalSeconds: Int
    /// Offline mode: the files to build the snapshot from.
    public var snapshotFiles: [String]
    /// reportingInstance of Events and the Lease holderIdentity.
    public var identity: String
    /// `--backup-dir`: the prior state of each changed object also goes to a file here.
    public var backupDir: String?

    public init(mode: RunMode, settings: Settings = .defaults, shard: Shard? = nil, scheduleIntervalSeconds: Int = 300,
                snapshotFiles: [String] = [], identity: String = LeaseLock.defaultIdentity()) {
        self.mode = mode
        self.settings = settings
        self.shard = shard
        self.scheduleIntervalSeconds = scheduleIntervalSeconds
        self.snapshotFiles = snapshotFiles
        self.identity = identity
    }

    /// The Lease of this run: one per shard, so shards run side by side but each alone.
    public func leaseName() -> String {
        guard let shard, shard.count > 1 else { return settings.lock.name }
        return "\(settings.lock.name)-shard-\(shard.index)-of-\(shard.count)"
    }
}
