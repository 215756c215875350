import ArgumentParser
import Foundation
import KubeClient
import Reconciler

/// `kreconcile undo [RUN-ID] [--dry-run]`: reverses one run's reversible writes from its record.
struct UndoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Reverse a run's reversible writes (default: the newest run), newest first; print the report.",
        discussion: """
            Deleted objects are created again (server-set fields stripped; an ownerReference is kept only \
            while its owner still exists with that uid), patches are reverted only while the fields they wrote \
            are unchanged; anything changed since is a conflict, left alone and reported. Restarts and \
            evictions are irreversible and only listed. Undo takes the run's Lease, keeps to the budgets and \
            writes its own record. --dry-run shows the plan and writes nothing.

            \(exitCodesHelp)
            """)

    @Argument(help: "The run to undo (from `kreconcile history`); default: the newest run.")
    var runID: String?

    @Option(name: .customLong("dry-run"), help: ArgumentHelp("client: show what undo would do, send no write.", valueName: "client"))
    var dryRun: DryRunFlag?

    @Option(name: [.customShort("o"), .long], help: "Report format: table, json or yaml.")
    var output: OutputFormat = .table

    @Flag(help: "In the table, print under each action the exact request it sends.")
    var showRequests = false

    @Option(help: ArgumentHelp("The settings file: lock, budgets, timeouts and history apply to undo too.", valueName: "file"))
    var config: String?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.makeLogger()
        let undo: Undo
        do {
            if dryRun == .server { throw RunFlagParsing.Invalid(description: "--dry-run=server: undo supports a client dry run only") }
            let settings = try RecordArguments.check(runID: runID, config: config)
            undo = Undo(client: try connection.makeClient(logger: logger, settings: settings), settings: settings, runID: runID,
                        dryRun: dryRun == .client, logger: logger)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        let stop = undo.stop
        let signals = SignalHandler(stop: stop, logger: logger)
        signals.install()
        defer { signals.uninstall() }
        let report: RunReport
        do throws(Run.Failure) { report = try await undo.execute() } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        switch output {
        case .table: print(TableRenderer(showRequests: showRequests).render(report), terminator: "")
        case .json: print(try report.json(), terminator: "")
        case .yaml: print(try report.yaml(), terminator: "")
        }
        let code = report.exitCode(exitCodeFlag: false)
        if code != 0 { throw ExitCode(code) }
    }
}
