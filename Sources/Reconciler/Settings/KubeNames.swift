/// Kubernetes name syntax (apimachinery pkg/util/validation: IsDNS1123Label,
/// IsDNS1123Subdomain, IsQualifiedName), so a bad name fails at load, not at the API.
enum KubeNames {
    private static func isAlnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }

    /// Lower-case alphanumerics and '-', at most 63, starting and ending alphanumeric.
    static func isDNSLabel(_ s: String) -> Bool {
        guard (1...63).contains(s.count), let f = s.first, let l = s.last, isAlnum(f), isAlnum(l) else { return false }
        return s.allSatisfy { isAlnum($0) || $0 == "-" }
    }

    /// Dot-separated DNS labels, at most 253 characters.
    static func isDNSSubdomain(_ s: String) -> Bool {
        guard (1...253).contains(s.count) else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// `[prefix/]name`: prefix a DNS subdomain, name at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends.
    static func isQualifiedName(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2, !isDNSSubdomain(String(parts[0])) { return false }
        let name = String(parts.last!)
        guard (1...63).contains(name.count), let f = name.first, let l = name.last,
              f.isASCII && (f.isLetter || f.isNumber), l.isASCII && (l.isLetter || l.isNumber) else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
