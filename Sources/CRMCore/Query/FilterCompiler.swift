import GRDB

/// Turns a `Filter` into a SQL condition with bound arguments for one entity.
///
/// Field names are checked against the entity and literals converted by the field's
/// type; values are always bound, never pasted into SQL. Dates compare by local day:
/// `created = today` is the whole day, `created >= -7d` starts at that day's midnight.
struct FilterCompiler {
    var schema: Schema
    var entity: EntityDefinition
    var parser: ValueParser
    /// Looks a reference key up (`group = G001`); nil compares titles in a subquery.
    var lookup: ((EntityDefinition, String) throws -> ReferenceMatches)?
    /// Finds a segment by name (`in vip-shanghai`); nil where segments cannot be used.
    var segments: ((String) throws -> SegmentDefinition?)?
    /// The segments being expanded around this filter: a segment that uses itself is refused.
    var expanding: [String] = []
    /// The SQL spelling of the few things SQLite and PostgreSQL write differently.
    var dialect: SQLDialect = .sqlite
    /// Fields compared through an expression rather than their column (PostgreSQL under an
    /// access policy: a private number shown as text, compared as a number).
    var comparedAs: [String: String] = [:]

    struct Compiled {
        var sql: String
        var arguments: [DatabaseValue]
    }

    func compile(_ filter: Filter?) throws -> Compiled {
        guard let filter else { return Compiled(sql: dialect.alwaysTrue, arguments: []) }
        var arguments: [DatabaseValue] = []
        var conditions = 0
        let node = try tree(filter, &arguments, depth: 0, conditions: &conditions)
        return Compiled(sql: try node.negationsPushedDown().sql(), arguments: arguments)
    }

    /// The operands of a chain of `and` (or `or`) nodes, left to right, however it nests:
    /// `a or b or c` parses as `(a or b) or c`, and is compiled as one list.
    static func chain(_ filter: Filter, and: Bool) -> [Filter] {
        var out: [Filter] = []
        var pending = [filter]  // a stack, right operand pushed first: no recursion
        while let f = pending.popLast() {
            switch f {
            case .and(let a, let b) where and: pending += [b, a]
            case .or(let a, let b) where !and: pending += [b, a]
            default: out.append(f)
            }
        }
        return out
    }

    /// The filter as a tree of SQL conditions, arguments bound left to right.
    func tree(_ filter: Filter, _ args: inout [DatabaseValue], depth: Int, conditions: inout Int) throws -> SQLCondition {
        // The shell's parser refuses these first; filters built in code meet the same limits.
        // (Parenthesised chains add a node per level: twice the parser's limit never refuses its output.)
        guard depth <= 2 * FilterLimits.maxDepth + 1 else { throw QueryError(FilterLimits.depthMessage()) }
        switch filter {
        case .and, .or:
            let isAnd: Bool
            if case .and = filter { isAnd = true } else { isAnd = false }
            var parts: [SQLCondition] = []
            for operand in Self.chain(filter, and: isAnd) {
                parts.append(try tree(operand, &args, depth: depth + 1, conditions: &conditions))
            }
            return isAnd ? .all(parts) : .any(parts)
        case .not(let a):
            return .not(try tree(a, &args, depth: depth + 1, conditions: &conditions))
        case .segment(let name, let position):
            conditions += 1
            guard conditions <= FilterLimits.maxConditions else { throw QueryError(FilterLimits.conditionsMessage()) }
            return try segmentCondition(name, position: position, &args, depth: depth, conditions: &conditions)
        case .isIn(let ref, let literals):
            conditions += max(literals.count, 1)
            guard conditions <= FilterLimits.maxConditions else { throw QueryError(FilterLimits.conditionsMessage()) }
            let type = try fieldType(ref)
            var parts: [SQLCondition] = []
            for literal in literals {
                parts.append(.leaf(try comparison(ref, type, .eq, literal, &args)))
            }
            return parts.isEmpty ? .leaf(dialect.alwaysFalse) : .any(parts)
        default:
            conditions += 1
            guard conditions <= FilterLimits.maxConditions else { throw QueryError(FilterLimits.conditionsMessage()) }
            return .leaf(try condition(filter, &args))
        }
    }

    func fieldType(_ ref: FieldRef) throws -> FieldType {
        if let t = entity.type(of: ref.name) { return t }
        let hint = NameSuggestion.hint(for: ref.name, in: entity.allFieldNames)
        throw QueryError("\(entity.name) has no field '\(ref.name)'\(hint)", position: ref.position)
    }

    /// One comparison as SQL.
    func condition(_ filter: Filter, _ args: inout [DatabaseValue]) throws -> String {
        switch filter {
        case .and, .or, .not, .isIn, .segment:
            preconditionFailure("compiled by tree(_:)")
        case .isNull(let ref, let negated):
            _ = try fieldType(ref)
            return "\(quoted(ref.name)) IS \(negated ? "NOT " : "")NULL"
        case .contains(let ref, let literal):
            let type = try fieldType(ref)
            args.append(("%" + escapeLike(literal.text) + "%").databaseValue)
            let column = type.sqlType == "TEXT" ? quoted(ref.name) : "CAST(\(quoted(ref.name)) AS TEXT)"
            return "\(column) LIKE ? ESCAPE '\\'"
        case .compare(let ref, let op, let literal):
            return try comparison(ref, try fieldType(ref), op, literal, &args)
        }
    }

    func comparison(_ ref: FieldRef, _ type: FieldType, _ op: CompareOp, _ literal: Literal,
                    _ args: inout [DatabaseValue]) throws -> String {
        let column = comparedAs[ref.name] ?? quoted(ref.name)
        if !literal.quoted && literal.text.lowercased() == "null" {
            switch op {
            case .eq: return "\(column) IS NULL"
            case .ne: return "\(column) IS NOT NULL"
            default: throw QueryError("use 'is null' or 'is not null' to test for empty \(ref.name)", position: literal.position)
            }
        }
        if case .datetime = type, !literal.quoted, let day = RelativeDate.day(literal.text, today: parser.clock.today) {
            return dayComparison(column, op, day, &args)
        }
        if case .reference(let target) = type, let lookup, let t = schema.entity(named: target) {
            return try referenceComparison(column, ref, op, literal, target: t, lookup: lookup, &args)
        }
        if case .reference(let target) = type, Int64(literal.text) == nil,
           let t = schema.entity(named: target), let titleField = t.titleField {
            args.append(literal.text.databaseValue)
            let sub = "(SELECT id FROM \(quoted(target)) WHERE \(quoted(titleField)) = ?)"
            switch op {
            case .eq: return "\(column) IN \(sub)"
            case .ne: return "(\(column) IS NULL OR \(column) NOT IN \(sub))"
            default: throw QueryError("\(ref.name) is a reference: compare it with = or != only", position: literal.position)
            }
        }
        let value: Value
        do {
            value = try parser.parse(literal.text, as: type)
        } catch let failure as ValueParser.Failure {
            if let range = failure.range {
                throw QueryError("\(entity.name).\(ref.name): \(StoreError.clip(literal.text)) is out of range (\(range))",
                                 position: literal.position)
            }
            let expected = failure.allowed.map { "one of: " + $0.joined(separator: ", ") } ?? type.expectation
            throw QueryError("\(entity.name).\(ref.name): '\(literal.text)' is not valid, expected \(expected)",
                             position: literal.position)
        }
        if value.isNull {
            return op == .ne ? "\(column) IS NOT NULL" : (op == .eq ? "\(column) IS NULL" : dialect.alwaysFalse)
        }
        args.append(value.databaseValue(for: type))
        // `!=` keeps records where the field is empty: "city != 上海" includes no-city customers.
        return op == .ne ? "\(column) \(dialect.isDistinctFrom) ?" : "\(column) \(op.rawValue) ?"
    }

    /// A reference against an id or a key, by the rule in `ReferenceText`: a key that
    /// names records by different fields is an error, one that names none matches nothing.
    func referenceComparison(_ column: String, _ ref: FieldRef, _ op: CompareOp, _ literal: Literal, target: EntityDefinition,
                             lookup: (EntityDefinition, String) throws -> ReferenceMatches,
                             _ args: inout [DatabaseValue]) throws -> String {
        guard op == .eq || op == .ne else {
            throw QueryError("\(ref.name) is a reference: compare it with = or != only", position: literal.position)
        }
        let ids: [Int64]
        switch ReferenceText.read(literal.text, target: target) {
        case nil:
            throw QueryError("\(entity.name).\(ref.name): '\(literal.text)' is not valid, expected a record id after # or id: (#3)",
                             position: literal.position)
        case .id(let id):
            ids = [id]
        case .key(let key):
            let matches = try lookup(target, key)
            if matches.isAmbiguousForFilter {
                throw QueryError("\(entity.name).\(ref.name): \(matches.ambiguous)", position: literal.position)
            }
            ids = matches.ids
        }
        guard !ids.isEmpty else { return op == .eq ? dialect.alwaysFalse : dialect.alwaysTrue }
        args += ids.map(\.databaseValue)
        let list = "(" + Array(repeating: "?", count: ids.count).joined(separator: ", ") + ")"
        return op == .eq ? "\(column) IN \(list)" : "(\(column) IS NULL OR \(column) NOT IN \(list))"
    }

    /// A datetime column against a whole local day.
    func dayComparison(_ column: String, _ op: CompareOp, _ day: Int, _ args: inout [DatabaseValue]) -> String {
        let start = DateCodec.utcText(epochSeconds: DateCodec.localMidnight(days: day))
        let end = DateCodec.utcText(epochSeconds: DateCodec.localMidnight(days: day + 1))
        switch op {
        case .eq:
            args += [start.databaseValue, end.databaseValue]
            return "(\(column) >= ? AND \(column) < ?)"
        case .ne:
            args += [start.databaseValue, end.databaseValue]
            return "(\(column) IS NULL OR \(column) < ? OR \(column) >= ?)"
        case .gt, .ge:
            args.append(start.databaseValue)
            return "\(column) >= ?"
        case .lt:
            args.append(start.databaseValue)
            return "\(column) < ?"
        case .le:
            args.append(end.databaseValue)
            return "\(column) < ?"
        }
    }

    func escapeLike(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "%" || c == "_" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
