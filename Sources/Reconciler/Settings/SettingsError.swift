import KubeClient

/// A settings file problem in one line naming the file and the field:
/// `kreconcile.yaml: budgets.maxChange: unknown field, did you mean maxChanges?`.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message.escapingControlCharacters }
    public var description: String { message }

    init(_ error: ConfigError) { self.message = error.message }
}
