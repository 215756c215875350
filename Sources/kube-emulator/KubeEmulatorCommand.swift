import ArgumentParser
import Foundation
import KubeEmulator

@main
struct KubeEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-emulator",
        abstract: "An in-memory Kubernetes API server for tests and local runs.",
        subcommands: [Serve.self])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the emulated API until SIGINT or SIGTERM.")

    @Option(help: "Port to listen on; 0 picks a free one.") var port = 0
    @Flag(help: "Serve HTTPS with a freshly generated CA and server certificate.") var tls = false
    @Option(help: "Require this bearer token (repeatable).") var token: [String] = []
    @Option(help: "Seed objects from a JSON or YAML file (repeatable).") var seed: [String] = []
    @Option(help: "Write a kubeconfig for this server to FILE.") var kubeconfigOut: String?

    func run() async throws {
        var options = EmulatorOptions(port: port, bearerTokens: token.isEmpty ? nil : Set(token))
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
        // Ignore the default handlers first so the signal sources see the signals.
        let signals = SignalWaiter([SIGINT, SIGTERM])
        try await emulator.start()
        if let kubeconfigOut {
            try Kubeconfig.render(server: emulator.baseURL, caPEM: caPEM, token: token.first)
                .write(toFile: kubeconfigOut, atomically: true, encoding: .utf8)
        }
        // Unbuffered, so a parent process reading the pipe sees the line at once.
        FileHandle.standardOutput.write(Data("serving on \(emulator.baseURL)\n".utf8))
        await signals.wait()
        await emulator.shutdown()
    }
}
