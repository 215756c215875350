/// A harness's own checks. Thrown Swift errors are the right answer to bad input and never
/// fail a harness; a broken invariant traps, so libFuzzer keeps the input as a crash.
public func require(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError("invariant broken: \(message())", file: file, line: line) }
}

/// Error messages are one line (they go to logs, reports and terminals; a line break from
/// the input could forge a log line).
public func requireOneLine(_ message: String, _ what: String, file: StaticString = #fileID, line: UInt = #line) {
    require(!message.contains(where: \.isNewline), "\(what) is not one line: \(message.debugDescription)", file: file, line: line)
}
