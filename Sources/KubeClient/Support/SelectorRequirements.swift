extension String {
    /// A label selector's requirements: the parts between commas outside parentheses
    /// (`app in (a, b),tier` gives `app in (a, b)` and `tier`). Shared by kreconcile's
    /// selector check and the emulator's parser.
    public var selectorRequirements: [String] {
        var parts: [String] = [], current = "", depth = 0
        for ch in self {
            if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1 }
            if ch == "," && depth == 0 { parts.append(current); current = "" } else { current.append(ch) }
        }
        parts.append(current)
        return parts
    }
}
