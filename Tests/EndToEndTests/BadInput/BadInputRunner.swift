import Foundation
import KubeClient
import KubeEmulator
import XCTest

/// Checks a table of invalid inputs: in process, each must fail with one line naming the
/// file and the field; through the `kreconcile` binary, each against an emulator whose
/// request log must stay empty: exit 2, nothing on stdout, exactly one line on stderr naming
/// the file and the field, and not one request (not even discovery or the Lease). A few
/// workers, each with its own emulator, share the binary runs.
struct BadInputRunner {
    /// The command line for the case's file (its path), run with a valid KUBECONFIG.
    var arguments: @Sendable (String) -> [String]
    /// How the error line names the file: the path by default.
    var fileLabel: @Sendable (String) -> String = { $0 }
    /// Files next to each case (certificates, tokens), relative to its directory.
    var auxiliaryFiles: [String: String] = [:]
    var workers = 3

    struct Failure: Sendable { var input: String; var problem: String }

    /// Checks every case with the parser called in process: it must fail with one line
    /// naming the file and the field.
    func runInProcess(_ table: [BadInput], parse: (_ home: String) -> InProcessParsers.Parse) throws -> (failures: [Failure], seconds: Double) {
        let started = Date()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kreconcile-badinput-\(UUID().uuidString)")
        let home = dir.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }  // best-effort cleanup of a temp dir
        let substitute = { (text: String) in
            text.replacingOccurrences(of: "@SERVER@", with: "http://127.0.0.1:9").replacingOccurrences(of: "@DIR@", with: dir.path)
        }
        for (name, content) in auxiliaryFiles {
            try substitute(content).write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let parser = parse(home.path)
        var failures: [Failure] = []
        for (i, input) in table.enumerated() {
            let file = dir.appendingPathComponent("case-\(i).yaml").path
            try substitute(input.content).write(toFile: file, atomically: true, encoding: .utf8)
            guard let message = parser(file) else {
                failures.append(Failure(input: input.name, problem: "accepted"))
                continue
            }
            let problem: String? =
                message.contains("\n") ? "not one line" :
                !message.contains(fileLabel(file)) ? "does not name the file \(fileLabel(file))" :
                !message.contains(input.field) ? "does not name the field \(input.field)" :
                SecretCanary.leaks(in: message).isEmpty ? nil : "quotes a secret (\(SecretCanary.leaks(in: message)))"
            if let problem { failures.append(Failure(input: input.name, problem: "\(problem): \(message.debugDescription)")) }
        }
        return (failures, Date().timeIntervalSince(started))
    }

    /// Runs every case; returns the failures and the seconds it took.
    func run(_ table: [BadInput]) async throws -> (failures: [Failure], seconds: Double) {
        let started = Date()
        let failures = try await withThrowingTaskGroup(of: [Failure].self) { group in
            for w in 0..<workers {
                let share = table.enumerated().filter { $0.offset % workers == w }.map(\.element)
                group.addTask { try await runShare(share, worker: w) }
            }
            var all: [Failure] = []
            for try await f in group { all += f }
            return all
        }
        return (failures, Date().timeIntervalSince(started))
    }

    private func runShare(_ cases: [BadInput], worker: Int) async throws -> [Failure] {
        let emulator = KubeEmulator(options: EmulatorOptions(bearerTokens: [SecretCanary.token]))
        try await emulator.start()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kreconcile-badinput-\(UUID().uuidString)")
        let home = dir.appendingPathComponent("home")  // not the files' directory: paths print in full
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }  // best-effort cleanup of a temp dir
        let substitute = { (text: String) in
            text.replacingOccurrences(of: "@SERVER@", with: emulator.baseURL).replacingOccurrences(of: "@DIR@", with: dir.path)
        }
        for (name, content) in auxiliaryFiles {
            try substitute(content).write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let kubeconfig = dir.appendingPathComponent("kubeconfig-valid")
        try substitute(BadInputTables.validKubeconfig).write(to: kubeconfig, atomically: true, encoding: .utf8)
        let environment = ["KUBECONFIG": kubeconfig.path, "HOME": home.path, "PATH": "/usr/bin:/bin"]

        var failures: [Failure] = []
        for (i, input) in cases.enumerated() {
            let file = dir.appendingPathComponent("case-\(worker)-\(i).yaml").path
            try substitute(input.content).write(toFile: file, atomically: true, encoding: .utf8)
            emulator.clearRequests()
            let outcome = try await RunningBinary(arguments(file), environment: environment).wait()
            let requests = emulator.requests().map { "\($0.method) \($0.path)" }
            if let problem = Self.problem(outcome, file: fileLabel(file), field: input.field, requests: requests) {
                failures.append(Failure(input: input.name, problem: problem))
            }
        }
        await emulator.shutdown()
        return failures
    }

    /// What is wrong with the outcome of an invalid input, nil when it is as promised.
    static func problem(_ r: Outcome, file: String, field: String, requests: [String]) -> String? {
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        let quoted = "exit \(r.code), stderr \(r.stderr.debugDescription), stdout \(r.stdout.prefix(300).debugDescription)"
        if r.code != 2 { return "exit code \(r.code), not 2: \(quoted)" }
        if !requests.isEmpty { return "requests were sent: \(requests.prefix(5))" }
        if !r.stdout.isEmpty { return "printed on stdout: \(quoted)" }
        guard lines.count == 2, lines[1].isEmpty, !lines[0].isEmpty else { return "stderr is not exactly one line: \(quoted)" }
        if !lines[0].contains(file) { return "the line does not name the file \(file): \(quoted)" }
        if !lines[0].contains(field) { return "the line does not name the field \(field): \(quoted)" }
        return nil
    }
}
