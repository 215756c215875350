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

    /// GET through /usr/bin/curl (Foundation on Linux reads no http URLs with Data(contentsOf:)).
    func get(_ url: String) throws -> JSONValue {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-sS", "--max-time", "10", url]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        // An unserved group/version answers the mux's plain-text 404: no document.
        if data.starts(with: Data("404 page not found".utf8)) { return .null }
        return try JSONValue.parse(data)
    }

    /// The served group/versions that list ValidatingAdmissionPolicyBinding.
    func policyVersions(_ base: String) throws -> [String] {
        try ["v1", "v1beta1"].filter { v in
            let list = try get(base + "/apis/admissionregistration.k8s.io/\(v)")
            return (list["resources"]?.arrayValue ?? []).contains { $0["name"] == "validatingadmissionpolicybindings" }
        }
    }

    func testAdmissionPolicyVersionsFlag() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: emulatorPath), "kube-emulator is not built at \(emulatorPath)")
        for (args, expected) in [(["--admission-policy-versions", "v1beta1"], ["v1beta1"]),
                                 (["--admission-policy-versions", "v1,v1beta1"], ["v1", "v1beta1"]), ([], ["v1"])] {
            let (p, base) = try serve(args)
            defer { p.terminate(); p.waitUntilExit() }
            XCTAssertEqual(try policyVersions(base), expected, "\(args)")
            // Webhook configurations stay v1 whatever the flag says, as on a 1.28 server.
            let v1 = try get(base + "/apis/admissionregistration.k8s.io/v1")
            XCTAssertTrue((v1["resources"]?.arrayValue ?? []).contains { $0["name"] == "mutatingwebhookconfigurations" })
        }

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

    /// Bad --exec-image values exit 2 with a message naming the flag.
    func testExecImageFlagValidation() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: emulatorPath), "kube-emulator is not built at \(emulatorPath)")
        for (args, expected) in [(["--controllers", "auto", "--exec-image", "example.com/app"], "--exec-image must be PREFIX=EXECUTABLE"),
                                 (["--controllers", "auto", "--exec-image", "example.com/app=/nonexistent/tool"], "/nonexistent/tool is not an executable file"),
                                 (["--exec-image", "example.com/app=/bin/sh"], "--exec-image needs --controllers")] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: emulatorPath)
            p.arguments = ["serve"] + args
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 2, "\(args): \(message)")
            XCTAssertTrue(message.contains(expected), message)
        }
    }
}
