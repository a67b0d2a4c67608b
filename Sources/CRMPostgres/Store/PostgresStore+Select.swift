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
    /// subqueries are seen through). The statement runs in a savepoint that is rolled
    /// back, or a READ ONLY transaction, so a function that writes keeps nothing.
    /// `shouldStop` is not asked (a statement runs to its end). Money columns come back in
    /// stored units (cents), as plain integers.
    public func select(sql: String, arguments: [Value], scope: ReadScope?, shouldStop: (() -> Bool)?) throws -> ResultTable {
        let keyword = PostgresStore.leadingKeyword(sql)
        guard ["SELECT", "WITH", "VALUES"].contains(keyword) else {
            throw QueryError("SQL: only SELECT, WITH … SELECT and VALUES may run here (got \(keyword.isEmpty ? "nothing" : keyword))")
        }
        let text = PostgresSQL.numbered(sql)
        let bound = arguments.map { v -> String? in
            switch v {
            case .decimal(let d): return d.description
            case .bool(let b): return b ? "1" : "0"
            default: return PostgresValue.parameter(v, .text)
            }
        }
        let body = { () throws -> ResultTable in
            try self.checkPlan(text, bound, scope: scope)
            let result = try self.connection.execute(text, bound)
            let columns = result.columns.map { Column($0) }
            let rows = (0..<result.rowCount).map { row in
                (0..<result.columnCount).map { PostgresValue.selected(result.value(row, $0), oid: result.columnType($0)) }
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

    /// Refuses a plan that writes, or that reads a relation outside `scope`.
    func checkPlan(_ sql: String, _ arguments: [String?], scope: ReadScope?) throws {
        let plan = try connection.execute("EXPLAIN (FORMAT JSON, VERBOSE) " + sql, arguments)
        guard let text = plan.value(0, 0), let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else { return }
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
        guard let scope else { return }
        let allowed = Set(scope.tables.map { $0.lowercased() })
        for relation in relations where relation.schema != "public" || !allowed.contains(relation.name.lowercased()) {
            let isInternal = relation.name.hasPrefix("_crm_") || relation.schema != "public"
            let what = isInternal ? "crm's internal table '\(relation.name)'" : "table '\(relation.name)'"
            throw QueryError("SQL: \(scope.reader) may not read \(what) (\(scope.allowed))")
        }
    }

    /// The first keyword of a statement, upper-cased, after spaces and comments.
    static func leadingKeyword(_ sql: String) -> String {
        var s = Substring(sql)
        while true {
            s = s.drop { $0.isWhitespace }
            if s.hasPrefix("--") {
                s = s.drop { $0 != "\n" }
            } else if s.hasPrefix("/*") {
                guard let end = s.range(of: "*/") else { return "" }
                s = s[end.upperBound...]
            } else {
                break
            }
        }
        return String(s.prefix { $0.isLetter }).uppercased()
    }
}
