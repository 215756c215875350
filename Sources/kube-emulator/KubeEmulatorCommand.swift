import ArgumentParser
import Foundation
import KubeEmulator

@main
struct KubeEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-emulator",
        abstract: "An in-memory Kubernetes API server for tests and local runs.",
        subcommands: [Serve.self])

    /// ArgumentParser exits 64 on a usage error; like kreconcile, a bad flag value exits 2.
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

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the emulated API until SIGINT or SIGTERM.")

    @Option(help: "Port to listen on; 0 picks a free one.") var port = 0
    @Flag(help: "Serve HTTPS with a freshly generated CA and server certificate.") var tls = false
    @Option(help: "Require this bearer token (repeatable).") var token: [String] = []
    @Option(help: "Seed objects from a JSON or YAML file (repeatable).") var seed: [String] = []
    @Option(help: "Write a kubeconfig for this server to FILE.") var kubeconfigOut: String?
    @Option(help: ArgumentHelp("Generate a cluster: comma-separated key=value, e.g. pods=150000,nodes=50,seed=7,problems=0.05.",
                               discussion: "Keys: " + ClusterSpec.keys.map { "\($0.key) = \($0.help)" }.joined(separator: "; ")))
    var generate: String?
    @Option(help: "Simulated controllers: 'auto' steps every --step-interval ms, 'manual' only on POST /_emulator/step; off when not given.")
    var controllers: ControllerFlag?
    @Option(help: "Milliseconds between controller steps with --controllers=auto.") var stepInterval = 200
    @Option(help: ArgumentHelp("Versions of admissionregistration.k8s.io ValidatingAdmissionPolicy(Binding) to serve: v1, v1beta1 or v1,v1beta1.",
                               discussion: "v1 is what 1.30+ serves; v1beta1 alone imitates a 1.28-1.29 server."))
    var admissionPolicyVersions = "v1"

    /// The --admission-policy-versions list: v1 and/or v1beta1, each once.
    func policyVersions() throws -> [String] {
        let versions = admissionPolicyVersions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !versions.isEmpty, versions.allSatisfy({ $0 == "v1" || $0 == "v1beta1" }), Set(versions).count == versions.count else {
            throw ValidationError("--admission-policy-versions must be v1, v1beta1 or v1,v1beta1 (got \"\(admissionPolicyVersions)\")")
        }
        return versions
    }

    @Option(help: "Keep the newest N requests in the request log (GET /_emulator/requests); older ones are dropped.")
    var requestLogSize = EmulatorOptions.defaultRequestLogCapacity

    @Option(help: ArgumentHelp("Run pods whose first container's image starts with PREFIX as the local EXECUTABLE (repeatable): PREFIX=EXECUTABLE.",
                               discussion: "The process gets the container's args (volume paths mapped to a temp dir), its env and KUBECONFIG for this server; the pod goes Running, then Succeeded or Failed by exit code. Needs --controllers. No other pod is executed."))
    var execImage: [String] = []
    @Option(help: "Write each --exec-image process's output to DIR/NAMESPACE_POD.log when it exits.")
    var execLogDir: String?
    @Option(help: "Seconds an --exec-image process may run before it is killed (its container fails with 137).")
    var execTimeout = 300
    @Option(help: "Watch events kept for resuming a watch from a resourceVersion; older ones answer 410 Expired.")
    var watchHistory = EmulatorOptions.defaultWatchHistoryCapacity

    enum ControllerFlag: String, ExpressibleByArgument { case auto, manual }

    func validate() throws {
        if let generate {
            do { _ = try ClusterSpec(parsing: generate) } catch { throw ValidationError(error.description) }
        }
        if stepInterval < 1 { throw ValidationError("--step-interval must be at least 1 ms") }
        if requestLogSize < 1 { throw ValidationError("--request-log-size must be at least 1") }
        if watchHistory < 1 { throw ValidationError("--watch-history must be at least 1") }
        if execTimeout < 1 { throw ValidationError("--exec-timeout must be at least 1 second") }
        for text in execImage {
            guard let m = ExecOptions.Mapping(parsing: text) else { throw ValidationError("--exec-image must be PREFIX=EXECUTABLE (got \"\(text)\")") }
            guard FileManager.default.isExecutableFile(atPath: m.executable) else {
                throw ValidationError("--exec-image \"\(text)\": \(m.executable) is not an executable file")
            }
        }
        if !execImage.isEmpty, controllers == nil { throw ValidationError("--exec-image needs --controllers (auto or manual): the kubelet runs the pods") }
        _ = try policyVersions()
    }

    func run() async throws {
        var options = EmulatorOptions(port: port, bearerTokens: token.isEmpty ? nil : Set(token),
                                      admissionRegistrationVersions: try policyVersions(),
                                      requestLogCapacity: requestLogSize, watchHistoryCapacity: watchHistory)
        // The processes need a kubeconfig even when none is asked for.
        let kubeconfigPath = kubeconfigOut ?? FileManager.default.temporaryDirectory.appendingPathComponent("kube-emulator-\(UUID().uuidString).kubeconfig").path
        if !execImage.isEmpty {
            options.exec = ExecOptions(mappings: execImage.compactMap(ExecOptions.Mapping.init(parsing:)), kubeconfigPath: kubeconfigPath,
                                       timeoutSeconds: Double(execTimeout))
            let logDir = execLogDir
            options.exec?.onExit = { namespace, name, code, output in
                FileHandle.standardOutput.write(Data("exec: pod \(namespace)/\(name) exited \(code)\n".utf8))
                if let logDir {
                    let file = URL(fileURLWithPath: logDir).appendingPathComponent("\(namespace)_\(name).log")
                    do { try output.write(to: file) } catch {
                        FileHandle.standardError.write(Data("exec: cannot write \(file.path): \(error)\n".utf8))
                    }
                }
            }
        }
        switch controllers {
        case .auto: options.controllers = .auto(interval: Double(stepInterval) / 1000)
        case .manual: options.controllers = .manual
        case nil: break
        }
        var caPEM: String?
        if tls {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kube-emulator-\(UUID().uuidString)")
            let certs = try EmulatorCertificates.generate(in: dir)
            options.tls = certs.tls
            caPEM = certs.ca.certificatePEM
        }
        let emulator = KubeEmulator(options: options)
        for file in seed {
            try emulator.seed(yamlOrJSON: String(contentsOfFile: file, encoding: .utf8))
        }
        if let generate {
            let report = emulator.generate(try ClusterSpec(parsing: generate))
            FileHandle.standardOutput.write(Data(String(format: "generated %d objects in %.2f s\n", report.objects, report.seconds).utf8))
        }
        // Ignore the default handlers first so the signal sources see the signals.
        let signals = SignalWaiter([SIGINT, SIGTERM])
        try await emulator.start()
        if kubeconfigOut != nil || !execImage.isEmpty {
            try Kubeconfig.render(server: emulator.baseURL, caPEM: caPEM, token: token.first)
                .write(toFile: kubeconfigPath, atomically: true, encoding: .utf8)
        }
        // Unbuffered, so a parent process reading the pipe sees the line at once.
        FileHandle.standardOutput.write(Data("serving on \(emulator.baseURL)\n".utf8))
        await signals.wait()
        await emulator.shutdown()
    }
}
