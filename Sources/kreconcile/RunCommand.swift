import ArgumentParser
import Foundation
import KubeClient
import Logging
import Reconciler

/// `kreconcile run`: one pass of lock → list → diff → plan → apply → report.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "List, diff, and apply one bounded batch of preconditioned fixes; print the report.",
        discussion: """
            A real run takes the Lease (another live holder: exit 0 without acting), applies at most \
            the budgets, records an Event on every object it changes, releases the Lease. \
            --dry-run prints the plan and writes nothing; --dry-run=server sends the same writes with \
            dryRun=All; --snapshot FILE... plans offline from kubectl output.

            \(exitCodesHelp)
            """)

    @OptionGroup var flags: RunFlags
    @OptionGroup var metrics: MetricsOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let code = await RunDriver(flags: flags, metrics: metrics, connection: connection, logging: logging, forceDryRun: false).execute()
        if code != 0 { throw ExitCode(code) }
    }
}

/// `kreconcile plan`: `run --dry-run` (client unless --dry-run=server is given).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what a run would do: run --dry-run (client side unless --dry-run=server).",
        discussion: exitCodesHelp)

    @OptionGroup var flags: RunFlags
    @OptionGroup var metrics: MetricsOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let code = await RunDriver(flags: flags, metrics: metrics, connection: connection, logging: logging, forceDryRun: true).execute()
        if code != 0 { throw ExitCode(code) }
    }
}

let exitCodesHelp = """
    EXIT CODES
      0  the run did what it planned (deferred findings may remain),
         or another run holds the Lease and this one did nothing
      1  an action or an API request failed, or the run was stopped
         (SIGTERM/SIGINT, Lease lost)
      2  bad usage, settings, snapshot file or kubeconfig; nothing was sent
      3  only with --exit-code: findings remain (anything not applied)
      4  aborted by a safety limit (safety.abortWhen); nothing of the check
         (or run) that crossed it was applied; a dry run: a real run would abort
    """

/// Wires flags, settings, the client, signals and the TTY progress line to one `Run`.
struct RunDriver {
    var flags: RunFlags
    var metrics: MetricsOptions
    var connection: ConnectionOptions
    var logging: LoggingOptions
    var forceDryRun: Bool

    func execute() async -> Int32 {
        let logger = logging.makeLogger()
        // Everything that can be wrong with the input is checked before anything is sent.
        let mode: RunMode
        let options: RunOptions
        let client: KubeClient?
        let notifyTarget: NotifyTarget?
        do {
            var settings = try RunFlagParsing.settings(flags)
            if let timeout = connection.requestTimeout {
                // The flag replaces timeouts.requestSeconds, so it must fit the Lease the same way.
                let seconds = Int(timeout.rounded(.up))
                guard seconds <= settings.maxRequestSeconds else {
                    throw RunFlagParsing.Invalid(description: "--request-timeout: \(seconds)s is too long for the Lease, at most \(settings.maxRequestSeconds)s (leaseDurationSeconds \(settings.lock.leaseDurationSeconds) minus the renew deadline \(settings.lock.renewDeadline))")
                }
                settings.timeouts.requestSeconds = seconds
            }
            let interval = try RunFlagParsing.duration(flags.scheduleInterval, flag: "--schedule-interval")
            let shard = try flags.shard.map { s throws(RunFlagParsing.Invalid) in try RunFlagParsing.shard(s, environment: ProcessInfo.processInfo.environment) }
            if !flags.snapshot.isEmpty {
                if flags.dryRun == .server { throw RunFlagParsing.Invalid(description: "--dry-run=server needs a cluster; it cannot be combined with --snapshot") }
                mode = .offline
            } else {
                switch flags.dryRun {
                case .client: mode = .clientDryRun
                case .server: mode = .serverDryRun
                case .none?, nil: mode = forceDryRun ? .clientDryRun : .real
                }
            }
            notifyTarget = try settings.notify.map { n throws(SettingsError) in try NotifyTarget.resolve(n, environment: ProcessInfo.processInfo.environment) }
            var runOptions = RunOptions(mode: mode, settings: settings, shard: shard, scheduleIntervalSeconds: interval, snapshotFiles: flags.snapshot)
            if mode == .real, let dir = flags.backupDir { runOptions.backupDir = try BackupDirectory.prepare(dir) }
            options = runOptions
            client = mode == .offline ? nil : try connection.makeClient(logger: logger, settings: settings)
        } catch let error as RunFlagParsing.Invalid {
            printError(error.description)
            return 2
        } catch let error as ConfigError {
            printError(error.message)
            return 2
        } catch let error as SettingsError {
            printError(error.message)
            return 2
        } catch {
            printError("\(error)")
            return 2
        }

        let stop = StopSignal()
        let signals = SignalHandler(stop: stop, logger: logger)
        signals.install()
        defer { signals.uninstall() }
        let progress = ProgressLine.forStderr()
        var onProgress: (@Sendable (SnapshotProgress) -> Void)?
        if let progress { onProgress = { progress.update($0) } }
        let run = Run(options: options, client: client, stop: stop, logger: logger, progress: onProgress)
        var report: RunReport
        let started = Date()
        do throws(Run.Failure) {
            report = try await run.execute()
            progress?.finish()
        } catch {
            progress?.finish()
            printError(error.description)
            if !metrics.isEmpty {
                // No report: the metrics still say the run failed, and when.
                let failed = RunReport(metadata: .init(startTime: MicroTime.format(started), finishTime: MicroTime.format(Date()),
                                                       mode: mode, source: client?.config.server ?? ""),
                                       checks: [], results: [], estimate: nil)
                await MetricsSink(options: metrics, logger: logger).emit(failed, succeeded: false)
            }
            return error.isInputError ? 2 : 1
        }
        if let notifyTarget { report.notification = await Self.notify(report, target: notifyTarget, logger: logger) }
        if flags.timings, let timings = report.timings { FileHandle.standardError.write(Data(TimingsTable.render(timings).utf8)) }
        do {
            switch flags.output {
            case .table: print(TableRenderer(showRequests: flags.showRequests).render(report), terminator: "")
            case .json: print(try report.json(), terminator: "")
            case .yaml: print(try report.yaml(), terminator: "")
            }
        } catch {
            printError("rendering the report: \(error)")
            return 1
        }
        let code = report.exitCode(exitCodeFlag: flags.exitCode)
        if !metrics.isEmpty { await MetricsSink(options: metrics, logger: logger).emit(report, succeeded: code != 1) }
        return code
    }
}
