import Foundation
import KubeClient

/// One object's Table cells, encoded ahead of the request: the `[…]` of a row's `cells`
/// with holes where a cell shows a time since something (ages, "(5m ago)"), which are
/// printed when the row is served. The generator stores one per object, so Table pages of
/// 150k generated pods splice bytes instead of parsing each object and running its printer.
struct PrintedRow: Sendable {
    /// The encoded cells array with the holes left out.
    private let bytes: [UInt8]
    /// Where each hole goes in `bytes`, and the time (seconds since 1970) it counts from.
    private let holes: [(offset: Int, since: Double)]

    /// Runs `printer` with HumanDuration deferred, so time-relative text comes back as
    /// markers that become holes.
    init(_ printer: TablePrinter, _ object: JSONValue) {
        let cells = HumanDuration.$deferred.withValue(true) { printer.cells(object) }
        var out: [UInt8] = [UInt8(ascii: "[")]
        var holes: [(Int, Double)] = []
        for (n, cell) in cells.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            let encoded = Array(JSONWriter.encode(cell))
            guard case .string(let text) = cell, text.utf8.contains(HumanDuration.markerByte) else {
                out.append(contentsOf: encoded)
                continue
            }
            // Encoding writes U+0001 as the six bytes \u0001: cut the markers out there.
            let escaped = Array("\\u0001".utf8)
            var i = 0, inMarker = false, start = 0
            while i < encoded.count {
                if encoded[i] == UInt8(ascii: "\\"), encoded[i...].starts(with: escaped) {
                    if inMarker {
                        let since = Double(String(decoding: encoded[start..<i], as: UTF8.self)) ?? 0
                        holes.append((out.count, since))
                    } else {
                        out.append(contentsOf: encoded[start..<i])
                    }
                    inMarker.toggle()
                    i += escaped.count
                    start = i
                } else {
                    i += 1
                }
            }
            out.append(contentsOf: encoded[start...])
        }
        out.append(UInt8(ascii: "]"))
        self.bytes = out
        self.holes = holes
    }

    /// Appends the cells, holes printed for `now`; `ages` memoises the text per start time
    /// (generated objects share a few creation times).
    func write(into out: inout Data, now: Double, ages: inout [Double: [UInt8]]) {
        var from = 0
        for hole in holes {
            out.append(contentsOf: bytes[from..<hole.offset])
            if let text = ages[hole.since] {
                out.append(contentsOf: text)
            } else {
                // Durations ("5m", "<invalid>") need no JSON escaping.
                let text = Array(HumanDuration.format(seconds: Int(now - hole.since)).utf8)
                ages[hole.since] = text
                out.append(contentsOf: text)
            }
            from = hole.offset
        }
        out.append(contentsOf: bytes[from...])
    }
}
