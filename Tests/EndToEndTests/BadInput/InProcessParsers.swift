import Foundation
import KubeClient
import Reconciler

/// The parsers the binary runs on each input kind, called in process: the whole table is
/// checked here in milliseconds, a sample of it through the binary (BadInputTests).
enum InProcessParsers {
    /// The error message for the file at `path`, nil when it parses.
    typealias Parse = @Sendable (_ path: String) -> String?

    static func kubeconfig(home: String) -> Parse {
        { path in
            do { _ = try KubeconfigLoader(explicitPath: path, environment: ["HOME": home]).load(); return nil } catch { return "\(error)" }
        }
    }

    static let settings: Parse = { path in
        do { _ = try Settings.load(yaml: try String(contentsOfFile: path, encoding: .utf8), path: path); return nil } catch { return "\(error)" }
    }

    /// As `run --snapshot` reads it: the default settings' checks decide which kinds are kept.
    static let snapshot: Parse = { path in
        do {
            let files = try Snapshot.readFiles([path])
            _ = try Snapshot(documents: files.documents, origins: files.origins, checks: Settings.defaults.checks.enabledChecks(from: Checks.all))
            return nil
        } catch { return "\(error)" }
    }

    static let teardownProfile: Parse = { path in
        do { _ = try TeardownProfile.parse(yaml: try String(contentsOfFile: path, encoding: .utf8), file: path); return nil } catch { return "\(error)" }
    }
}
