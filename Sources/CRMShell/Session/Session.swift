import CRMCore
import CRMLua
import Foundation

/// The state one shell run shares between commands: the store, the output mode, the verbs.
public final class Session {
    public let store: CRMStore
    public let verbs: VerbRegistry
    public var format: OutputFormat
    /// When table output is shown vertically (`expanded`).
    public var expanded: ExpandedMode = .auto
    /// Whether long output at the prompt goes through a pager (`pager`).
    public var pager: PagerMode = .auto
    /// The columns `list` shows, per entity, set by `columns` (see `ColumnChoice`).
    public var columns: [String: ColumnChoice] = [:]
    /// `--dry-run`: verbs that write files say what they would write instead.
    public var dryRun = false
    /// True at the interactive prompt.
    public var interactive: Bool
    /// `--atomic`: imports are all or nothing.
    public var atomic: Bool
    /// Where notes that are not results go (stderr): import rejects, warnings.
    public var note: (String) -> Void
    /// Set by `quit`.
    public var quitRequested = false
    /// The Lua plugins of this run, when loaded. Asking for them starts deferred ones.
    public var plugins: PluginHost? {
        if deferredPlugins != nil { try? startDeferredPlugins() }
        return attachedPlugins
    }
    var attachedPlugins: PluginHost?
    /// Plugins whose start waits for the first command that needs them (`defer(_:start:)`).
    var deferredPlugins: (host: PluginHost, start: () throws -> Void)?
    /// Why starting the deferred plugins failed, reported by every command that needs them.
    var deferredFailure: Error?
    /// `timing`, `output to`, `confirm` and the prompt's hooks.
    public let prompt = PromptState()

    public init(store: CRMStore, verbs: VerbRegistry = VerbRegistry(), format: OutputFormat = .table,
                interactive: Bool = false, atomic: Bool = false, note: @escaping (String) -> Void = { _ in }) {
        self.store = store
        self.verbs = verbs
        self.format = format
        self.interactive = interactive
        self.atomic = atomic
        self.note = note
        (store as? WarningSink)?.warn = { [weak self] in self?.note($0) }
    }

    /// Hands the plugin host the shell's filter language and adds the plugins' verbs.
    public func attach(_ host: PluginHost) throws {
        attachedPlugins = host
        host.parseFilter = { text in try Session.parseFilter(text) }
        host.parseOrder = { text in try Session.parseOrder(text) }
        try refreshPluginVerbs()
    }

    /// Attaches plugins that are not started yet: `start` runs (then they are attached)
    /// before the first command that is not one of `verbsWithoutPlugins`, or when anything
    /// asks for `plugins`. For runs whose stored schema is known to be what the plugins
    /// would install (see `PluginHost.startStampMatches`).
    public func attach(deferred host: PluginHost, start: @escaping () throws -> Void) {
        deferredPlugins = (host, start)
    }

    /// Commands that read only stored records and the stored schema, and write nothing:
    /// they run without starting deferred plugins. (Every other command, a plugin's own
    /// among them, starts them first; so does anything asking for `plugins`.)
    static let verbsWithoutPlugins: Set<String> = ["count", "list", "find", "entities", "describe", "history"]

    /// Starts and attaches deferred plugins, once; a failure is thrown now and again by
    /// every later command that needs them.
    public func startDeferredPlugins() throws {
        if let deferredFailure { throw deferredFailure }
        guard let (host, start) = deferredPlugins else { return }
        deferredPlugins = nil
        do {
            try start()
            try attach(host)
        } catch {
            deferredFailure = error
            throw error
        }
    }

    /// Replaces the verbs plugins added with the ones loaded now.
    func refreshPluginVerbs() throws {
        verbs.unregister { $0 is PluginCommandVerb }
        for c in plugins?.commands ?? [] {
            if let existing = verbs.verb(named: c.name), !(existing is PluginCommandVerb) {
                note("plugin \(c.plugin): command '\(c.name)' (\(c.location)) is a built-in command's name; skipped")
                continue
            }
            verbs.register(PluginCommandVerb(definition: c))
        }
    }

    /// A filter in the shell's language, as plugins pass it (`city = 上海 and stage = growth`).
    public static func parseFilter(_ text: String) throws -> Filter {
        let tokens = try Lexer.tokenize(text)
        let (filter, next) = try FilterParser.parse(tokens, from: 0)
        if next < tokens.count {
            throw SyntaxError(message: "unexpected '\(tokens[next].text)' in the filter '\(text)'", position: tokens[next].position)
        }
        return filter
    }

    /// `name desc, created` as sort keys.
    public static func parseOrder(_ text: String) throws -> [SortKey] {
        let tokens = try Lexer.tokenize("order by " + text)
        var cursor = TokenCursor(tokens: tokens, index: 0, endPosition: text.count + 9)
        let clauses = try QueryClauses.parse(&cursor, allowLimit: false)
        try cursor.expectEnd("order = \"field [desc], …\"")
        return clauses.order
    }

    /// Runs one command line (continuation lines already joined) and returns its result.
    public func execute(_ line: String) throws -> Output {
        let started = DispatchTime.now().uptimeNanoseconds
        defer { prompt.lastDuration = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        // Lua is handed over raw: `#`, quotes and brackets mean Lua things there. Its reads
        // and writes are one write transaction, as a command's are: a read-modify-write
        // cannot lose an update to another crm writing at the same time.
        let trimmed = line.drop { $0.isWhitespace }
        if trimmed.hasPrefix("=") {
            let host = try pluginHost()
            return try store.atomically { try host.show(String(trimmed.dropFirst())) }
        }
        if trimmed.hasPrefix("lua"), trimmed.count == 3 || trimmed.dropFirst(3).first?.isWhitespace == true {
            let code = trimmed.dropFirst(3).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !code.isEmpty else { throw SyntaxError(message: "usage: lua <code>", position: line.count) }
            let host = try pluginHost()
            return try store.atomically { try host.evaluate(code) }
        }
        let tokens = try Lexer.tokenize(line)
        guard let first = tokens.first else { return .none }
        if deferredPlugins != nil, !(first.kind == .word && Session.verbsWithoutPlugins.contains(first.text)) {
            try startDeferredPlugins()
        }
        guard first.kind == .word, let verb = verbs.verb(named: first.text) else {
            let hint = NameSuggestion.hint(for: first.text, in: verbs.names)
            throw SyntaxError(message: "unknown command '\(first.text)'\(hint); type help for the list", position: first.position)
        }
        var cursor = TokenCursor(tokens: tokens, index: 1, endPosition: line.count)
        // The access log names the command that showed private fields (show, export…).
        (store as? AccessControlled)?.accessPurpose = verb.name
        return try verb.run(&cursor, self)
    }

    /// Reads the entity name that starts most commands.
    func entity(_ args: inout TokenCursor) throws -> EntityDefinition {
        let t = try args.word("an entity name (one of: \(store.schema.names.joined(separator: ", ")))")
        do {
            return try store.schema.require(t.text)
        } catch let error as StoreError {
            throw Located(error, position: t.position)
        }
    }

    /// Parses `field=value` pairs into typed values for an entity.
    func values(_ e: EntityDefinition, _ args: inout TokenCursor) throws -> [String: Value] {
        var values: [String: Value] = [:]
        for (field, text, position) in try args.assignments() {
            do {
                values[field.text] = try store.parseValue(entity: e.name, field: field.text, text: text)
            } catch let error as StoreError {
                if case .unknownField = error { throw Located(error, position: field.position) }
                if case .readOnlyField = error { throw Located(error, position: field.position) }
                throw Located(error, position: position)
            }
        }
        return values
    }
}

/// An error from a lower layer together with where in the command line it points.
public struct Located: Error {
    public var error: Error
    public var position: Int?

    public init(_ error: Error, position: Int?) {
        self.error = error
        self.position = position
    }
}
