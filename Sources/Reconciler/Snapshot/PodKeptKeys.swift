import KubeClient

/// Which pod labels and annotations a snapshot keeps (the rest is dropped while the page
/// is decoded): the AppArmor annotations, the labels KubeArmor skips pods by, and the
/// opt-out key. Set for the decoding task by the loader (`PodKeptKeys.$current`), since a
/// `Decodable` init cannot take arguments.
public struct PodKeptKeys: Sendable, Equatable {
    public static let appArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/"
    public static let skipLabels: Set<String> = ["kubearmor-app", "io.cilium/app"]

    public var optOutKey: String

    public init(optOutKey: String) { self.optOutKey = optOutKey }

    @TaskLocal public static var current = PodKeptKeys(optOutKey: Settings.defaultOptOutKey)

    func labels(_ all: [String: String], _ intern: (String) -> String) -> [String: String] {
        var kept: [String: String] = [:]
        for (k, v) in all where k == optOutKey || Self.skipLabels.contains(k) { kept[intern(k)] = intern(v) }
        return kept
    }

    func annotations(_ all: [String: String], _ intern: (String) -> String) -> [String: String] {
        var kept: [String: String] = [:]
        for (k, v) in all where k == optOutKey || k.hasPrefix(Self.appArmorAnnotationPrefix) { kept[intern(k)] = intern(v) }
        return kept
    }

    /// The same filter on a key still in the page (nothing allocated for a dropped key).
    func keepsLabel(_ key: JSONCursor.Key) -> Bool {
        key.equals(optOutKey) || Self.skipLabels.contains { key.equals($0) }
    }

    func keepsAnnotation(_ key: JSONCursor.Key) -> Bool {
        key.equals(optOutKey) || key.hasPrefix(Self.appArmorAnnotationPrefix)
    }
}
