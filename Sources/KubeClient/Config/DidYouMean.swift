/// "did you mean maxChanges?" for a mistyped field name: the known name nearest by edit
/// distance (at most 2), or one the typed name is a prefix of. Ties go to the first listed.
public enum DidYouMean {
    public static func suggestion(for typed: String, among known: [String]) -> String? {
        let lower = typed.lowercased()
        if let same = known.first(where: { $0.lowercased() == lower }) { return same }
        var best: (name: String, distance: Int)?
        for name in known {
            let d = distance(lower, name.lowercased())
            if d <= 2, d < (best?.distance ?? Int.max) { best = (name, d) }
        }
        if let best { return best.name }
        guard lower.count >= 3 else { return nil }
        return known.first { $0.lowercased().hasPrefix(lower) }
    }

    /// Levenshtein distance over Characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
