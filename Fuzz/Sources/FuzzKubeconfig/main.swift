import Foundation
import FuzzSupport
import KubeClient

// A kubeconfig file, loaded as `--kubeconfig FILE` loads it (parse, merge, resolve the
// context, its cluster and user). Invariants: no crash; an error is a ConfigError in one
// line that names the file.

fuzzMain { data in
    let path = ScratchFile.write(data, name: "kubeconfig")
    // HOME is the scratch directory (for `~/` paths); no KUBECONFIG, no in-cluster config.
    let loader = KubeconfigLoader(explicitPath: path, environment: ["HOME": ScratchFile.directory],
                                  serviceAccountDirectory: ScratchFile.directory + "/no-service-account")
    do {
        _ = try loader.load()
    } catch let error as ConfigError {
        requireOneLine(error.message, "kubeconfig error")
        require(error.message.hasPrefix("kubeconfig ~/kubeconfig"), "kubeconfig error without the file: \(error.message)")
    } catch {
        require(false, "kubeconfig load threw \(type(of: error)), not a ConfigError: \(error)")
    }
}
