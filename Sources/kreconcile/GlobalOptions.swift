import ArgumentParser
import Foundation
import KubeClient
import Logging
import Reconciler

/// Options every command that talks to a cluster shares.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Path to a kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use instead of current-context.")
    var context: String?

    @Option(help: "Client-side request rate limit (requests per second; 0: none, defer to the server's API Priority and Fairness). Default: client.qps of the settings (0).")
    var qps: Double?

    @Option(help: "Client-side request burst above --qps (only with --qps). Default: client.burst of the settings (40).")
    var burst: Int?

    @Option(help: "Seconds to wait for a connection to the API server.")
    var connectTimeout: Double = 10

    @Option(help: "Seconds one API request may take, including its response body. Default: timeouts.requestSeconds of the settings (20).")
    var requestTimeout: Double?

    @Flag(help: "Do not ask the server to gzip responses (as kubectl's flag and the kubeconfig cluster's disable-compression). Faster lists where the network is fast, e.g. in the cluster.")
    var disableCompression = false

    func validate() throws {
        if let qps, qps < 0 { throw ValidationError("--qps must be 0 or more") }
        if let burst, burst < 1 { throw ValidationError("--burst must be at least 1") }
        guard connectTimeout > 0, (requestTimeout ?? 1) > 0 else { throw ValidationError("timeouts must be greater than 0") }
    }

    /// Flags win over the settings file, which wins over the defaults.
    func makeClient(logger: Logger, settings: Settings = .defaults) throws -> KubeClient {
        var config = try KubeconfigLoader(explicitPath: kubeconfig, context: context).load()
        if disableCompression { config.tls.disableCompression = true }
        let transport = CurlTransport(options: .init(connectTimeout: connectTimeout,
                                                     requestTimeout: requestTimeout ?? Double(settings.timeouts.requestSeconds)))
        let options = KubeClient.Options(qps: qps ?? settings.client.qps, burst: burst ?? settings.client.burst,
                                         pageSize: settings.client.pageSize)
        return KubeClient(config: config, options: options, transport: transport, logger: logger)
    }
}

struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Log format on stderr: text or json.")
    var logFormat: LogFormat = .text

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: \"\(logLevel)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func makeLogger() -> Logger {
        let format = logFormat
        let level = Logger.Level(rawValue: logLevel) ?? .info
        var logger = Logger(label: "kreconcile") { label in StderrLogHandler(label: label, format: format) }
        logger.logLevel = level
        return logger
    }
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}
