import ArgumentParser
import Foundation
import KubeClient
import Reconciler

/// `kreconcile history [RUN-ID]`: the run records in the cluster (one ConfigMap per real run
/// or undo, in the Lease's namespace), newest first; with an id, that run's report.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List recent runs from their records in the cluster, or show one run's report.",
        discussion: """
            Real runs and undos each leave a record (a ConfigMap labelled app.kubernetes.io/managed-by=kreconcile \
            and kreconcile.io/run-id in the Lease's namespace); history.maxRuns and history.maxAgeDays bound \
            how many are kept. Listing reads only their metadata.

            EXIT CODES
              0  listed or shown
              1  the API request failed, or no record has that id
              2  bad usage, settings or kubeconfig; nothing was sent
            """)

    @Argument(help: "Show this run's report (as the run printed it) instead of the list.")
    var runID: String?

    @Option(name: [.customShort("o"), .long], help: "table, json or yaml.")
    var output: OutputFormat = .table

    @Option(help: ArgumentHelp("The settings file: lock.name and lock.namespace say whose history.", valueName: "file"))
    var config: String?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.makeLogger()
        let history: RunHistory
        do {
            let settings = try RecordArguments.check(runID: runID, config: config)
            history = RunHistory(client: try connection.makeClient(logger: logger, settings: settings), settings: settings, logger: logger)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        do {
            if let runID {
                let record = try await history.read(runID: runID)
                switch output {
                case .table:
                    print(TableRenderer().render(record.report), terminator: "")
                    if let t = record.truncated { print(t) }
                case .json: print(try record.report.json(), terminator: "")
                case .yaml: print(try record.report.yaml(), terminator: "")
                }
                return
            }
            let summaries = try await history.list().map(\.summary)
            switch output {
            case .table: print(HistoryTable.render(summaries), terminator: "")
            case .json: print(try HistoryTable.json(summaries), terminator: "")
            case .yaml: print(try HistoryTable.yaml(summaries), terminator: "")
            }
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}

/// What `history` and `undo` check before anything is sent: the run id's shape, the settings file.
enum RecordArguments {
    static func check(runID: String?, config: String?) throws(RunFlagParsing.Invalid) -> Settings {
        if let runID, !RunID.isValid(runID) {
            throw RunFlagParsing.Invalid(description: "RUN-ID: \"\(runID)\" is not a run id like 20261130-072745-3f9a1c (see `kreconcile history`)")
        }
        return try RunFlagParsing.loadSettings(path: config)
    }
}
