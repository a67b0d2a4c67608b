import Foundation
import CRMCore

extension PostgresStore {
    public func select(sql: String, arguments: [Value]) throws -> ResultTable {
        try select(sql: sql, arguments: arguments, scope: nil, shouldStop: nil)
    }

    /// One SELECT (or `WITH … SELECT`, `VALUES`) with bound arguments, for reports and plugins.
    ///
    /// Refused before it runs: anything not led by SELECT, WITH or VALUES, a second
    /// statement (the server refuses those in a parameterised statement), a plan that
    /// modifies a table (`WITH x AS (DELETE …)`), and with a `scope` any table outside it
    /// (every relation the server's plan reads, from `EXPLAIN (FORMAT JSON)`, so views and
    /// subqueries are seen through; an entity's `asof_` table is read like the entity). The
    /// statement runs in a savepoint that is rolled back, or a READ ONLY transaction, so a
    /// function that writes keeps nothing.
    /// `shouldStop` is not asked (a statement runs to its end). Money columns come back in
    /// stored units (cents), as plain integers.
    public func select(sql: String, arguments: [Value], scope: ReadScope?, shouldStop: (() -> Bool)?) throws -> ResultTable {
        try recomputeBeforeRead()
        let keyword = PostgresStore.leadingKeyword(sql)
        guard ["SELECT", "WITH", "VALUES"].contains(keyword) else {
            throw QueryError("SQL: only SELECT, WITH … SELECT and VALUES may run here (got \(keyword.isEmpty ? "nothing" : keyword))")
        }
        let given = arguments.map { v -> String? in
            switch v {
            case .decimal(let d): return d.description
            case .bool(let b): return b ? "1" : "0"
            default: return PostgresValue.parameter(v, .text)
            }
        }
        try refusePolicyBypass(sql)
        let (text, bound) = PostgresSQL.numbered(try policed(sql), arguments: given)
        let body = { () throws -> ResultTable in
            let aggregates = try self.checkPlan(text, bound, scope: scope)
            let result = try self.connection.execute(text, bound)
            let columns = result.columns.map { Column($0) }
            var types = try self.originTypes(result)
            for (column, type) in aggregates where column < types.count && types[column] == nil { types[column] = type }
            // A masked amount has no column behind it: an owner's own amounts (and their
            // totals) come back as amounts when the column is named like the field.
            for (i, column) in columns.enumerated() where types[i] == nil {
                if let type = self.maskedAmountTypes[column.name.lowercased()] { types[i] = type }
            }
            let rows = (0..<result.rowCount).map { row in
                (0..<result.columnCount).map { column -> Value in
                    let text = result.value(row, column)
                    // A money or decimal field read as it is comes back as the amount, as on SQLite.
                    if let type = types[column], let scale = type.scale {
                        if let text, Int64(text) == nil, let number = Double(text) {
                            // An average (or a sum past 64 bits) of units: the amount, rounded to the field's places.
                            return Fixed(rounding: number / pow(10, Double(scale)), scale: scale).map(Value.decimal) ?? .text(text)
                        }
                        return PostgresValue.value(text, type)
                    }
                    return PostgresValue.selected(text, oid: result.columnType(column))
                }
            }
            return ResultTable(title: nil, columns: columns, rows: rows)
        }
        do {
            if connection.inTransaction {
                try run("SAVEPOINT crm_select")
                defer {
                    _ = try? run("ROLLBACK TO SAVEPOINT crm_select")
                    _ = try? run("RELEASE SAVEPOINT crm_select")
                }
                return try body()
            }
            return try connection.transaction(readOnly: true) {
                try body()
            }
        } catch let error as PGError where error.kind == .statement {
            throw QueryError("SQL: \(error.message)")
        }
    }

    /// The field type of each result column read straight from an entity's field (nil for
    /// expressions and other tables), from the column's table OID and number.
    func originTypes(_ result: PGResult) throws -> [FieldType?] {
        let origins = (0..<result.columnCount).map { result.origin($0) }
        let tables = Set(origins.compactMap { $0?.table })
        guard !tables.isEmpty else { return origins.map { _ in nil } }
        let names = try connection.execute("""
            SELECT a.attrelid::bigint, a.attnum, c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0
            """, ["{" + tables.map(String.init).joined(separator: ",") + "}"])
        var byOrigin: [String: FieldType] = [:]
        for row in names.rows {
            guard let table = row[0], let number = row[1], let entity = row[2], let field = row[3],
                  let type = SQLiteStore.entity(readAs: entity, schema: schema)?.field(field)?.type else { continue }
            byOrigin["\(table):\(number)"] = type
        }
        return origins.map { origin in origin.flatMap { byOrigin["\($0.table):\($0.column)"] } }
    }

    /// Refuses a plan that writes, or that reads a relation outside `scope`. Returns the
    /// result columns that are `sum`, `min`, `max` or `avg` of one money or decimal field of
    /// a table read (by the plan's output list), with that field's type: they come back as
    /// amounts, as on SQLite.
    @discardableResult
    func checkPlan(_ sql: String, _ arguments: [String?], scope: ReadScope?) throws -> [Int: FieldType] {
        let plan = try connection.execute("EXPLAIN (FORMAT JSON, VERBOSE) " + sql, arguments)
        guard let text = plan.value(0, 0), let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return [:] }
        var relations: [(schema: String, name: String)] = []
        var writes = false
        func walk(_ node: Any) {
            if let dict = node as? [String: Any] {
                if dict["Node Type"] as? String == "ModifyTable" { writes = true }
                if let name = dict["Relation Name"] as? String {
                    relations.append((dict["Schema"] as? String ?? "public", name))
                }
                for value in dict.values { walk(value) }
            } else if let list = node as? [Any] {
                for value in list { walk(value) }
            }
        }
        walk(json)
        if writes { throw QueryError("SQL: this statement writes; only reads may run here") }
        let aggregates = amountAggregates(json, tables: relations.map(\.name))
        guard let scope else { return aggregates }
        let allowed = Set(scope.tables.map { $0.lowercased() })
        for relation in relations where !PostgresStore.isReadable(relation, allowed: allowed) {
            let isInternal = relation.name.hasPrefix("_crm_") || !(relation.schema == "public" || relation.schema == "pg_temp")
            let what = isInternal ? "crm's internal table '\(relation.name)'" : "table '\(relation.name)'"
            throw QueryError("SQL: \(scope.reader) may not read \(what) (\(scope.allowed))")
        }
        return aggregates
    }

    /// Whether a relation a plan reads is in the scope: an entity's table, or the picture of
    /// one that `materializeAsOf` made in this session (`pg_temp.asof_loan_20261031`: a plan
    /// names this session's temporary schema `pg_temp`, another session's `pg_temp_N`).
    static func isReadable(_ relation: (schema: String, name: String), allowed: Set<String>) -> Bool {
        if relation.schema == "public" { return allowed.contains(relation.name.lowercased()) }
        return relation.schema == "pg_temp" && SQLiteStore.isPastPicture(relation.name, ofOneOf: allowed)
    }

    /// `sum(r.reward)`, `(max(price))` … in the top plan node's output, by column.
    func amountAggregates(_ json: Any, tables: [String]) -> [Int: FieldType] {
        guard let top = (json as? [Any])?.first as? [String: Any], let plan = top["Plan"] as? [String: Any],
              let output = plan["Output"] as? [String] else { return [:] }
        var found: [Int: FieldType] = [:]
        for (i, item) in output.enumerated() {
            var expression = Substring(item)
            while expression.hasPrefix("("), expression.hasSuffix(")") { expression = expression.dropFirst().dropLast() }
            guard var open = expression.firstIndex(of: "("), expression.hasSuffix(")") else { continue }
            var function = expression[..<open].lowercased()
            // `coalesce(sum(balance), 0)`: the amount is its first argument's.
            if function == "coalesce", let first = PostgresStore.firstArgument(expression[expression.index(after: open)...]) {
                expression = first
                while expression.hasPrefix("("), expression.hasSuffix(")") { expression = expression.dropFirst().dropLast() }
                guard let inner = expression.firstIndex(of: "("), expression.hasSuffix(")") else { continue }
                open = inner
                function = expression[..<open].lowercased()
            }
            guard ["sum", "min", "max", "avg"].contains(function) else { continue }
            var column = String(expression[expression.index(after: open)..<expression.index(before: expression.endIndex)])
            if let dot = column.lastIndex(of: ".") { column = String(column[column.index(after: dot)...]) }
            column = column.replacingOccurrences(of: "\"", with: "")
            let types = Set(tables.compactMap { SQLiteStore.entity(readAs: $0, schema: schema)?.field(column)?.type }
                .filter { $0.scale != nil })
            if types.count == 1 { found[i] = types.first! }
        }
        return found
    }

    /// `sum(x), '0'::numeric)` → `sum(x)`: the text before the first comma outside brackets and quotes.
    static func firstArgument(_ text: Substring) -> Substring? {
        var depth = 0
        var quoted = false
        for i in text.indices {
            switch text[i] {
            case "'": quoted.toggle()
            case "(" where !quoted: depth += 1
            case ")" where !quoted: depth -= 1
            case "," where !quoted && depth == 0: return text[..<i]
            default: break
            }
        }
        return nil
    }

    /// The first keyword of a statement, upper-cased, after spaces and comments.
    static func leadingKeyword(_ sql: String) -> String {
        String(fromLeadingKeyword(sql).prefix { $0.isLetter }).uppercased()
    }

    /// The statement from its first keyword on, past spaces and comments (empty when a
    /// comment is not closed).
    static func fromLeadingKeyword(_ sql: String) -> Substring {
        var s = Substring(sql)
        while true {
            s = s.drop { $0.isWhitespace }
            if s.hasPrefix("--") {
                s = s.drop { $0 != "\n" }
            } else if s.hasPrefix("/*") {
                guard let end = s.range(of: "*/") else { return "" }
                s = s[end.upperBound...]
            } else {
                return s
            }
        }
    }
}
