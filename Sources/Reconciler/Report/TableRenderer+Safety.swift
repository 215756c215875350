extension TableRenderer {
    /// One line per crossed safety limit, saying what it stopped (or, in a dry run, that
    /// a real run would abort here), and one for a notification that failed.
    static func safetyLines(_ report: RunReport) -> String {
        var out = ""
        if let safety = report.safety {
            for trip in safety.trips {
                let what = trip.aborts == .run ? "nothing is applied in this run" : "check \(trip.check ?? "") applies nothing"
                out += safety.note == nil ? "ABORTED: \(trip.summary); \(what).\n"
                    : "\(trip.summary): a real run would abort here (\(what)).\n"
            }
        }
        if let n = report.notification, !n.sent {
            out += "notification (\(n.target)) failed after \(n.attempts) attempt\(n.attempts == 1 ? "" : "s"): \(n.error ?? "unknown error")\n"
        }
        return out
    }
}
