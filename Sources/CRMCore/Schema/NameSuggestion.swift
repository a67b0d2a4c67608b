/// Finds the closest known name to a mistyped one, for "did you mean …" hints.
public enum NameSuggestion {
    /// The candidate nearest to `name` by edit distance, if it is close enough to help.
    public static func closest(to name: String, in candidates: [String]) -> String? {
        let lowered = name.lowercased()
        // (candidate, distance, one is a prefix of the other)
        var best: (String, Int, Bool)?
        for candidate in candidates {
            let c = candidate.lowercased()
            let prefix = c.hasPrefix(lowered) || lowered.hasPrefix(c)
            let d = prefix ? abs(c.count - lowered.count) : distance(lowered, c)
            if best == nil || d < best!.1 || (d == best!.1 && prefix && !best!.2) { best = (candidate, d, prefix) }
        }
        guard let (candidate, d, prefix) = best else { return nil }
        // A name cut short or run on (`grade_a_minimum` for `grade_a_min`) helps when the
        // shared part is a real word, not one or two letters.
        if prefix { return min(candidate.count, lowered.count) >= 3 ? candidate : nil }
        return d <= max(1, min(3, candidate.count / 2)) ? candidate : nil
    }

    /// Levenshtein distance over Characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1,
                                       previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    /// `(did you mean 'x'?)` or an empty string, ready to append to a message.
    public static func hint(for name: String, in candidates: [String]) -> String {
        guard let s = closest(to: name, in: candidates) else { return "" }
        return " (did you mean '\(s)'?)"
    }
}
