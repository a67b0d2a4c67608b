import CRMCore

/// `help [verb]`: the list of commands, or one command in detail.
struct HelpVerb: Verb {
    let name = "help"
    let aliases = ["?", "\\?"]
    let summary = "list the commands, or explain one: help list"
    let usage = ["help [command]"]
    let details = "Shows what a command does, its syntax and examples."
    let completion = CompletionShape.verb

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        guard let t = args.next() else {
            return .message(Self.overview(session.verbs))
        }
        try args.expectEnd(usageLine)
        guard let verb = session.verbs.verb(named: t.text) else {
            throw SyntaxError(message: "no command '\(t.text)'\(NameSuggestion.hint(for: t.text, in: session.verbs.names))",
                              position: t.position)
        }
        return .message(Self.page(verb))
    }

    static func overview(_ verbs: VerbRegistry) -> String {
        let width = verbs.verbs.map(\.name.count).max() ?? 8
        var lines = ["Commands (help <command> for details and examples):", ""]
        for v in verbs.verbs {
            lines.append("  " + v.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + v.summary)
        }
        lines += ["", "A line ending in \\ or with an open quote continues on the next line.",
                  "Filters, dates and quoting: help list.  Docs: docs/commands.md, man crm."]
        return lines.joined(separator: "\n")
    }

    static func page(_ verb: Verb) -> String {
        var lines = ["\(verb.name) — \(verb.summary)", "", "Usage:"]
        lines += verb.usage.map { "  " + $0 }
        if !verb.aliases.isEmpty { lines.append("Also: " + verb.aliases.joined(separator: ", ")) }
        lines += ["", verb.details]
        return lines.joined(separator: "\n")
    }
}
