import CRMCore

/// `format [mode]`: shows or sets how results are printed.
struct FormatVerb: Verb {
    let name = "format"
    let summary = "show or set the output mode: table, vertical, csv, json, ndjson, markdown"
    let usage = ["format [table|vertical|csv|json|ndjson|markdown]"]
    let details = """
        At a terminal, table fits the screen: long text is cut with …, numbers, money and
        dates never are, and a result whose rows still cannot fit is shown vertically (one
        block per record) — see expanded. Piped or in batch mode nothing is cut. The other
        modes never cut.
        --format on the command line sets the mode for a headless run.

        Example:
          format vertical
        """
    let completion = CompletionShape.format

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        guard let t = args.next() else { return .message("format \(session.format.rawValue)") }
        try args.expectEnd(usageLine)
        guard let format = OutputFormat(text: t.text) else {
            let names = OutputFormat.allCases.map(\.rawValue)
            throw SyntaxError(message: "unknown format '\(t.text)'\(NameSuggestion.hint(for: t.text, in: names)); use one of: \(names.joined(separator: ", "))",
                              position: t.position)
        }
        session.format = format
        return .none
    }
}

/// `expanded [auto|on|off]`: when table output goes vertical (psql's `\x`).
struct ExpandedVerb: Verb {
    let name = "expanded"
    let aliases = ["\\x"]
    let summary = "show or set when tables are shown vertically: auto, on, off"
    let usage = ["expanded [auto|on|off]"]
    let details = """
        auto (the default): a table whose rows cannot fit the terminal, even with long
        text cut, is shown one block per record. on: always vertical. off: always a table;
        one too wide even with text cut is shown whole (the pager scrolls it sideways).
        Only at a terminal; piped output is never cut nor turned.
        \\x is the same command, as in psql.

        Example:
          expanded off
        """
    let completion = CompletionShape.keywordThenFile(ExpandedMode.allCases.map(\.rawValue))

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        guard let t = args.next() else { return .message("expanded \(session.expanded.rawValue)") }
        try args.expectEnd(usageLine)
        guard let mode = ExpandedMode(rawValue: t.text.lowercased()) else {
            throw SyntaxError(message: "expanded takes auto, on or off, not '\(t.text)'", position: t.position)
        }
        session.expanded = mode
        return .none
    }
}

/// `pager [auto|on|off]`: whether long output at the prompt goes through `$PAGER`.
struct PagerVerb: Verb {
    let name = "pager"
    let summary = "show or set the pager for long output: auto, on, off"
    let usage = ["pager [auto|on|off]"]
    let details = """
        At the prompt, output taller than the screen goes through $PAGER (default
        less -FRSX, which prints short output directly). auto (the default): only output
        taller than the screen; on: every result; off: never. Never used when stdout is
        not a terminal, nor in batch mode (-c, run, stdin).

        Example:
          pager off
        """
    let completion = CompletionShape.keywordThenFile(PagerMode.allCases.map(\.rawValue))

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        guard let t = args.next() else { return .message("pager \(session.pager.rawValue)") }
        try args.expectEnd(usageLine)
        guard let mode = PagerMode(rawValue: t.text.lowercased()) else {
            throw SyntaxError(message: "pager takes auto, on or off, not '\(t.text)'", position: t.position)
        }
        session.pager = mode
        return .none
    }
}

/// `quit`: leaves the shell.
struct QuitVerb: Verb {
    let name = "quit"
    let aliases = ["exit", "\\q"]
    let summary = "leave the shell (Ctrl-D works too)"
    let usage = ["quit"]
    let details = "An open transaction is rolled back."
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        try args.expectEnd(usageLine)
        session.quitRequested = true
        return .none
    }
}

/// `demo [N]`: fills the database with realistic sample data.
struct DemoVerb: Verb {
    let name = "demo"
    let summary = "fill the database with sample customers, interactions, tasks, deals and tickets"
    let usage = ["demo [customers]"]
    let details = """
        Adds staff, a few hundred customers (Chinese and English names, organisations),
        contacts, interactions, tasks, deals and tickets, so every command has something to
        show. Refused when the database already has customers, to keep real data clean.

        Example:
          demo
          demo 1000
        """
    let completion = CompletionShape.nothing

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let n = args.atEnd ? 300 : try args.count("'demo'")
        try args.expectEnd(usageLine)
        guard (1...100_000).contains(n) else {
            throw SyntaxError(message: "demo takes between 1 and 100000 customers", position: 5)
        }
        guard try session.store.count("customer", where: nil) == 0 else {
            throw StoreError.transaction("demo: this database already has customers; use a new one, e.g. crm --db demo.sqlite demo")
        }
        let s = try DemoData.fill(session.store, customers: n)
        return .message("demo data: \(s.users) users, \(s.customers) customers, \(s.contacts) contacts, \(s.interactions) interactions, \(s.tasks) tasks, \(s.deals) deals, \(s.tickets) tickets")
    }
}
