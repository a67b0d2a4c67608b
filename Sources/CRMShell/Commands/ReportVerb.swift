import CRMCore
import CRMLua

/// `report <name> [param=value …] [to FILE]`: runs a plugin's report, shown or written to a file.
struct ReportVerb: Verb {
    let name = "report"
    let summary = "run a plugin's report: report <name> [param=value …] [to <file>]"
    let usage = ["report <name> [param=value …] [to <file>]"]
    let details = """
        Parameters are typed like field values (dates as 2026-11-22, today, -7d);
        missing ones take their defaults. Every output format works; a chart is drawn
        in table, vertical and markdown formats.

        to FILE writes the report to a file instead, in the format of its extension:
        .csv, .json, .ndjson (the rows), .md (Markdown), .txt (the table and chart as
        shown here, never cut) or .html: one self-contained page with the report's
        title, parameters and time made, its tables, and its charts drawn as SVG, that
        reads on a phone and needs nothing else (send it, open it anywhere). The file is
        private to you (mode 0600) and appears only when complete.

        Example:
          reports
          report referrals from=-30d
          report referrals from=2026-01-01 to=today to referrals.html
          crm -c 'report referrals' --format csv      (from the system shell)
        """
    let completion = CompletionShape.report

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let name = try args.word("a report name (see: reports)").text
        // The core's customer analyses are reports too (`report abc from=…`), unless a
        // plugin has a report of that name.
        if session.plugins?.report(named: name) == nil, let analysis = AnalysisVerb.named(name) {
            return try analysis.run(&args, session)
        }
        let host = try session.pluginHost()
        var arguments: [String: String] = [:]
        var file: Token?
        while !args.atEnd {
            // `to FILE` ends the parameters; `to=…` is a parameter named to.
            if args.isKeyword("to"), !Self.followedByEquals(args) {
                _ = args.next()
                file = try args.word("the file to write after 'to'")
                try args.expectEnd(usageLine)
                break
            }
            let field = try args.word("param=value or 'to <file>'")
            guard let eq = args.peek, eq.kind == .symbol, eq.text == "=" else {
                throw SyntaxError(message: "expected '=' after '\(field.text)' (write param=value, or to <file>)", position: args.position)
            }
            _ = args.next()
            arguments[field.text] = (args.atEnd || args.peek!.spaceBefore) ? "" : args.gluedValue().text
        }
        guard let file else { return try host.runReport(name, arguments: arguments) }
        guard let format = ReportFile.format(of: file.text) else {
            throw SyntaxError(message: "cannot tell the format of '\(file.text)': use a \(ReportFile.extensions) file",
                              position: file.position)
        }
        let output = try host.runReport(name, arguments: arguments)
        if FileWrites.suppressed(session) { return .message("dry run: would write report \(name) to \(file.text)") }
        let heading = Self.heading(name, arguments: arguments, host: host, store: session.store)
        try ReportFile.write(output, format: format, heading: heading, to: file.text)
        return .message("wrote report \(name) to \(file.text)")
    }

    static func followedByEquals(_ args: TokenCursor) -> Bool {
        let next = args.index + 1
        return next < args.tokens.count && args.tokens[next].kind == .symbol && args.tokens[next].text == "="
    }

    /// The report's label, and each parameter with the value it ran with (typed like the
    /// report saw it: `from=-30d` shows the date).
    static func heading(_ name: String, arguments: [String: String], host: PluginHost, store: CRMStore) -> HTMLReportHeading {
        let report = host.report(named: name)
        let parser = ValueParser(clock: store.clock)
        var parameters: [(name: String, value: String)] = []
        for p in report?.parameters ?? [] {
            guard let text = arguments[p.name] ?? p.defaultText else { continue }
            var shown = text
            if case .reference = p.type {} else if let value = try? parser.parse(text, as: p.type) { shown = value.displayText }
            parameters.append((p.name, shown))
        }
        return HTMLReportHeading(title: report?.label ?? name, name: name, plugin: report?.plugin, parameters: parameters,
                                 made: ReportFile.localTime(epochSeconds: store.clock.now()))
    }
}
