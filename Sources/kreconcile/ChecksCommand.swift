import ArgumentParser
import Reconciler

/// `kreconcile checks`: every check with its one-line summary and its options.
struct ChecksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checks",
        abstract: "List the checks, what each one fixes, and its options under checks.<name> in the settings file.")

    func run() throws {
        for check in Checks.all {
            print("\(check.name)\n  \(check.summary)")
            for option in check.optionsDoc {
                print("  option \(option.name) (default \(option.defaultValue.jsonString())): \(option.doc)")
            }
            print("")
        }
    }
}

/// `kreconcile config --print-defaults`: the whole documented default settings file.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the documented default settings file (--print-defaults), or validate one (--validate FILE).",
        discussion: "A settings file with an unknown field, a wrong type or a value out of range exits 2 naming the field.")

    @Flag(help: "Print the default settings file, every field with its documentation.")
    var printDefaults = false

    @Option(name: .customLong("validate"),
            help: ArgumentHelp("Check a settings file and exit 0 (valid) or 2 (the first problem, naming the field).", valueName: "file"))
    var validateFile: String?

    func validate() throws {
        guard printDefaults != (validateFile != nil) else { throw ValidationError("give exactly one of --print-defaults or --validate FILE") }
    }

    func run() throws {
        if printDefaults {
            print(Settings.defaultsYAML, terminator: Settings.defaultsYAML.hasSuffix("\n") ? "" : "\n")
            return
        }
        guard let path = validateFile else { return }
        do {
            _ = try RunFlagParsing.loadSettings(path: path)
            print("\(path): valid")
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}
