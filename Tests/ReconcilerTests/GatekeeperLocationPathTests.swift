@testable import Reconciler
import XCTest

/// The location grammar, case by case from Gatekeeper's own parser table
/// (open-policy-agent/gatekeeper pkg/mutation/path/parser/parser_test.go) and its docs.
final class GatekeeperLocationPathTests: XCTestCase {
    typealias N = LocationPath.Node

    func testParsesGatekeepersAcceptedExamples() throws {
        let cases: [(String, [N])] = [
            ("", []),
            ("single_field", [.field("single_field")]),
            (#""sp\"ec""#, [.field("sp\"ec")]),
            ("spec.containers[name: *].securityContext", [.field("spec"), .field("containers"), .list(key: "name", value: nil), .field("securityContext")]),
            (#"spec.containers[name: "*"].securityContext"#, [.field("spec"), .field("containers"), .list(key: "name", value: "*"), .field("securityContext")]),
            ("spec.containers[name: foo].securityContext", [.field("spec"), .field("containers"), .list(key: "name", value: "foo"), .field("securityContext")]),
            (#"spec.containers["my key": "foo bar"]"#, [.field("spec"), .field("containers"), .list(key: "my key", value: "foo bar")]),
            (#"spec.containers[name: ""].securityContext"#, [.field("spec"), .field("containers"), .list(key: "name", value: ""), .field("securityContext")]),
            (#"spec.containers["": "someValue"].securityContext"#, [.field("spec"), .field("containers"), .list(key: "", value: "someValue"), .field("securityContext")]),
            (#"foo."".bar"#, [.field("foo"), .field(""), .field("bar")]),
            ("    spec   .    containers    ", [.field("spec"), .field("containers")]),
            (#"    spec   .    "containers"    "#, [.field("spec"), .field("containers")]),
            ("-123-_456_", [.field("-123-_456_")]),
            ("012345", [.field("012345")]),
            (#"spec."foo bar""#, [.field("spec"), .field("foo bar")]),
            ("spec.\"foo\nbar\"", [.field("spec"), .field("foo\nbar")]),
            (#"spec."this object"."is very"["much full": 'of everyone\'s'].'favorite thing'"#,
             [.field("spec"), .field("this object"), .field("is very"), .list(key: "much full", value: "of everyone's"), .field("favorite thing")]),
            (#""token-with-trailing-backslash\\""#, [.field(#"token-with-trailing-backslash\"#)]),
            (#""token-with-\\embedded-backslash""#, [.field(#"token-with-\embedded-backslash"#)]),
            // Gatekeeper docs' examples.
            ("spec.containers[name:*].securityContext.seccompProfile", [.field("spec"), .field("containers"), .list(key: "name", value: nil), .field("securityContext"), .field("seccompProfile")]),
            ("spec.dnsPolicy", [.field("spec"), .field("dnsPolicy")]),
            ("metadata.labels.owner", [.field("metadata"), .field("labels"), .field("owner")]),
            ("spec.containers[name: foo].imagePullPolicy", [.field("spec"), .field("containers"), .list(key: "name", value: "foo"), .field("imagePullPolicy")]),
        ]
        for (text, nodes) in cases {
            let path = try LocationPath(parsing: text)
            XCTAssertEqual(path.nodes, nodes, text)
            // Printing and parsing again gives the same path.
            if !nodes.isEmpty { XCTAssertEqual(try LocationPath(parsing: path.description).nodes, nodes, "reparse of \(path)") }
        }
    }

    func testRejectsWhatGatekeeperRejects() {
        let cases: [(String, String)] = [
            (".spec", "expected field name, got '.'"),
            ("spec.", "trailing separators are forbidden"),
            (#"spec.containers[my key: "foo bar"]"#, "expected ':' after key field my"),
            ("spec.containers[key: foo bar]", "expected ']' after list selector"),
            ("spec.containers[name: ].securityContext", "expected key value or * in list selector, got ']'"),
            ("spec.containers[].securityContext", "expected key field in list selector"),
            ("spec.containers[:].securityContext", "expected key field in list selector"),
            ("spec.containers[:foo].securityContext", "expected key field in list selector"),
            ("spec.containers[foo].securityContext", "expected ':' after key field foo"),
            ("spec.containers[*].securityContext", "expected key field in list selector"),
            ("foo..bar", "expected field name, got '.'"),
            ("[foo: bar]", "expected field name, got '['"),
            ("[foo: bar][bar: *]", "expected field name, got '['"),
            ("spec.containers[foo: bar][bar: *]", "expected '.' or end, got '['"),
            ("spec.[foo: bar]", "expected field name, got '['"),
            ("spec.foo bar", "expected '.' or end, got \"bar\""),
            ("*", "expected field name, got '*'"),
            ("spec.*", "expected field name, got '*'"),
            ("][", "expected field name, got ']'"),
            ("foo[", "expected key field in list selector"),
            ("[", "expected field name, got '['"),
            (":", "expected field name, got ':'"),
            (#"spec."unterminated"#, "unterminated string"),
            ("spec/containers", "invalid character '/' at position 4"),
        ]
        for (text, problem) in cases {
            XCTAssertThrowsError(try LocationPath(parsing: text), text) { error in
                XCTAssertEqual((error as? LocationPathError)?.problem, problem, text)
                XCTAssertEqual((error as? LocationPathError)?.description, "location \"\(text)\": \(problem)")
            }
        }
    }

    /// Found by `make fuzz` (Fuzz/corpus/location-path/regression-*): a location is cluster
    /// data, and its line breaks and control characters used to reach the error verbatim,
    /// so one finding printed as several log lines.
    func testErrorsQuotingTheLocationStayOneLine() {
        let cases: [(String, String)] = [
            ("spec\n.containers.@", #"location "spec\n.containers.@": invalid character '@' at position 17"#),
            ("a\u{1B}[2Jb", #"location "a\u{1B}[2Jb": invalid character '\u{1B}' at position 1"#),
            ("spec \"x\r\ny\"", #"location "spec "x\r\ny"": expected '.' or end, got "x\r\ny""#),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try LocationPath(parsing: text), text.debugDescription) { error in
                XCTAssertEqual((error as? LocationPathError)?.description, message)
                XCTAssertEqual((error as? LocationPathError)?.text, text, "the error keeps the location as written")
            }
        }
    }

    /// Found by `make fuzz` (Fuzz/corpus/location-path/regression-combining-mark.txt): a quote
    /// or backslash followed by a combining mark is one Character, which the printer used to
    /// leave unescaped, so the printed path did not parse back.
    func testQuotesBeforeCombiningMarksPrintBackToTheSamePath() throws {
        let path = LocationPath([.field("spec"), .list(key: "a\"\u{0301}b", value: "c\\\u{0301}"), .field("\"\u{065D}")])
        XCTAssertEqual(path.description, "spec[\"a\\\"\u{0301}b\": \"c\\\\\u{0301}\"].\"\\\"\u{065D}\"")
        XCTAssertEqual(try LocationPath(parsing: path.description), path)
    }

    func testPrefixIsNodeByNode() throws {
        let location = try LocationPath(parsing: "spec.containers[name: foo].securityContext")
        XCTAssertTrue(location.hasPrefix(try LocationPath(parsing: "spec.containers[name: foo]")))
        XCTAssertTrue(location.hasPrefix(try LocationPath(parsing: "spec.containers")))
        XCTAssertFalse(location.hasPrefix(try LocationPath(parsing: "spec.containers[name: *]")))
        XCTAssertFalse(location.hasPrefix(try LocationPath(parsing: "spec.initContainers")))
    }
}
