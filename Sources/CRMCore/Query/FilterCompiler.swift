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

    struct Compiled {
        var sql: String
        var arguments: [DatabaseValue]
    }

    func compile(_ filter: Filter?) throws -> Compiled {
        guard let filter else { return Compiled(sql: "1", arguments: []) }
        var arguments: [DatabaseValue] = []
        let sql = try condition(filter, &arguments)
        return Compiled(sql: sql, arguments: arguments)
    }

    func fieldType(_ ref: FieldRef) throws -> FieldType {
        if let t = entity.type(of: ref.name) { return t }
        let hint = NameSuggestion.hint(for: ref.name, in: entity.allFieldNames)
        throw QueryError("\(entity.name) has no field '\(ref.name)'\(hint)", position: ref.position)
    }

    func condition(_ filter: Filter, _ args: inout [DatabaseValue]) throws -> String {
        switch filter {
        case .and(let a, let b):
            return "(\(try condition(a, &args)) AND \(try condition(b, &args)))"
        case .or(let a, let b):
            return "(\(try condition(a, &args)) OR \(try condition(b, &args)))"
        case .not(let a):
            return "NOT (\(try condition(a, &args)))"
        case .isNull(let ref, let negated):
            _ = try fieldType(ref)
            return "\(quoted(ref.name)) IS \(negated ? "NOT " : "")NULL"
        case .contains(let ref, let literal):
            let type = try fieldType(ref)
            args.append(("%" + escapeLike(literal.text) + "%").databaseValue)
            let column = type.sqlType == "TEXT" ? quoted(ref.name) : "CAST(\(quoted(ref.name)) AS TEXT)"
            return "\(column) LIKE ? ESCAPE '\\'"
        case .isIn(let ref, let literals):
            let type = try fieldType(ref)
            var parts: [String] = []
            for literal in literals {
                parts.append(try comparison(ref, type, .eq, literal, &args))
            }
            return parts.isEmpty ? "0" : "(" + parts.joined(separator: " OR ") + ")"
        case .compare(let ref, let op, let literal):
            return try comparison(ref, try fieldType(ref), op, literal, &args)
        }
    }

    func comparison(_ ref: FieldRef, _ type: FieldType, _ op: CompareOp, _ literal: Literal,
                    _ args: inout [DatabaseValue]) throws -> String {
        let column = quoted(ref.name)
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
            return op == .ne ? "\(column) IS NOT NULL" : (op == .eq ? "\(column) IS NULL" : "0")
        }
        args.append(value.databaseValue(for: type))
        // `!=` keeps records where the field is empty: "city != 上海" includes no-city customers.
        return op == .ne ? "\(column) IS NOT ?" : "\(column) \(op.rawValue) ?"
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
