import Foundation

/// A configuration problem, said in one line that names the file and the field.
/// Messages never contain a credential's value; line breaks from the file are escaped.
public struct ConfigError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public var message: String
    public init(_ message: String) { self.message = message.escapingControlCharacters }
    public var description: String { message }
    public var errorDescription: String? { message }
}

/// Shows a path the way a user typed it: under the home directory as `~/...`.
func displayPath(_ path: String, home: String?) -> String {
    if let home, !home.isEmpty, path.hasPrefix(home + "/") { return "~" + path.dropFirst(home.count) }
    return path
}
