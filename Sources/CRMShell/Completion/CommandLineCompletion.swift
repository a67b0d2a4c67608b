import CRMCore

/// Tab completion for the `crm` command line in bash, zsh and fish: modes and options,
/// option values, and the commands inside `-c '…'` through the shell's own `Completer`.
public struct CommandLineCompletion {
    /// An option and what follows it.
    public struct Flag: Sendable {
        public enum Value: Sendable { case none, file, directory, format, command, word }
        public var name: String
        public var value: Value
        public init(_ name: String, _ value: Value = .none) {
            self.name = name
            self.value = value
        }
    }

    /// The words that start a mode (`crm run FILE`, `crm demo`, …).
    public static let modes = ["run", "demo", "jobs", "test", "man", "completion"]
    /// What a script prints alone to ask the shell for file names.
    public static let filesMarker = "__files__"

    let session: Session
    let flags: [Flag]

    public init(session: Session, flags: [Flag]) {
        self.session = session
        self.flags = flags
    }

    /// The candidates for `words[index]` (`words[0]` is `crm`; the word may be missing when
    /// the cursor is after a space), each a whole replacement for that word.
    public func complete(words: [String], index: Int) -> [String] {
        var words = words
        while words.count <= index { words.append("") }
        var current = words[index]
        var previous = index >= 1 ? words[index - 1] : ""
        // bash splits --db=x at the `=` (COMP_WORDBREAKS): "--db" "=" "x".
        if current == "=" { current = "" }
        else if previous == "=", index >= 2 { previous = words[index - 2] }
        if let eq = current.firstIndex(of: "="), current.hasPrefix("--") {
            previous = String(current[..<eq]); current = String(current[current.index(after: eq)...])
        }
        if let flag = flags.first(where: { $0.name == previous }) {
            switch flag.value {
            case .file, .directory: return [Self.filesMarker]
            case .format: return OutputFormat.allCases.map(\.rawValue).filter { $0.hasPrefix(current) }
            case .command: return command(current)
            case .word: return []
            case .none: break
            }
        }
        let before = Array(words[1..<index])
        if let mode = before.first(where: { Self.modes.contains($0) }) {
            switch mode {
            case "run", "test": return [Self.filesMarker]
            case "completion": return previous == "completion" ? ["bash", "zsh", "fish"].filter { $0.hasPrefix(current) } : []
            case "jobs":
                if previous == "jobs" { return ["run"].filter { $0.hasPrefix(current) } }
                if previous == "run" { return (session.plugins?.jobs.map(\.name) ?? []).filter { $0.hasPrefix(current) } }
                return []
            default: return []
            }
        }
        let options = flags.map(\.name)
        if current.hasPrefix("-") { return options.filter { $0.hasPrefix(current) } }
        return (Self.modes + options).filter { $0.hasPrefix(current) }
    }

    /// Completes the command being typed inside `-c '…'`: the whole word back, with the
    /// last part completed (`list cu` → `list customer`).
    func command(_ word: String) -> [String] {
        var text = word
        if let q = text.first, q == "'" || q == "\"" { text.removeFirst() }
        let (start, candidates) = Completer(session: session).complete(text)
        let kept = String(text.prefix(start))
        return candidates.map { kept + $0 }
    }
}
