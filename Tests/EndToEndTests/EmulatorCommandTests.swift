import Foundation
import KubeClient
import XCTest

/// `kube-emulator serve` flags, driven as a process.
final class EmulatorCommandTests: XCTestCase {
    var emulatorPath: String { URL(fileURLWithPath: Binary.path).deletingLastPathComponent().appendingPathComponent("kube-emulator").path }

    /// Starts `kube-emulator serve ARGS`, returns the process and the URL it prints.
    func serve(_ args: [String]) throws -> (Process, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: emulatorPath)
        p.arguments = ["serve"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        var text = ""
        // The line comes once the port is bound; the read blocks until output or EOF.
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("serving on ") }) else {
            p.terminate()
            throw XCTSkip("kube-emulator did not start: \(text)")
        }
        return (p, String(line.dropFirst("serving on ".count)))
    }

    func versions(_ base: String) throws -> [String] {
        let data = try Data(contentsOf: URL(string: base + "/apis/admissionregistration.k8s.io")!)
        return (try JSONValue.parse(data)["versions"]?.arrayValue ?? []).compactMap { $0["version"]?.stringValue }
    }

    func testAdmissionPolicyVersionsFlag() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: emulatorPath), "kube-emulator is not built at \(emulatorPath)")
        for (flag, expected) in [("v1beta1", ["v1beta1"]), ("v1,v1beta1", ["v1", "v1beta1"])] {
            let (p, base) = try serve(["--admission-policy-versions", flag])
            defer { p.terminate(); p.waitUntilExit() }
            XCTAssertEqual(try versions(base), expected, flag)
            let list = try JSONValue.parse(Data(contentsOf: URL(string: base + "/apis/admissionregistration.k8s.io/v1beta1")!))
            let names = (list["resources"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            XCTAssertTrue(names.contains("validatingadmissionpolicybindings"), "\(flag): \(names)")
            XCTAssertFalse(names.contains("mutatingwebhookconfigurations"), "webhook configurations stay v1 only")
        }
        let (p, base) = try serve([])
        XCTAssertEqual(try versions(base), ["v1"], "v1 by default")
        p.terminate()
        p.waitUntilExit()

        let bad = Process()
        bad.executableURL = URL(fileURLWithPath: emulatorPath)
        bad.arguments = ["serve", "--admission-policy-versions", "v2"]
        let err = Pipe()
        bad.standardError = err
        bad.standardOutput = FileHandle.nullDevice
        try bad.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        bad.waitUntilExit()
        XCTAssertEqual(bad.terminationStatus, 2)
        XCTAssertTrue(message.contains("--admission-policy-versions must be v1, v1beta1 or v1,v1beta1"), message)
    }
}
