/// Container image names compared as the runtime resolves them, so `kubearmor/kubearmor:stable`
/// and `docker.io/kubearmor/kubearmor:stable` are the same image (normalisation rules of
/// github.com/distribution/reference normalize.go: default domain docker.io, official
/// images under library/, tag latest when neither tag nor digest is given).
struct ImageReference: Equatable {
    /// "docker.io/library/nginx".
    var repository: String
    var tag: String?
    /// "sha256:…".
    var digest: String?

    init(_ image: String) {
        var rest = image
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = String(rest[..<at])
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var domain = "docker.io"
        if components.count > 1, let first = components.first,
           first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first {
            domain = first == "index.docker.io" ? "docker.io" : first
            components.removeFirst()
        }
        if domain == "docker.io", components.count == 1 { components.insert("library", at: 0) }
        var last = components.removeLast()
        if let colon = last.firstIndex(of: ":") {
            tag = String(last[last.index(after: colon)...])
            last = String(last[..<colon])
        }
        if tag == nil, digest == nil { tag = "latest" }
        repository = ([domain] + components + [last]).joined(separator: "/")
    }

    var normalized: String { repository + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "") }

    static func normalized(_ image: String) -> String { ImageReference(image).normalized }

    enum Comparison: Equatable {
        case same, different
        /// Cannot be told without asking the registry, which kreconcile never does.
        case unknown(String)
    }

    /// Whether the `live` container runs the `desired` image.
    /// - both pinned by digest: the digests decide;
    /// - neither: the tags decide;
    /// - one pinned, both tagged (`img:tag` vs `img:tag@sha256:…`, what a digest-pinning
    ///   admission webhook writes): the tags decide, or every run would patch what the
    ///   webhook pins again;
    /// - desired pinned by digest only, live a tag: different: patching to the digest
    ///   converges (afterwards both are pinned);
    /// - live pinned by digest only, desired a tag: unknown. Whether the tag points at that
    ///   digest today only the registry knows; patching would loop forever against a
    ///   webhook that pins without keeping the tag. Reported, not patched.
    static func compare(live: String, desired: String) -> Comparison {
        let l = ImageReference(live), d = ImageReference(desired)
        guard l.repository == d.repository else { return .different }
        switch (l.digest, d.digest) {
        case let (ld?, dd?): return ld == dd ? .same : .different
        case (nil, nil): return l.tag == d.tag ? .same : .different
        case (_?, nil):
            guard let liveTag = l.tag else {
                return .unknown("\(live) is pinned by digest only; whether \(desired) is that digest only the registry knows")
            }
            return liveTag == d.tag ? .same : .different
        case (nil, _?):
            guard let desiredTag = d.tag else { return .different }
            return desiredTag == l.tag ? .same : .different
        }
    }

    static func same(_ a: String, _ b: String) -> Bool { compare(live: a, desired: b) == .same }
}
