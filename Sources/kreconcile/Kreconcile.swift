import ArgumentParser
import Foundation

@main
struct Kreconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kreconcile",
        abstract: "Keeps a Kubernetes cluster clean of the drift KubeArmor and OPA Gatekeeper leave behind.",
        discussion: """
            A stateless, one-shot reconciler: each run lists the relevant resources, computes \
            the drift, applies one bounded batch of preconditioned fixes, reports and exits. \
            Run it as a CronJob, as a Helm pre-delete hook, or by hand with --dry-run.

            Configuration is found like kubectl finds it: --kubeconfig, then KUBECONFIG \
            (a ':'-separated list, merged), then ~/.kube/config, then the in-cluster service account.

            Start with `kreconcile run --snapshot examples/cluster.yaml` (offline), then \
            `kreconcile plan` against a cluster, then `kreconcile run`.

            \(exitCodesHelp)
            """,
        version: "kreconcile \(KreconcileVersion.current)",
        subcommands: [RunCommand.self, PlanCommand.self, TeardownCommand.self, ChecksCommand.self, ConfigCommand.self, ClusterInfo.self,
                      HistoryCommand.self, UndoCommand.self]
    )

    /// ArgumentParser exits 64 on a usage error; kreconcile documents 2 for every
    /// "bad input, nothing sent" case, so usage errors are mapped to it.
    static func main() async {
        MemoryTuning.apply()
        do {
            var command = try parseAsRoot(Self.normalised(Array(CommandLine.arguments.dropFirst())))
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

extension Kreconcile {
    /// kubectl spells a client dry run as a bare `--dry-run` (the value is optional and must
    /// be attached with `=`); ArgumentParser needs a value, so the bare flag becomes
    /// `--dry-run=client`. Arguments after `--` are left alone.
    static func normalised(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var passthrough = false
        for a in arguments {
            if a == "--" { passthrough = true }
            out.append(!passthrough && a == "--dry-run" ? "--dry-run=client" : a)
        }
        return out
    }
}

enum KreconcileVersion {
    static let current = "0.1.0"
}
