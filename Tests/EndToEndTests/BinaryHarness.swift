import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// The `kreconcile` binary built beside this test bundle (`swift build --build-tests` builds
/// both into the same bin directory); KRECONCILE_BIN overrides.
enum Binary {
    static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["KRECONCILE_BIN"] { return explicit }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = me.deletingLastPathComponent()
        // macOS runs tests from Foo.xctest/Contents/MacOS/Foo; Linux runs the .xctest file itself.
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" || dir.lastPathComponent == "Contents" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("kreconcile").path
    }

    /// Skips the test when the binary is not built, except under CI=true (set by .ci/run),
    /// where a missing binary fails it: CI must never pass by skipping what it should test.
    static func require() throws {
        guard !FileManager.default.isExecutableFile(atPath: path) else { return }
        let message = "kreconcile is not built at \(path); run `swift build --build-tests` first (or set KRECONCILE_BIN)"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail(message)
            throw MissingBinary(message: message)
        }
        throw XCTSkip(message)
    }

    struct MissingBinary: Error, CustomStringConvertible { var message: String; var description: String { message } }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// What one process printed and how it ended.
struct Outcome: Sendable {
    var code: Int32
    var stdout: String
    var stderr: String

    func json() throws -> JSONValue { try JSONValue.parse(Data(stdout.utf8)) }
}

/// A running `kreconcile` process.
final class RunningBinary: @unchecked Sendable {  // fields set once before start, read after exit
    let process = Process()
    private let out = Pipe(), err = Pipe()
    private var outData = Data(), errData = Data()
    private let group = DispatchGroup()

    init(_ arguments: [String], environment: [String: String], executable: String = Binary.path) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        group.enter(); group.enter()
        // Drain both pipes while it runs, so a large report never blocks the child.
        DispatchQueue.global().async { [self] in outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        DispatchQueue.global().async { [self] in errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        try process.run()
    }

    func signal(_ signo: Int32) { kill(process.processIdentifier, signo) }

    /// How it ended; fails the test if any output holds a secret canary (SecretCanary).
    func wait(file: StaticString = #filePath, line: UInt = #line) async -> Outcome {
        let outcome = await waitUnchecked()
        SecretCanary.assertNoLeak(outcome.stdout, in: "stdout of kreconcile \(process.arguments ?? [])", file: file, line: line)
        SecretCanary.assertNoLeak(outcome.stderr, in: "stderr of kreconcile \(process.arguments ?? [])", file: file, line: line)
        return outcome
    }

    /// How it ended, without the leak check (for the test that proves the check can fail).
    func waitUnchecked() async -> Outcome {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [self] in
                process.waitUntilExit()
                group.wait()
                c.resume()
            }
        }
        return Outcome(code: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// An in-process emulator seeded with examples/cluster.yaml (or a variant), a kubeconfig for
/// it, and a way to run the binary against it.
struct E2ECluster {
    let emulator: KubeEmulator
    let dir: URL

    /// The emulator requires the canary token (unless `options` sets tokens), which the
    /// kubeconfig's exec plugin hands out; the kubeconfig also carries canary client
    /// certificate data and the cluster a canary Secret, so every run checks for leaks.
    static func start(example: String? = nil, options: EmulatorOptions = .init()) async throws -> E2ECluster {
        var options = options
        if options.bearerTokens == nil { options.bearerTokens = [SecretCanary.token] }
        let emulator = KubeEmulator(options: options)
        try await emulator.start()
        let yaml = try example ?? exampleYAML()
        try emulator.seed(yamlOrJSON: yaml)
        try emulator.seed(yamlOrJSON: SecretCanary.secretYAML)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kreconcile-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let plugin = dir.appendingPathComponent(credentialPlugin)
        try SecretCanary.execPlugin().write(to: plugin, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: plugin.path)
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: \(emulator.baseURL)
            users:
            - name: emulator
              user:
                client-certificate-data: \(Data(SecretCanary.certificatePEM.utf8).base64EncodedString())
                client-key-data: \(Data(SecretCanary.keyPEM.utf8).base64EncodedString())
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: \(plugin.path)
                  interactiveMode: Never
            contexts:
            - name: emulator
              context: {cluster: emulator, user: emulator, namespace: default}
            current-context: emulator

            """
        try kubeconfig.write(to: dir.appendingPathComponent("kubeconfig"), atomically: true, encoding: .utf8)
        emulator.clearRequests()
        return E2ECluster(emulator: emulator, dir: dir)
    }

    static func exampleYAML() throws -> String {
        try String(contentsOf: Binary.packageRoot.appendingPathComponent("examples/cluster.yaml"), encoding: .utf8)
    }

    /// examples/cluster.yaml with every ownerReference to the KubeArmor operator removed: the
    /// owner-references check then has a fix for each kind it handles.
    static func exampleWithoutOperatorOwners() throws -> String {
        let owned = """
              ownerReferences:
              - apiVersion: apps/v1
                kind: Deployment
                name: kubearmor-operator
                uid: 7c1e0a00-0000-4000-8000-000000000110

            """
        let example = try exampleYAML()
        XCTAssertGreaterThan(example.components(separatedBy: owned).count, 10)
        return example.replacingOccurrences(of: owned, with: "")
    }

    /// Files of the cluster's directory that hold the canaries by design.
    static let credentialPlugin = "credential-plugin.sh"
    static func holdsCredentials(_ name: String) -> Bool { name.hasPrefix("kubeconfig") || name == credentialPlugin }

    /// Every file a run left in the directory (reports, backups, settings) is free of canaries.
    func assertNoSecretInFiles(file: StaticString = #filePath, line: UInt = #line) {
        for (path, leaks) in secretsInFiles() {
            XCTFail("secret leaked (\(leaks.joined(separator: ", "))) in \(path)", file: file, line: line)
        }
    }

    /// The files of the directory holding canaries (but the kubeconfigs and the plugin), with which.
    func secretsInFiles() -> [(path: String, leaks: [String])] {
        guard let walk = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var found: [(path: String, leaks: [String])] = []
        for case let url as URL in walk where !Self.holdsCredentials(url.lastPathComponent) {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,  // directories have no text
                  let data = try? Data(contentsOf: url) else { continue }  // a file removed during the walk
            let leaks = SecretCanary.leaks(in: String(decoding: data, as: UTF8.self))
            if !leaks.isEmpty { found.append((url.path, leaks)) }
        }
        return found
    }

    func stop() async {
        await emulator.shutdown()
        try? FileManager.default.removeItem(at: dir)  // best-effort cleanup of a temp dir
    }

    var environment: [String: String] {
        ["KUBECONFIG": dir.appendingPathComponent("kubeconfig").path, "HOME": dir.path, "PATH": "/usr/bin:/bin"]
    }

    func file(_ name: String, _ content: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try content.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// `run`/`plan` without `--config` get one that disables `apparmor-unprotected-pods`:
    /// its fix of the example (a rollout restart) only completes when controllers run,
    /// which these binary tests do not step; AppArmorScenarioTests covers it end to end.
    func start(_ arguments: [String]) throws -> RunningBinary {
        var args = arguments
        if ["run", "plan"].contains(args.first ?? ""), !args.contains("--config"), !args.contains("--snapshot") {
            args += ["--config", try file("no-apparmor.yaml", "checks:\n  apparmor-unprotected-pods:\n    enabled: false\n")]
        }
        return try RunningBinary(args, environment: environment)
    }

    func run(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) async throws -> Outcome {
        let process = try start(arguments)
        let outcome = await process.wait(file: file, line: line)
        assertNoSecretInFiles(file: file, line: line)
        return outcome
    }

    /// Writes the run sent (anything but GET), Leases, Events and run records left out unless asked.
    func writes(includingBookkeeping: Bool = false) -> [RequestRecord] {
        emulator.requests().filter { r in
            r.method != "GET" && (includingBookkeeping || (r.resource != "leases" && r.resource != "events" && !Self.isRunRecord(r)))
        }
    }

    /// A run record's create or prune (a ConfigMap labelled kreconcile.io/run-id, named <lock>-run-<id>).
    static func isRunRecord(_ r: RequestRecord) -> Bool {
        guard r.resource == "configmaps" else { return false }
        if r.method == "POST" { return r.body.map { String(decoding: $0, as: UTF8.self).contains("\"kreconcile.io/run-id\"") } ?? false }
        return r.method == "DELETE" && (r.name?.contains("-run-") ?? false)
    }

    func object(_ resource: String, _ namespace: String?, _ name: String) -> JSONValue? {
        emulator.object(resource, namespace: namespace, name: name)
    }
}

