import Foundation
import KubeClient
import XCTest

@testable import KubeEmulator

/// What one kubectl run printed and how it exited.
struct KubectlResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    var json: JSONValue { (try? JSONValue.parse(Data(stdout.utf8))) ?? .null }
    /// stdout split into table rows of whitespace-separated cells, header first.
    var rows: [[String]] {
        stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
    }
}

/// A running kubectl; `result()` waits for it (killing it after the deadline).
final class KubectlRun: Sendable {
    private let process: Process
    private let output: Task<(Data, Data), Never>
    let command: String

    fileprivate init(process: Process, output: Task<(Data, Data), Never>, command: String) {
        self.process = process
        self.output = output
        self.command = command
    }

    func result() async -> KubectlResult {
        let (out, err) = await output.value
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.process.waitUntilExit()
                c.resume()
            }
        }
        return KubectlResult(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                             stderr: String(decoding: err, as: UTF8.self))
    }
}


/// The emulator served like `kube-emulator serve --tls --token T`, plus a kubeconfig for it
/// and a way to run the real kubectl (found on PATH) against it.
final class KubectlHarness: Sendable {
    /// kubectl as a shell finds it: the first executable `kubectl` on PATH (KUBECTL overrides).
    static let kubectlPath: String? = {
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["KUBECTL"] { return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil }
        return (env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").lazy
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("kubectl").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static let missingMessage = "kubectl 1.32 is required on PATH for the kubectl tests (apt: kubectl, or the upstream release binary)"

    let emulator: KubeEmulator
    let directory: URL
    let kubeconfig: URL
    let token = "kubectl-test-token-\(UInt32.random(in: 0...UInt32.max))"

    /// Skips (or under CI=true fails) when kubectl is missing.
    static func requireKubectl() throws {
        if kubectlPath != nil { return }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail(missingMessage)
            throw NSError(domain: "kubectl", code: 1, userInfo: [NSLocalizedDescriptionKey: missingMessage])
        }
        throw XCTSkip(missingMessage)
    }

    init() async throws {
        try Self.requireKubectl()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-test-\(UUID().uuidString)")
        let certs = try EmulatorCertificates.generate(in: directory.appendingPathComponent("pki"))
        // Only the kubelet runs: it finishes graceful pod deletions (which kubectl delete and
        // drain wait for) without other controllers rewriting the hand-made fixtures.
        emulator = KubeEmulator(options: EmulatorOptions(tls: certs.tls, bearerTokens: [token], controllers: .auto(interval: 0.05),
                                                         controllerSettings: .init(enabled: ["kubelet"])))
        try await emulator.start()
        kubeconfig = directory.appendingPathComponent("kubeconfig")
        let config = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: \(emulator.baseURL)
                certificate-authority-data: \(Data(certs.ca.certificatePEM.utf8).base64EncodedString())
            users:
            - name: tester
              user:
                token: \(token)
            contexts:
            - name: emulator
              context: {cluster: emulator, user: tester, namespace: default}
            current-context: emulator

            """
        try config.write(to: kubeconfig, atomically: true, encoding: .utf8)
    }

    func stop() async {
        await emulator.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts kubectl; `stdin` is written to its standard input (for `-f -`).
    func start(_ args: [String], stdin: String? = nil, timeoutSeconds: Double = 60) throws -> KubectlRun {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.kubectlPath ?? "kubectl")  // init required it
        p.arguments = ["--kubeconfig", kubeconfig.path] + args
        // Its own HOME and discovery cache, so no user's ~/.kube is read or written.
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = directory.path
        env["KUBECACHEDIR"] = directory.appendingPathComponent("cache").path
        env["KUBECONFIG"] = nil
        p.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Blocking reads happen on GCD threads, never on the cooperative pool the emulator uses.
        let read = { (pipe: Pipe) -> Task<Data, Never> in
            Task.detached {
                await withCheckedContinuation { c in
                    DispatchQueue.global().async { c.resume(returning: pipe.fileHandleForReading.readDataToEndOfFile()) }
                }
            }
        }
        let stdoutTask = read(out), stderrTask = read(err)
        let deadline = DispatchTime.now() + timeoutSeconds
        DispatchQueue.global().asyncAfter(deadline: deadline) { if p.isRunning { p.terminate() } }
        return KubectlRun(process: p, output: Task { (await stdoutTask.value, await stderrTask.value) },
                          command: "kubectl " + args.joined(separator: " "))
    }

    /// Runs kubectl to completion.
    @discardableResult
    func run(_ args: [String], stdin: String? = nil, timeoutSeconds: Double = 60) async throws -> KubectlResult {
        try await start(args, stdin: stdin, timeoutSeconds: timeoutSeconds).result()
    }

    /// Runs kubectl and fails the test unless it exits 0.
    @discardableResult
    func ok(_ args: [String], stdin: String? = nil, file: StaticString = #filePath, line: UInt = #line) async throws -> KubectlResult {
        let r = try await run(args, stdin: stdin)
        XCTAssertEqual(r.status, 0, "kubectl \(args.joined(separator: " ")) failed: \(r.stderr)", file: file, line: line)
        return r
    }

    /// Requests logged since the last `clearRequests()`, as "METHOD path?query".
    func requests(resource: String? = nil, verb: String? = nil) -> [RequestRecord] {
        emulator.requests().filter { (resource == nil || $0.resource == resource) && (verb == nil || $0.verb == verb) }
    }
}
