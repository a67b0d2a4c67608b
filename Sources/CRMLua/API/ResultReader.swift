import CLua
import CRMCore

/// Turns what a report, command or script returns into output the shell renders.
///
/// - nil: nothing; a string or number: a message.
/// - a table with `columns` (names, or `{ name, label, type = "money" }`) and `rows`
///   (or the rows as its list part), each row a list in column order or a table keyed
///   by column name: a table (`crm.query` and `crm.list` results qualify as they are).
/// - `chart = { type = "bar" | "line", x = "column", y = "column" | { "col", … } }` adds a chart.
struct ResultReader {
    let lua: LuaState
    var L: OpaquePointer { lua.L }

    struct ColumnSpec {
        var column: Column
        var type: FieldType?
    }

    func output(at index: Int32, title: String?) throws -> Output {
        let t = lua.absolute(index)
        switch lua.type(at: t) {
        case LUA_TNIL, LUA_TNONE: return .none
        case LUA_TSTRING, LUA_TNUMBER, LUA_TBOOLEAN:
            if lua.type(at: t) == LUA_TBOOLEAN { return .message(lua_toboolean(L, t) != 0 ? "true" : "false") }
            return .message(lua.string(at: t) ?? "")
        case LUA_TTABLE:
            break
        default:
            throw LuaArgumentError("returned a \(lua.typeName(at: t)); return a table with columns and rows, a string, or nothing")
        }
        var table = try resultTable(at: t)
        table.title = lua.stringField("title", at: t) ?? title
        guard lua.rawField("chart", at: t) == LUA_TTABLE else {
            crm_lua_pop(L, 1)
            return .table(table)
        }
        let chart = try self.chart(at: -1, table: table)
        crm_lua_pop(L, 1)
        return .sections([.table(table), .chart(chart)])
    }

    func resultTable(at t: Int32) throws -> ResultTable {
        var specs: [ColumnSpec] = []
        if lua.rawField("columns", at: t) == LUA_TTABLE {
            for i in 0..<lua.length(at: -1) {
                lua.pushElement(i + 1, of: -1)
                defer { crm_lua_pop(L, 1) }
                specs.append(try columnSpec(at: -1, number: i + 1))
            }
        }
        crm_lua_pop(L, 1)
        // The rows: `rows`, else the list part of the result itself.
        let rowsAt: Int32
        let hasRows = lua.rawField("rows", at: t) == LUA_TTABLE
        if hasRows { rowsAt = lua.absolute(-1) } else { crm_lua_pop(L, 1); rowsAt = t }
        defer { if hasRows { crm_lua_pop(L, 1) } }
        let count = lua.length(at: rowsAt)
        if specs.isEmpty, count > 0 {
            // No columns: take the keys of the first row, sorted.
            lua.pushElement(1, of: rowsAt)
            var keys: [String] = []
            if lua.type(at: -1) == LUA_TTABLE {
                lua.forEachPair(at: -1) { if lua.type(at: -2) == LUA_TSTRING, let k = lua.string(at: -2) { keys.append(k) } }
            }
            crm_lua_pop(L, 1)
            guard !keys.isEmpty else { throw LuaArgumentError("the result has rows but no columns = { … }") }
            specs = keys.sorted().map { ColumnSpec(column: Column($0), type: nil) }
        }
        var rows: [[Value]] = []
        rows.reserveCapacity(count)
        var numeric = Array(repeating: false, count: specs.count)
        for r in 0..<count {
            lua.pushElement(r + 1, of: rowsAt)
            defer { crm_lua_pop(L, 1) }
            guard lua.type(at: -1) == LUA_TTABLE else { throw LuaArgumentError("row \(r + 1) is a \(lua.typeName(at: -1)), not a table") }
            let positional = lua.length(at: -1) > 0
            var row: [Value] = []
            for (c, spec) in specs.enumerated() {
                if positional { lua.pushElement(c + 1, of: -1) } else { lua.rawField(spec.column.name, at: -1) }
                let v = try cell(at: -1, type: spec.type, where: "row \(r + 1), column \(spec.column.name)")
                crm_lua_pop(L, 1)
                if case .integer = v { numeric[c] = true }
                if case .decimal = v { numeric[c] = true }
                row.append(v)
            }
            rows.append(row)
        }
        var columns = specs.map(\.column)
        for c in columns.indices where numeric[c] || (specs[c].type?.isNumeric ?? false) { columns[c].numeric = true }
        return ResultTable(columns: columns, rows: rows)
    }

    func columnSpec(at relative: Int32, number: Int) throws -> ColumnSpec {
        let index = lua.absolute(relative)
        if let name = lua.string(at: index), lua.type(at: index) == LUA_TSTRING {
            return ColumnSpec(column: Column(name), type: nil)
        }
        guard lua.type(at: index) == LUA_TTABLE else { throw LuaArgumentError("column #\(number) must be a name or { name, label, type = … }") }
        lua.pushElement(1, of: index)
        let positional = lua.string(at: -1)
        crm_lua_pop(L, 1)
        guard let name = positional ?? lua.stringField("name", at: index) else {
            throw LuaArgumentError("column #\(number) has no name")
        }
        lua.pushElement(2, of: index)
        let label = lua.string(at: -1) ?? lua.stringField("label", at: index)
        crm_lua_pop(L, 1)
        var type: FieldType?
        if let typeName = lua.stringField("type", at: index) {
            var spec = Spec(name: name, type: typeName, options: [:])
            if let scale = lua.integerField("scale", at: index) { spec.options["scale"] = .number(String(scale)) }
            type = try spec.fieldType("column \(name)")
        }
        return ColumnSpec(column: Column(name, label: label, numeric: type?.isNumeric ?? false), type: type)
    }

    /// One cell: Lua values as they read; numbers kept exact where the column says how.
    func cell(at index: Int32, type: FieldType?, where place: String) throws -> Value {
        switch lua.type(at: index) {
        case LUA_TNIL: return .null
        case LUA_TBOOLEAN: return .bool(lua_toboolean(L, index) != 0)
        case LUA_TSTRING: return .text(lua.string(at: index) ?? "")
        case LUA_TNUMBER:
            if let scale = type?.scale {
                let d = crm_lua_tonumber(L, index)
                return Fixed(rounding: d, scale: scale).map(Value.decimal) ?? .text("\(d)")
            }
            if crm_lua_isinteger(L, index) != 0 { return .integer(Int64(crm_lua_tointeger(L, index))) }
            let d = crm_lua_tonumber(L, index)
            guard abs(d) < 9e13, let f = Fixed(rounding: d, scale: 2) else { return .text(lua.string(at: index) ?? "") }
            return .decimal(f)
        case LUA_TTABLE:
            if lua.isNullSentinel(at: index) { return .null }
            return .json(try lua.json(at: index))
        default:
            throw LuaArgumentError("\(place): a \(lua.typeName(at: index)) cannot be shown")
        }
    }

    func chart(at index: Int32, table: ResultTable) throws -> Chart {
        let c = lua.absolute(index)
        let kindName = lua.stringField("type", at: c) ?? lua.stringField("kind", at: c) ?? "bar"
        guard let kind = Chart.Kind(rawValue: kindName) else {
            throw LuaArgumentError("chart type '\(kindName)' is not one of: bar, line")
        }
        func columnIndex(_ name: String) throws -> Int {
            guard let i = table.columns.firstIndex(where: { $0.name == name }) else {
                throw LuaArgumentError("chart: no column '\(name)'\(NameSuggestion.hint(for: name, in: table.columns.map(\.name)))")
            }
            return i
        }
        let x = try columnIndex(lua.stringField("x", at: c) ?? table.columns.first?.name ?? "")
        var ys: [String] = []
        if lua.rawField("y", at: c) == LUA_TTABLE {
            for i in 0..<lua.length(at: -1) {
                lua.pushElement(i + 1, of: -1)
                if let s = lua.string(at: -1) { ys.append(s) }
                crm_lua_pop(L, 1)
            }
        } else if let s = lua.string(at: -1) {
            ys = [s]
        }
        crm_lua_pop(L, 1)
        if ys.isEmpty, let firstNumeric = table.columns.first(where: \.numeric) { ys = [firstNumeric.name] }
        guard !ys.isEmpty else { throw LuaArgumentError("chart: y = \"<numeric column>\" is required") }
        var series: [Chart.Series] = []
        for y in ys {
            let i = try columnIndex(y)
            series.append(Chart.Series(name: table.columns[i].label, values: table.rows.map { number($0[i]) }))
        }
        return Chart(kind: kind, title: lua.stringField("title", at: c), labels: table.rows.map { $0[x].displayText },
                     series: series)
    }

    func number(_ v: Value) -> Double {
        switch v {
        case .integer(let i): return Double(i)
        case .decimal(let d): return Double(d.description) ?? 0
        default: return 0
        }
    }
}
