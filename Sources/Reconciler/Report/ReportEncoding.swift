import Foundation
import Yams

/// `-o json` and `-o yaml`: the same `RunReport`, keys sorted so output is byte-stable.
extension RunReport {
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    public func yaml() throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        return try encoder.encode(self)
    }

    public static func decode(json: Data) throws -> RunReport {
        try JSONDecoder().decode(RunReport.self, from: json)
    }
}
