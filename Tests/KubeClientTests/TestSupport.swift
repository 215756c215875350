import Foundation
import KubeClient
import Logging
import Synchronization
import XCTest

/// A temporary directory removed when the test ends.
final class TempDir {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("kreconcile-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }  // best-effort cleanup of a temp dir

    @discardableResult
    func write(_ name: String, _ content: String, executable: Bool = false) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: file, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path) }
        return file.path
    }
}

/// Placeholder PEM blocks: the loader checks the block type, the transport never sees these.
let fakeCertPEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
let fakeKeyPEM = "-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n"
func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }

/// Asserts that `body` throws a ConfigError whose message contains every fragment.
func assertConfigError(_ body: () throws -> Void, contains fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
    do {
        try body()
        XCTFail("expected a ConfigError", file: file, line: line)
    } catch let error as ConfigError {
        for f in fragments {
            XCTAssertTrue(error.message.contains(f), "\"\(error.message)\" does not contain \"\(f)\"", file: file, line: line)
        }
        XCTAssertFalse(error.message.contains("\n"), "error must be one line: \(error.message)", file: file, line: line)
    } catch {
        XCTFail("expected a ConfigError, got \(error)", file: file, line: line)
    }
}

/// A clock that never sleeps: it records each sleep and advances virtual time.
final class VirtualClock: KubeClock {
    private let state = Mutex<(now: Double, sleeps: [Double])>((1000, []))
    func now() -> Double { state.withLock { $0.now } }
    func sleep(seconds: Double) async throws { state.withLock { $0.now += seconds; $0.sleeps.append(seconds) } }
    func advance(_ seconds: Double) { state.withLock { $0.now += seconds } }
    var sleeps: [Double] { state.withLock { $0.sleeps } }
}

/// A wall-clock source for credential caches that tests move by hand.
final class ManualDate: Sendable {
    private let value = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: @Sendable () -> Date { { [self] in value.withLock { $0 } } }
    func advance(_ seconds: TimeInterval) { value.withLock { $0 += seconds } }
}

/// Captures every log line (message and metadata) so tests can search them for secrets.
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }

    func logger() -> Logger {
        var logger = Logger(label: "test") { _ in CaptureHandler(sink: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct CaptureHandler: LogHandler {
    let sink: CapturedLogs
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        var all = metadata
        if let m = event.metadata { all.merge(m) { $1 } }
        sink.append("\(event.level) \(event.message) \(all)")
    }
}
