import GRDB

/// The few things SQLite and PostgreSQL spell differently in the SQL crm generates.
///
/// Placeholders stay `?` in both: the PostgreSQL store numbers them (`$1`, `$2` …) when
/// it sends a statement.
public enum SQLDialect: Sendable {
    case sqlite, postgres

    /// A condition that always holds (`WHERE 1` is an error in PostgreSQL).
    var alwaysTrue: String { self == .sqlite ? "1" : "TRUE" }
    var alwaysFalse: String { self == .sqlite ? "0" : "FALSE" }
    /// `a IS NOT ?` compares with NULL as a value in SQLite; PostgreSQL's `IS NOT` takes
    /// only NULL, TRUE or FALSE, and says `IS DISTINCT FROM`.
    var isDistinctFrom: String { self == .sqlite ? "IS NOT" : "IS DISTINCT FROM" }
}

/// What a run changed, from the audit history (`--dry-run` says it before rolling back).
public protocol AuditSummary: AnyObject {
    /// The id of the newest audit row.
    func lastAuditID() throws -> Int64
    /// What was written since an audit id: (action, entity, records), in order.
    func changes(since auditID: Int64) throws -> [(action: String, entity: String, count: Int)]
}

extension SQLiteStore: AuditSummary {}

/// A filter compiled for another store: SQL with `?` placeholders and its arguments as
/// the text a server parses (nil is NULL; money in stored units; yes/no as 1 and 0).
public struct PortableCondition: Sendable {
    public var sql: String
    public var arguments: [String?]
}

/// The parts of the SQLite store's write and read paths that do not depend on SQLite,
/// for a second store behind `CRMStore` (the PostgreSQL one): one filter grammar, one
/// find-gram rule, one value check, one rule chain.
public enum StoreParts {
    /// Compiles a filter on `entity` (segments are not available: `in SEGMENT` is refused).
    /// `lookup` finds the records a reference key (`group = G001`) names, as on SQLite;
    /// `comparedAs` gives the expression a field is compared through instead of its column.
    public static func compile(_ filter: Filter?, entity: EntityDefinition, schema: Schema, clock: Clock,
                               dialect: SQLDialect,
                               lookup: ((EntityDefinition, String) throws -> ReferenceMatches)? = nil,
                               segments: ((String) throws -> SegmentDefinition?)? = nil,
                               comparedAs: [String: String] = [:]) throws -> PortableCondition {
        var compiler = FilterCompiler(schema: schema, entity: entity, parser: ValueParser(clock: clock))
        compiler.dialect = dialect
        compiler.comparedAs = comparedAs
        compiler.lookup = lookup
        compiler.segments = segments
        let compiled = try compiler.compile(filter)
        return PortableCondition(sql: compiled.sql, arguments: compiled.arguments.map(text))
    }

    /// A stored SQLite value as text for a server.
    static func text(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .null, .blob: return nil
        case .int64(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        }
    }

    /// `%`, `_` and `\` escaped for `LIKE … ESCAPE '\'`.
    public static func escapeLike(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "%" || c == "_" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// The find grams of a record's searched texts (two characters of CJK, three of
    /// letters and digits, shorter runs whole), as the SQLite find index stores them.
    public static func findGrams(of texts: [String]) -> [String] {
        let joined = FindIndex.grams(of: texts)
        return joined.isEmpty ? [] : joined.split(separator: " ").map(String.init)
    }

    /// The grams a `find` query needs; empty when it is too short for the index.
    public static func queryGrams(_ text: String) -> [String] { FindIndex.queryGrams(text) }

    /// Required, range, pattern and length of one value of a field.
    public static func check(_ value: Value, field: FieldDefinition, entity: String) throws {
        try Validation.check(value, field: field, entity: entity)
    }

    /// The rules watching this write: the core modules' for the entity, then the plugins'.
    /// Nil when none do.
    public static func rules(for action: WriteAction, _ entity: String, core: [CoreRule], plugins: WriteRules?,
                             store: CRMStore) -> WriteRules? {
        let mine = core.filter { $0.entity == entity && $0.actions.contains(action) }
        if mine.isEmpty { return plugins.flatMap { $0.watches(action, entity) ? $0 : nil } }
        return RuleChain(core: mine, plugins: plugins, store: store)
    }

    /// A lowercase identifier of at most 64 characters (entity and field names).
    public static func isIdentifier(_ s: String) -> Bool { SQLiteStore.isIdentifier(s) }
}

/// What turns typed text into a field's value, the same in every store: the store gives
/// its parser and how it resolves a reference typed as an id or a title.
public protocol ValueParsingStore: CRMStore {
    var parser: ValueParser { get }
    /// The id of the `target` record that `text` names (`42`, `#42` or a title).
    func resolveReference(_ e: EntityDefinition, _ f: FieldDefinition, target: String, text: String) throws -> Value
}

extension ValueParsingStore {
    public func parseValue(entity: String, field: String, text: String) throws -> Value {
        let e = try schema.require(entity)
        guard let f = e.field(field) else {
            if EntityDefinition.systemFields.contains(field) { throw StoreError.readOnlyField(entity: e.name, field: field) }
            throw StoreError.unknownField(entity: e.name, field: field,
                                          suggestion: NameSuggestion.closest(to: field, in: e.fields.map(\.name)))
        }
        return try parseValue(text, field: f, of: e)
    }

    public func parseValue(_ text: String, field f: FieldDefinition, of e: EntityDefinition) throws -> Value {
        if case .reference(let target) = f.type, !text.isEmpty {
            return try resolveReference(e, f, target: target, text: text)
        }
        do {
            return try parser.parse(text, as: f.type)
        } catch let failure as ValueParser.Failure {
            if let allowed = failure.allowed {
                throw StoreError.unknownEnumValue(entity: e.name, field: f.name, value: text, allowed: allowed)
            }
            if let range = failure.range {
                throw StoreError.outOfRange(entity: e.name, field: f.name, value: StoreError.clip(text), bound: range)
            }
            throw StoreError.invalidValue(entity: e.name, field: f.name, value: text, expected: f.type.expectation)
        }
    }
}

extension SQLiteStore: ValueParsingStore {}
