import CRMCore
import CRMLua

/// A typed parameter of an analysis (`from=2026-01-01`, `limit=20`).
struct AnalysisParameter {
    var name: String
    var type: FieldType
    var defaultText: String?
    var label: String
}

/// What an analysis runs with: the store, the purchases through the declared value
/// sources, the settings, and its typed arguments.
struct AnalysisContext {
    let session: Session
    var store: CRMStore { session.store }
    let arguments: [String: Value]
    /// `--apply` or `apply=yes`: write the results back.
    let apply: Bool

    var settings: AnalyticsSettings { get throws { try AnalyticsSettings(store: store) } }
    var today: Int { store.clock.today }

    /// Purchases through the loaded plugins' value sources (won deals when none declares one).
    func purchases() throws -> Purchases {
        try Purchases(store: store, sources: session.plugins?.valueSources ?? [])
    }

    func day(_ name: String) -> Int? {
        guard case .date(let text)? = arguments[name] else { return nil }
        return DateCodec.days(ofDate: text)
    }

    func integer(_ name: String) -> Int? {
        guard case .integer(let i)? = arguments[name] else { return nil }
        return Int(i)
    }

    func text(_ name: String) -> String? {
        guard case .text(let s)? = arguments[name] else { return nil }
        return s
    }

    /// `from=`/`to=` as a period, `to` defaulting to today.
    var period: Purchases.Period { Purchases.Period(from: day("from"), to: day("to") ?? today) }

    /// The id of the user named by a parameter (a name or an id).
    func user(_ name: String) throws -> Int64? {
        guard let text = text(name) ?? integer(name).map(String.init) else { return nil }
        if let id = Int64(text) { return id }
        let rows = try store.list(Query(entity: "user", filter: .compare(FieldRef("name"), .eq, Literal(text, quoted: true)),
                                        limit: 2, fields: ["id"]))
        guard rows.rows.count == 1, case .integer(let id) = rows.rows[0][0] else {
            throw ScriptError(rows.rows.isEmpty ? "\(name)=\(text): no user is named '\(text)'"
                                                : "\(name)=\(text): several users are named '\(text)'; give the id")
        }
        return id
    }
}

extension AnalysisVerb {
    /// The core's analyses, which `reports` lists and `report NAME` runs as well.
    static var all: [AnalysisVerb] {
        [AnalyticsABC.verb, AnalyticsRFM.verb, AnalyticsLifecycle.verb, AnalyticsChurn.verb, AnalyticsLoyalty.verb,
         AnalyticsSatisfaction.verb, HealthVerb.verb] + [ReceivablesReport.verb, MarginReport.verb, SLAReport.verb] + SalesReports.all
    }

    static func named(_ name: String) -> AnalysisVerb? { all.first { $0.name == name || $0.aliases.contains(name) } }
}

/// One customer analysis as a shell verb: `name [param=value …] [--apply] [to FILE]`,
/// parameters typed like a report's, every output format, `to FILE` like `report`.
struct AnalysisVerb: Verb {
    let name: String
    let aliases: [String]
    let summary: String
    let usage: [String]
    let details: String
    let parameters: [AnalysisParameter]
    /// Whether `--apply` writes something back.
    let writes: Bool
    let body: (AnalysisContext) throws -> Output
    var completion: CompletionShape { .parameters(parameters.map { p in
        if case .enumeration(let c) = p.type { return (p.name, c, nil) }
        if case .bool = p.type { return (p.name, ["yes", "no"], nil) }
        return (p.name, [], nil)
    }) }

    init(name: String, aliases: [String] = [], summary: String, details: String, parameters: [AnalysisParameter],
         writes: Bool = false, body: @escaping (AnalysisContext) throws -> Output) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        let shown = parameters.map { "[\($0.name)=…]" }.joined(separator: " ")
        self.usage = ["\(name) \(shown)\(writes ? " [--apply]" : "") [to <file>]"]
        self.details = details + "\n\nParameters:\n" + parameters.map {
            "  \($0.name)=\($0.type.expectation)\($0.defaultText.map { " (default \($0))" } ?? ""): \($0.label)"
        }.joined(separator: "\n")
        self.parameters = parameters + (writes ? [AnalysisParameter(name: "apply", type: .bool, defaultText: "no",
                                                                    label: "write the results back (same as --apply)")] : [])
        self.writes = writes
        self.body = body
    }

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        var texts: [String: String] = [:]
        var apply = false
        var file: Token?
        while !args.atEnd {
            if args.isKeyword("to"), !ReportVerb.followedByEquals(args) {
                _ = args.next()
                file = try args.word("the file to write after 'to'")
                try args.expectEnd(usageLine)
                break
            }
            let start = args.index
            let glued = args.gluedValue()
            if glued.text == "--apply", writes {
                apply = true
                continue
            }
            args.index = start
            let field = try args.word("param=value\(writes ? ", --apply" : "") or 'to <file>'")
            guard let eq = args.peek, eq.kind == .symbol, eq.text == "=" else {
                throw SyntaxError(message: "expected '=' after '\(field.text)' (write param=value\(writes ? ", --apply" : ""), or to <file>)",
                                  position: args.position)
            }
            _ = args.next()
            texts[field.text] = (args.atEnd || args.peek!.spaceBefore) ? "" : args.gluedValue().text
        }
        let arguments = try typed(texts, store: session.store)
        if case .bool(true)? = arguments["apply"] { apply = true }
        if apply, FileWrites.suppressed(session) || session.dryRun {
            return .message("dry run: would run \(name) and write its results")
        }
        let output = try body(AnalysisContext(session: session, arguments: arguments, apply: apply))
        guard let file else { return output }
        guard let format = ReportFile.format(of: file.text) else {
            throw SyntaxError(message: "cannot tell the format of '\(file.text)': use a \(ReportFile.extensions) file",
                              position: file.position)
        }
        if FileWrites.suppressed(session) { return .message("dry run: would write \(name) to \(file.text)") }
        let heading = HTMLReportHeading(title: summary, name: name, plugin: nil,
                                        parameters: parameters.compactMap { p in
                                            (texts[p.name] ?? p.defaultText).map { (p.name, arguments[p.name]?.displayText ?? $0) }
                                        },
                                        made: ReportFile.localTime(epochSeconds: session.store.clock.now()))
        try ReportFile.write(output, format: format, heading: heading, to: file.text)
        return .message("wrote \(name) to \(file.text)")
    }

    /// Checks the arguments against the parameters and types them; defaults fill the rest.
    func typed(_ texts: [String: String], store: CRMStore) throws -> [String: Value] {
        for key in texts.keys.sorted() where !parameters.contains(where: { $0.name == key }) {
            let hint = NameSuggestion.hint(for: key, in: parameters.map(\.name))
            throw ScriptError("\(name) has no parameter '\(key)'\(hint); its parameters: \(parameters.map(\.name).joined(separator: ", "))")
        }
        let parser = ValueParser(clock: store.clock)
        var out: [String: Value] = [:]
        for p in parameters {
            guard let text = texts[p.name] ?? p.defaultText, !text.isEmpty else { continue }
            do { out[p.name] = try parser.parse(text, as: p.type) } catch {
                throw ScriptError("\(name): \(p.name)='\(text)' is not \(p.type.expectation)")
            }
        }
        return out
    }
}
