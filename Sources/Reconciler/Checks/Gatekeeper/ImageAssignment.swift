/// AssignImage's parameters: replace the domain, path and/or tag of an image reference.
/// The split follows Gatekeeper's pkg/mutation/mutators/assignimage/imageparser.go: the
/// first component is the domain when it has a "." or ":" or is "localhost"; the tag is
/// ":tag" after the last "/", or "@digest"; assignTag carries its ":" or "@".
public struct ImageAssignment: Sendable, Equatable {
    public var domain: String?
    public var path: String?
    public var tag: String?

    public init(domain: String? = nil, path: String? = nil, tag: String? = nil) {
        self.domain = domain
        self.path = path
        self.tag = tag
    }

    public func apply(to image: String) -> String {
        let parts = Self.split(image)
        let d = domain ?? parts.domain, p = path ?? parts.path, t = tag ?? parts.tag
        return (d.isEmpty ? "" : d + "/") + p + t
    }

    /// (domain, path, tag) of an image reference; tag includes its ":" or "@".
    static func split(_ image: String) -> (domain: String, path: String, tag: String) {
        var rest = Substring(image)
        var tag = ""
        if let at = rest.firstIndex(of: "@") {
            tag = String(rest[at...])
            rest = rest[..<at]
        } else if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[colon...])
            rest = rest[..<colon]
        }
        var domain = ""
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" {
                domain = String(first)
                rest = rest[rest.index(after: slash)...]
            }
        }
        return (domain, String(rest), tag)
    }
}
