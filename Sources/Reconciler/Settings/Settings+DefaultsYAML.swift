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
          # Disruptive actions are planned only while fewer workloads than this are rolling
          # out or unavailable, read from their status (0-10000; 0 = never disrupt).
          maxUnhealthyWorkloads: \(d.budgets.maxUnhealthyWorkloads)

        # Namespaces kreconcile never acts in.
        excludeNamespaces: [\(d.excludeNamespaces.joined(separator: ", "))]

        # An object, or every object of a namespace, labelled or annotated with this key
        # set to "true" is left alone.
        optOutKey: \(d.optOutKey)

        # The coordination.k8s.io/v1 Lease that keeps two runs from acting together
        # (dry runs do not take it; with --shard each shard holds its own).
        lock:
          name: \(d.lock.name)
          # Default: the namespace the run is in (in cluster: its service account's).
          namespace: null
          # A holder that has not renewed for this long is presumed dead (5-3600).
          leaseDurationSeconds: \(d.lock.leaseDurationSeconds)

        timeouts:
          # No new write starts after this many seconds from the start (10-86400).
          runDeadlineSeconds: \(d.timeouts.runDeadlineSeconds)
          # One API request, retries included (1-600).
          requestSeconds: \(d.timeouts.requestSeconds)

        # Client-side rate limit and list page size.
        client:
          qps: \(Int(d.client.qps))
          burst: \(d.client.burst)
          pageSize: \(d.client.pageSize)

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
        }
        return out
    }

    /// A default value on one line: JSON is valid YAML flow style; plain strings stay plain.
    private static func yamlFlow(_ value: JSONValue) -> String {
        if case .string(let s) = value, !s.isEmpty,
           s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./".contains($0)) }),
           !["true", "false", "null", "yes", "no", "on", "off", "~"].contains(s.lowercased()), Double(s) == nil {
            return s
        }
        return value.jsonString()
    }
}
