import KubeClient

extension Settings {
    /// The whole documented default settings file (`kreconcile config --print-defaults`).
    /// Loading it gives `Settings.defaults`; the checks' sections come from their own
    /// `optionsDoc`, so a new check documents itself here.
    public static let defaultsYAML: String = renderDefaults(registry: Checks.all)

    static func renderDefaults(registry: [any Check]) -> String {
        let d = Settings(checks: CheckSettings(registry: registry))
        var out = """
        # kreconcile settings (kreconcile run --config FILE). Every field is optional: the
        # values below are the defaults. Unknown fields are rejected; command-line flags
        # override the file.

        # How much one run may change. What does not fit is deferred to the next run.
        budgets:
          # Actions applied per run, in total (0-10000; 0 = plan and report only).
          maxChanges: \(d.budgets.maxChanges)
          # Actions per namespace per run (0-10000).
          maxPerNamespace: \(d.budgets.maxPerNamespace)
          # Pod disruptions (restarts, evictions) per node per run (0-10000).
          maxPerNode: \(d.budgets.maxPerNode)
          # Actions that start a rollout (restarts, evictions, image patches) are planned only
          # while fewer workloads than this are rolling out or unavailable, read from their
          # status; excluded and opted-out workloads do not count (0-10000; 0 = never).
          maxUnhealthyWorkloads: \(d.budgets.maxUnhealthyWorkloads)

        # Namespaces kreconcile never acts in.
        excludeNamespaces: [\(d.excludeNamespaces.joined(separator: ", "))]

        # An object, or every object of a namespace, labelled or annotated with this key
        # set to "true" is left alone.
        optOutKey: \(d.optOutKey)

        # The coordination.k8s.io/v1 Lease that keeps two runs from acting together
        # (dry runs do not take it). With --shard each shard holds <name>-shard-I-of-N;
        # sharded and unsharded runs also check each other's Leases and never act together.
        lock:
          name: \(d.lock.name)
          # Default: the namespace the run is in (in cluster: its service account's).
          namespace: null
          # Another run takes the Lease over only after watching it unrenewed for this long
          # by its own clock (as client-go judges expiry: clock skew cannot steal it) (5-3600).
          leaseDurationSeconds: \(d.lock.leaseDurationSeconds)
          # No write starts later than this after the last successful renewal; less than
          # leaseDurationSeconds. null: two thirds of it (client-go's 10 s of 15 s).
          renewDeadlineSeconds: null

        timeouts:
          # No new write starts after this many seconds from the start (10-86400).
          runDeadlineSeconds: \(d.timeouts.runDeadlineSeconds)
          # One API request attempt (1-600). At most leaseDurationSeconds minus the renew
          # deadline, and less than the renew deadline: a write started just before the
          # deadline ends before another run may take the Lease.
          requestSeconds: \(d.timeouts.requestSeconds)

        # The API client. qps 0: no client-side rate limit. Like controller-runtime (on SIG
        # API Machinery's advice) and kubernetes/kubernetes#111880 for client-go, kreconcile
        # defers to the server's API Priority and Fairness (on since Kubernetes 1.20): an
        # overloaded server answers 429 with Retry-After and the client waits that long. A
        # limit of 20/s would add ~13 s of waits to listing 150k pods in pages of 500.
        # Set qps (and burst) to cap the request rate anyway, e.g. on a server without APF.
        client:
          qps: \(d.client.qps == d.client.qps.rounded() ? String(Int(d.client.qps)) : String(d.client.qps))
          burst: \(d.client.burst)
          pageSize: \(d.client.pageSize)
        \(HistorySettings.defaultsYAML(d.history))

        # Each check: enabled (default true) and its options.
        checks:

        """
        for check in registry {
            out += "  # \(check.summary)\n  \(check.name):\n    enabled: true\n"
            for doc in check.optionsDoc {
                out += "    # \(doc.doc)\n"
                if let example = doc.example {
                    out += example.split(separator: "\n", omittingEmptySubsequences: false).map { "    #   \($0)\n" }.joined()
                }
                out += "    \(doc.name): \(yamlFlow(doc.defaultValue))\n"
            }
            out += checkSafetyDefaults(check.name, d.safety)
        }
        return out + operatorSafetyDefaults(d)
    }

    /// A default value on one line: JSON is valid YAML flow style; plain strings stay plain.
    static func yamlFlow(_ value: JSONValue) -> String {
        if case .string(let s) = value, !s.isEmpty,
           s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./".contains($0)) }),
           !["true", "false", "null", "yes", "no", "on", "off", "~"].contains(s.lowercased()), Double(s) == nil {
            return s
        }
        return value.jsonString()
    }
}
