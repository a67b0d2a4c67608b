import CRMCore

/// `format [mode]`: shows or sets how results are printed.
struct FormatVerb: Verb {
    let name = "format"
    let summary = "show or set the output mode: table, vertical, csv, json, ndjson, markdown"
    let usage = ["format [table|vertical|csv|json|ndjson|markdown]"]
    let details = """
        table cuts long values with … to fit the terminal; the other modes never cut.
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
