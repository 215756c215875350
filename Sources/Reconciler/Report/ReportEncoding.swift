import Foundation
import Yams

/// `-o json` and `-o yaml`: the same `RunReport`, keys sorted so output is byte-stable.
extension RunReport {
    public func json() throws -> String { try ReportEncoding.json(self) }

    public func yaml() throws -> String { try ReportEncoding.yaml(self) }

    public static func decode(json: Data) throws -> RunReport {
        try JSONDecoder().decode(RunReport.self, from: json)
    }
}

/// Every report kind (run, teardown) prints the same way.
enum ReportEncoding {
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    static func yaml(_ value: some Encodable) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        return try encoder.encode(value)
    }
}
