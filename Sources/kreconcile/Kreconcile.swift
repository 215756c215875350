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

            EXIT CODES
              0  success
              1  an API request or action failed
              2  bad usage, settings or kubeconfig; nothing was sent
            """,
        version: "kreconcile \(KreconcileVersion.current)",
        subcommands: [ClusterInfo.self]
    )

    /// ArgumentParser exits 64 on a usage error; kreconcile documents 2 for every
    /// "bad input, nothing sent" case, so usage errors are mapped to it.
    static func main() async {
        do {
            var command = try parseAsRoot()
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

enum KreconcileVersion {
    static let current = "0.1.0"
}
