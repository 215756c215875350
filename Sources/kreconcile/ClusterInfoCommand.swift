import ArgumentParser
import Foundation
import KubeClient

/// Connects with the resolved configuration and reports what the server serves:
/// the quickest check that a kubeconfig or service account works.
struct ClusterInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster-info",
        abstract: "Check the connection: server version and whether KubeArmor and Gatekeeper APIs are served.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.makeLogger()
        let client: KubeClient
        do { client = try connection.makeClient(logger: logger) } catch let error as ConfigError {
            printError(error.message)
            throw ExitCode(2)
        }
        do {
            let version = try await client.get(path: "/version", as: JSONValue.self)
            let groups = try await client.servedGroups()
            print("server:      \(client.config.server) (\(version["gitVersion"]?.stringValue ?? "unknown version"))")
            print("config:      \(client.config.origin)")
            print("namespace:   \(client.config.namespace)")
            print("api groups:  \(groups.versions.count)")
            let admission = try await client.firstServedVersion(group: "admissionregistration.k8s.io", among: ["v1", "v1beta1"])
            print("admission:   \(admission.map { "admissionregistration.k8s.io/\($0)" } ?? "not served")")
            print("kubearmor:   \(groups.preferredVersion(group: "operator.kubearmor.com").map { "operator.kubearmor.com/\($0)" } ?? "not installed")")
            print("gatekeeper:  \(groups.preferredVersion(group: "templates.gatekeeper.sh").map { "templates.gatekeeper.sh/\($0)" } ?? "not installed")")
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("kreconcile: error: \(message)\n".utf8))
}
