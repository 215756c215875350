import ArgumentParser
import Foundation
import KubeClient
import Logging

/// Options every command that talks to a cluster shares.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Path to a kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use instead of current-context.")
    var context: String?

    @Option(help: "Client-side request rate limit (requests per second; 0 disables).")
    var qps: Double = 20

    @Option(help: "Client-side request burst above --qps.")
    var burst: Int = 40

    @Option(help: "Seconds to wait for a connection to the API server.")
    var connectTimeout: Double = 10

    @Option(help: "Seconds one API request may take, including its response body.")
    var requestTimeout: Double = 60

    func validate() throws {
        guard qps >= 0 else { throw ValidationError("--qps must be 0 or more") }
        guard burst >= 1 else { throw ValidationError("--burst must be at least 1") }
        guard connectTimeout > 0, requestTimeout > 0 else { throw ValidationError("timeouts must be greater than 0") }
    }

    func makeClient(logger: Logger) throws -> KubeClient {
        let config = try KubeconfigLoader(explicitPath: kubeconfig, context: context).load()
        let transport = CurlTransport(options: .init(connectTimeout: connectTimeout, requestTimeout: requestTimeout))
        return KubeClient(config: config, options: .init(qps: qps, burst: burst), transport: transport, logger: logger)
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
