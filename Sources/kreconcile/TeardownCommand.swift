import ArgumentParser
import Foundation
import KubeClient
import Logging
import Reconciler

/// `kreconcile teardown`: a dependency-ordered uninstall, run by hand or as a Helm
/// pre-delete hook Job before Helm deletes a release's objects.
struct TeardownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teardown",
        abstract: "Take an install apart in dependency order (a Helm pre-delete hook): kubearmor, gatekeeper or a profile file.",
        discussion: """
            Each step of the profile selects objects, deletes them (preconditioned on the uid seen when \
            the step began) or scales them to zero, and waits (objects gone, their pods gone) before the \
            next step, within its deadline. A second teardown continues where one stopped. Stuck \
            finalizers are reported, and removed only with --remove-finalizers (each one printed). \
            CRDs (and so every user policy) are kept unless --delete-crds is given. Print a built-in \
            profile with --show-profile NAME.

            EXIT CODES
              0  every step finished (a dry run: every step listed)
              1  a step timed out (the objects that remain are named) or failed, the run was stopped,
                 or another run held the Lease until --timeout
              2  bad flags or profile (the file, step and field are named); nothing was sent
            """)

    @Option(help: ArgumentHelp("A built-in profile (\(BuiltInProfiles.names.joined(separator: ", "))) or a profile file (YAML).", valueName: "name|file"))
    var profile: String?

    @Option(help: ArgumentHelp("Print a built-in profile and exit.", valueName: "name"))
    var showProfile: String?

    @Option(name: .customLong("namespace"), help: "The namespace of the install (default: the profile's).")
    var namespace: String?

    @Option(name: .customLong("dry-run"),
            help: ArgumentHelp("client: print the ordered steps and the objects each would change, send no write. server: send each write with dryRun=All, wait for nothing.",
                               valueName: "client|server"))
    var dryRun: DryRunFlag?

    @Option(help: ArgumentHelp("Deadline for the whole teardown (e.g. 5m, 90s); each step also has its own.", valueName: "duration"))
    var timeout: String = "5m"

    @Flag(help: "Also run the profile's CRD steps (deleting a CRD deletes every object of it: all user policies).")
    var deleteCrds = false

    @Flag(help: "At a step's deadline, remove the finalizers of the objects it waits for, printing each one.")
    var removeFinalizers = false

    @Option(name: [.customShort("o"), .long], help: "Report format: table, json or yaml (kreconcile.io/v1alpha1 TeardownReport).")
    var output: OutputFormat = .table

    @Option(help: ArgumentHelp("The settings file (lock and client sections are used).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("How often a step checks what it waits for.", valueName: "duration"))
    var pollInterval: String = "2s"

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (profile == nil) != (showProfile == nil) else { throw ValidationError("give exactly one of --profile NAME|FILE or --show-profile NAME") }
    }

    func run() async throws {
        if let showProfile {
            guard let yaml = BuiltInProfiles.yaml(named: showProfile) else {
                printError("--show-profile: \"\(showProfile)\" is not a built-in profile (\(BuiltInProfiles.names.joined(separator: ", ")))")
                throw ExitCode(2)
            }
            print(yaml, terminator: "")
            return
        }
        let code = await execute()
        if code != 0 { throw ExitCode(code) }
    }

    private func execute() async -> Int32 {
        let logger = logging.makeLogger()
        let options: TeardownOptions
        let client: KubeClient
        do {
            let settings = try RunFlagParsing.loadSettings(path: config)
            guard let total = DurationText.seconds(timeout) else { throw RunFlagParsing.Invalid(description: "--timeout: \"\(timeout)\" is not a duration like 5m, 90s") }
            guard let poll = DurationText.seconds(pollInterval) else {
                throw RunFlagParsing.Invalid(description: "--poll-interval: \"\(pollInterval)\" is not a duration like 2s, 500ms")
            }
            if let namespace, namespace.isEmpty { throw RunFlagParsing.Invalid(description: "--namespace: must not be empty") }
            let mode: RunMode = switch dryRun {
            case .client: .clientDryRun
            case .server: .serverDryRun
            case .none?, nil: .real
            }
            options = TeardownOptions(profile: try loadProfile(profile ?? ""), namespace: namespace, mode: mode, timeoutSeconds: total,
                                      deleteCRDs: deleteCrds, removeFinalizers: removeFinalizers, pollSeconds: poll, lock: settings.lock)
            client = try connection.makeClient(logger: logger, settings: settings)
        } catch let error as RunFlagParsing.Invalid {
            printError(error.description)
            return 2
        } catch let error as TeardownProfileError {
            printError(error.description)
            return 2
        } catch let error as ConfigError {
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
        let teardown = Teardown(options: options, client: client, stop: stop, logger: logger,
                                onFinalizerRemoved: { FileHandle.standardError.write(Data("kreconcile: \($0)\n".utf8)) })
        let report: TeardownReport
        do throws(Teardown.Failure) {
            report = try await teardown.execute()
        } catch {
            printError(error.description)
            return 1
        }
        do {
            switch output {
            case .table: print(report.table(), terminator: "")
            case .json: print(try report.json(), terminator: "")
            case .yaml: print(try report.yaml(), terminator: "")
            }
        } catch {
            printError("rendering the report: \(error)")
            return 1
        }
        return report.exitCode
    }

    /// A built-in name, else a file.
    private func loadProfile(_ nameOrFile: String) throws -> TeardownProfile {
        if let yaml = BuiltInProfiles.yaml(named: nameOrFile) { return try TeardownProfile.parse(yaml: yaml, file: "built-in profile \(nameOrFile)") }
        guard FileManager.default.fileExists(atPath: nameOrFile) else {
            throw RunFlagParsing.Invalid(description: "--profile: \"\(nameOrFile)\" is neither a built-in profile (\(BuiltInProfiles.names.joined(separator: ", "))) nor a file")
        }
        let text: String
        do { text = try String(contentsOfFile: nameOrFile, encoding: .utf8) } catch {
            throw RunFlagParsing.Invalid(description: "\(nameOrFile): cannot read the profile: \((error as NSError).localizedDescription)")
        }
        return try TeardownProfile.parse(yaml: text, file: nameOrFile)
    }
}
