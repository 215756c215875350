extension Settings {
    /// `checks.<name>.safety` in `config --print-defaults`, with why the default is what it is.
    static func checkSafetyDefaults(_ check: String, _ safety: SafetySettings) -> String {
        let own = safety.check(check)
        let why = SafetySettings.defaultsDoc.first { $0.check == check }?.why
        var out = "    # Blast-radius breaker: more would-be actions than findingsOver, or more than percentOver\n"
            + "    # of the objects examined flagged, and this check applies nothing (exit 4); aborts: run\n"
            + "    # stops the whole run instead. null = no limit.\n"
        if let why { out += "    # Default: \(why)\n" }
        out += "    safety:\n      abortWhen: {findingsOver: \(limit(own.abortWhen.findingsOver.map(Double.init))), "
            + "percentOver: \(limit(own.abortWhen.percentOver))}\n      aborts: \(own.aborts.rawValue)\n"
        return out
    }

    private static func limit(_ value: Double?) -> String {
        value.map { $0.rounded() == $0 ? String(Int($0)) : String($0) } ?? "null"
    }

    /// The top-level `safety`, `maintenance` and `notify` sections.
    static func operatorSafetyDefaults(_ d: Settings) -> String {
        """

        # The whole run's blast-radius breaker: over all checks, more would-be actions than
        # findingsOver, or more than percentOver of all objects examined flagged, and the run
        # applies nothing (exit 4). A dry run reports "a real run would abort here".
        # findingsOver: 1 or more; percentOver: over 0, at most 100; null = no limit.
        safety:
          abortWhen: {findingsOver: \(limit(d.safety.abortWhen.findingsOver.map(Double.init))), percentOver: \(limit(d.safety.abortWhen.percentOver))}
          # A percent limit (here or per check) is judged only once this many objects were
          # examined: 1 finding among 3 objects is 33 % and says nothing.
          percentMinExamined: \(d.safety.percentMinExamined)

        # Maintenance windows. Empty: actions run whenever the CronJob does. Otherwise the
        # actions applyTo names (disruptive: restarts and evictions; all: every action) are
        # planned only in runs that start inside a window, and deferred with the next window's
        # start otherwise. Each window: a 5-field cron schedule (Vixie cron: ranges, steps,
        # lists, names; day of month OR day of week when both are restricted), a duration
        # (1m-7d) and an IANA time zone (default UTC), e.g.
        #   windows:
        #     - {schedule: "0 22 * * 1-5", duration: 4h, timeZone: Europe/Berlin}
        maintenance:
          windows: []
          applyTo: \(d.maintenance.applyTo.rawValue)

        # One POST per run with its summary (never object contents or secrets), 5 s timeout,
        # one retry; a failed notification is reported and does not change the exit code.
        # The URL holds a token: read it from a mounted Secret (urlFile) or an environment
        # variable (urlEnv); it is never logged. format: generic (JSON) or slack.
        #   notify:
        #     urlFile: /etc/kreconcile/notify/url
        #     format: slack
        #     on: [applied, failed, aborted]
        notify: null

        """
    }
}
