import ArgumentParser
import Foundation
import Reconciler

/// `--dry-run[=client|server]`, spelled as kubectl spells it: a bare `--dry-run` means client
/// (`Kreconcile.main` rewrites it to `--dry-run=client` before parsing).
enum DryRunFlag: String, ExpressibleByArgument, CaseIterable {
    case client, server, none
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml
}

/// The options of `run` (and `plan`).
struct RunFlags: ParsableArguments {
    @Option(name: .customLong("dry-run"),
            help: ArgumentHelp("client: print the plan, send no write. server: send each write with dryRun=All. A bare --dry-run means client.",
                               valueName: "client|server"))
    var dryRun: DryRunFlag?

    @Option(name: .customLong("snapshot"), parsing: .upToNextOption,
            help: ArgumentHelp("Offline: build the snapshot from these files (kubectl get -o json|yaml output, Lists or multi-document YAML; - = stdin). No cluster, no kubeconfig.",
                               valueName: "file"))
    var snapshot: [String] = []

    @Option(name: [.customShort("o"), .long], help: "Report format: table, json or yaml (schema kreconcile.io/v1alpha1 Report).")
    var output: OutputFormat = .table

    @Flag(help: "In the table, print under each action the exact request it sends (always in json/yaml).")
    var showRequests = false

    @Flag(help: "Exit 3 when findings remain after the run (for CI gates and dry runs).")
    var exitCode = false

    @Flag(help: "Print where the run's time went (lock, list per kind, checks, plan, apply, report) as a table on stderr.")
    var timings = false

    @Option(help: ArgumentHelp("Act only in namespaces whose FNV-1a 32-bit hash mod COUNT is INDEX (cluster-scoped work: shard 0). INDEX defaults to JOB_COMPLETION_INDEX.",
                               valueName: "INDEX/COUNT"))
    var shard: String?

    @Option(help: ArgumentHelp("The settings file (YAML). See `kreconcile config --print-defaults`.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("How often the CronJob runs, for the estimate (e.g. 5m, 1h, 90s).", valueName: "duration"))
    var scheduleInterval: String = "5m"

    @Option(help: ArgumentHelp("Also write the prior state of each object a real run changes to this directory, one kubectl-style YAML file per object (created if missing; dry runs write none).",
                               valueName: "dir"))
    var backupDir: String?

    @Option(help: ArgumentHelp("Wall-clock bound for the whole run (e.g. 4m, 90s; overrides timeouts.runDeadlineSeconds). No write starts that could not end by it, a listing in progress stops, and the run exits 1.",
                               valueName: "duration"))
    var deadline: String?

    @Option(help: "Override budgets.maxChanges: writes per run in total.")
    var maxChanges: Int?
    @Option(help: "Override budgets.maxPerNamespace: writes per namespace per run.")
    var maxPerNamespace: Int?
    @Option(help: "Override budgets.maxPerNode: pod disruptions per node per run.")
    var maxPerNode: Int?
    @Option(help: "Override budgets.maxUnhealthyWorkloads: restarts and image patches wait while this many workloads are unhealthy.")
    var maxUnhealthyWorkloads: Int?
}

/// Turns flags into validated run inputs; every error is one line naming the flag or field.
enum RunFlagParsing {
    struct Invalid: Error, CustomStringConvertible { var description: String }

    /// "5m", "1h30m", "90s", "300" (seconds) -> seconds.
    static func duration(_ text: String, flag: String) throws(Invalid) -> Int {
        if let n = Int(text), n > 0 { return n }
        var total = 0, number = "", sawUnit = false
        for ch in text {
            if ch.isNumber { number.append(ch); continue }
            guard let n = Int(number) else { throw Invalid(description: "\(flag): \"\(text)\" is not a duration like 5m, 1h or 90s") }
            switch ch {
            case "h": total += n * 3600
            case "m": total += n * 60
            case "s": total += n
            default: throw Invalid(description: "\(flag): \"\(text)\" is not a duration like 5m, 1h or 90s")
            }
            number = ""
            sawUnit = true
        }
        guard sawUnit, number.isEmpty, total > 0 else {
            throw Invalid(description: "\(flag): \"\(text)\" is not a duration like 5m, 1h or 90s")
        }
        return total
    }

    /// "2/4"; "/4" or "4" take the index from JOB_COMPLETION_INDEX (an Indexed Job sets it).
    static func shard(_ text: String, environment: [String: String]) throws(Invalid) -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let indexText: String?, countText: String
        switch parts.count {
        case 1: (indexText, countText) = (nil, parts[0])
        case 2: (indexText, countText) = (parts[0].isEmpty ? nil : parts[0], parts[1])
        default: throw Invalid(description: "--shard: \"\(text)\" is not INDEX/COUNT")
        }
        guard let count = Int(countText), count >= 1 else { throw Invalid(description: "--shard: COUNT must be a whole number of at least 1, got \"\(countText)\"") }
        let resolved: String
        if let indexText { resolved = indexText } else {
            guard let env = environment["JOB_COMPLETION_INDEX"] else {
                throw Invalid(description: "--shard: no INDEX given and JOB_COMPLETION_INDEX is not set")
            }
            resolved = env
        }
        guard let index = Int(resolved), index >= 0, index < count else {
            throw Invalid(description: "--shard: INDEX must be 0..\(count - 1), got \"\(resolved)\"")
        }
        return Shard(index: index, count: count)
    }

    /// The settings file (or the defaults) with the budget flags applied and checked.
    static func settings(_ flags: RunFlags) throws(Invalid) -> Settings {
        var settings = try loadSettings(path: flags.config)
        let overrides: [(String, Int?, WritableKeyPath<Budgets, Int>)] = [
            ("--max-changes", flags.maxChanges, \.maxChanges), ("--max-per-namespace", flags.maxPerNamespace, \.maxPerNamespace),
            ("--max-per-node", flags.maxPerNode, \.maxPerNode), ("--max-unhealthy-workloads", flags.maxUnhealthyWorkloads, \.maxUnhealthyWorkloads),
        ]
        if let text = flags.deadline {
            settings.timeouts.runDeadlineSeconds = try duration(text, flag: "--deadline")
        }
        for (flag, value, path) in overrides {
            guard let value else { continue }
            guard (0...10_000).contains(value) else { throw Invalid(description: "\(flag): must be 0-10000, got \(value)") }
            settings.budgets[keyPath: path] = value
        }
        return settings
    }

    static func loadSettings(path: String?) throws(Invalid) -> Settings {
        guard let path else { return .defaults }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Invalid(description: "\(path): cannot read the settings file: \((error as NSError).localizedDescription)")
        }
        do { return try Settings.load(yaml: text, path: path) } catch { throw Invalid(description: error.message) }
    }
}
