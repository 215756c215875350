import CLibFuzzer
import Foundation

/// Runs libFuzzer with `body` as the harness and exits with libFuzzer's status. Each
/// harness's main.swift calls it: a program of its own `main`, because SwiftPM links an
/// executable's entry point under its own name and `-sanitize=fuzzer`'s `main` would not be
/// found; `LLVMFuzzerRunDriver` takes libFuzzer's usual flags from the command line.
public func fuzzMain(_ body: @escaping (Data) -> Void) -> Never {
    harness = body
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
}

/// The harness, for the C callback (which cannot capture it). Set once, before fuzzing starts.
nonisolated(unsafe) private var harness: ((Data) -> Void)?

/// libFuzzer's callback, under the name its runtime also links against (in debug builds).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    harness!(count == 0 ? Data() : Data(bytes: bytes!, count: count))
    return 0
}
