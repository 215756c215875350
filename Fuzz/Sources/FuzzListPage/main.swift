import Foundation
import FuzzSupport
import KubeClient
import Reconciler

// List pages as the API server sends them: decoded by `PodPageDecoder` and
// `WorkloadPageDecoder` (the cursor) and by `DecodableListPage` (JSONDecoder, as
// `KubeClient.list(_:as:)` decodes every other kind).
// Invariants: no crash; where both the cursor and JSONDecoder accept a page they give
// the same records (PodPageDecoder's promise: PodPageDecoderTests compares them the same
// way), under each spec retention, unless an object repeats a key; a cursor error says
// its byte offset inside the page.

/// The retentions the loader uses: none (most runs), a projection (mutators), everything.
let retentions: [SpecRetention?] = [
    nil,
    SpecRetention(namespaces: ["shop"], templates: false,
                  podSpec: SpecProjection(keeping: [try! LocationPath(parsing: "containers[name:*].securityContext"), try! LocationPath(parsing: "nodeName")])),
    .everything,
]

fuzzMain { body in
    for retention in retentions {
        let cursor = Result { try PodPageDecoder(kept: PodKeptKeys(optOutKey: Settings.defaultOptOutKey), interner: Interner(), retention: retention).decodePage(body) }
        let oracle = Result {
            try SpecRetention.$current.withValue(retention) {
                try Interner.$shared.withValue(Interner()) { try DecodableListPage<PodRecord>().decodePage(body) }
            }
        }
        if case .failure(let error as JSONCursor.SyntaxError) = cursor {
            require((0...body.count).contains(error.offset), "cursor error offset \(error.offset) outside a page of \(body.count) bytes")
        }
        if case .success(let got) = cursor, case .success(let expected) = oracle, !hasDuplicateKeys(body) {
            require(got.items == expected.items, "PodPageDecoder and JSONDecoder disagree (retention \(String(describing: retention))):\n\(got.items)\n\(expected.items)")
            require(got.metadata?.resourceVersion == expected.metadata?.resourceVersion && got.metadata?.continue == expected.metadata?.continue
                    && got.metadata?.remainingItemCount == expected.metadata?.remainingItemCount, "list metadata differs")
        }
    }
    // Workload pages: WorkloadPageDecoder against JSONDecoder, the same way.
    for retention in retentions {
        let cursor = Result { try WorkloadPageDecoder(retention: retention).decodePage(body) }
        let oracle = Result { try SpecRetention.$current.withValue(retention) { try DecodableListPage<WorkloadRecord>().decodePage(body) } }
        if case .success(let got) = cursor, case .success(let expected) = oracle, !hasDuplicateKeys(body) {
            require(got.items == expected.items, "WorkloadPageDecoder and JSONDecoder disagree (retention \(String(describing: retention))):\n\(got.items)\n\(expected.items)")
        }
    }
    // The other kinds' pages: only that they decode or throw. Errors are right for bad pages.
    _ = try? DecodableListPage<ObjectRecord>().decodePage(body)
    _ = try? DecodableListPage<JSONValue>().decodePage(body)
}

/// True when an object of the document repeats a key. JSON leaves their meaning open: the
/// cursor keeps the last value (as Go's encoding/json does), JSONDecoder the first; the API
/// server never sends them.
func hasDuplicateKeys(_ body: Data) -> Bool {
    func walk(_ c: inout JSONCursor) throws -> Bool {
        var repeated = false
        switch c.peek() {
        case UInt8(ascii: "{"):
            var seen = Set<String>()
            try c.forEachField { c, key in
                if !seen.insert(key.string).inserted { repeated = true }
                if try walk(&c) { repeated = true }
            }
        case UInt8(ascii: "["):
            try c.forEachElement { c in if try walk(&c) { repeated = true } }
        default:
            try c.skipValue()
        }
        return repeated
    }
    return (try? JSONCursor.read(body) { c in try walk(&c) }) ?? false
}
