import Foundation

/// The kubelet's exec mode: containers whose image matches a prefix run as a local
/// process instead of being simulated. Nothing else is executed.
public struct ExecOptions: Sendable {
    public struct Mapping: Sendable, Equatable {
        /// Matches an image equal to it or starting with it (`repo` matches `repo:tag`).
        public var imagePrefix: String
        /// The local executable that stands in for the image's entrypoint.
        public var executable: String

        public init(imagePrefix: String, executable: String) {
            self.imagePrefix = imagePrefix
            self.executable = executable
        }

        /// "IMAGE_PREFIX=/path/to/executable" (the `--exec-image` flag).
        public init?(parsing text: String) {
            guard let eq = text.lastIndex(of: "="), eq != text.startIndex, text.index(after: eq) != text.endIndex else { return nil }
            self.init(imagePrefix: String(text[..<eq]), executable: String(text[text.index(after: eq)...]))
        }
    }

    public var mappings: [Mapping]
    /// The kubeconfig the processes get in `KUBECONFIG` (instead of a service account).
    public var kubeconfigPath: String
    /// A process still running after this long is killed and its container fails (exit 137).
    public var timeoutSeconds: Double
    /// Where each pod's volumes and output live while it runs.
    public var workDirectory: URL
    /// Called when a process exits, with its pod, exit code and output (e.g. to print or keep it).
    public var onExit: (@Sendable (_ namespace: String, _ name: String, _ exitCode: Int32, _ output: Data) -> Void)?

    public init(mappings: [Mapping], kubeconfigPath: String, timeoutSeconds: Double = 300,
                workDirectory: URL = FileManager.default.temporaryDirectory.appendingPathComponent("kube-emulator-exec-\(UUID().uuidString)")) {
        self.mappings = mappings
        self.kubeconfigPath = kubeconfigPath
        self.timeoutSeconds = timeoutSeconds
        self.workDirectory = workDirectory
    }

    /// The executable for an image, if it is mapped (longest prefix wins).
    func executable(forImage image: String) -> String? {
        mappings.filter { image == $0.imagePrefix || image.hasPrefix($0.imagePrefix) }
            .max { $0.imagePrefix.count < $1.imagePrefix.count }?.executable
    }
}
