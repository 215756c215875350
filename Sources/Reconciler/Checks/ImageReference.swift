/// Container image names compared as the runtime resolves them, so `kubearmor/kubearmor:stable`
/// and `docker.io/kubearmor/kubearmor:stable` are the same image (normalisation rules of
/// github.com/distribution/reference normalize.go: default domain docker.io, official
/// images under library/, tag latest when neither tag nor digest is given).
enum ImageReference {
    static func normalized(_ image: String) -> String {
        var rest = image
        var digest = ""
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[at...])
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
        var path = components.joined(separator: "/")
        let lastSlash = path.lastIndex(of: "/") ?? path.startIndex
        if digest.isEmpty, !path[lastSlash...].contains(":") { path += ":latest" }
        return "\(domain)/\(path)\(digest)"
    }

    static func same(_ a: String, _ b: String) -> Bool { normalized(a) == normalized(b) }
}
