import CRMCore

/// The state one shell run shares between commands: the store, the output mode, the verbs.
public final class Session {
    public let store: CRMStore
    public let verbs: VerbRegistry
    public var format: OutputFormat
    /// True at the interactive prompt.
    public var interactive: Bool
    /// `--atomic`: imports are all or nothing.
    public var atomic: Bool
    /// Where notes that are not results go (stderr): import rejects, warnings.
    public var note: (String) -> Void
    /// Set by `quit`.
    public var quitRequested = false

    public init(store: CRMStore, verbs: VerbRegistry = VerbRegistry(), format: OutputFormat = .table,
                interactive: Bool = false, atomic: Bool = false, note: @escaping (String) -> Void = { _ in }) {
        self.store = store
        self.verbs = verbs
        self.format = format
        self.interactive = interactive
        self.atomic = atomic
        self.note = note
    }

    /// Runs one command line (continuation lines already joined) and returns its result.
    public func execute(_ line: String) throws -> Output {
        let tokens = try Lexer.tokenize(line)
        guard let first = tokens.first else { return .none }
        guard first.kind == .word, let verb = verbs.verb(named: first.text) else {
            let hint = NameSuggestion.hint(for: first.text, in: verbs.names)
            throw SyntaxError(message: "unknown command '\(first.text)'\(hint); type help for the list", position: first.position)
        }
        var cursor = TokenCursor(tokens: tokens, index: 1, endPosition: line.count)
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
