import CLua
import CRMCore
import Foundation

/// How store values cross into Lua and back.
///
/// Into Lua: text, enums, dates and datetimes as strings, integers and references as
/// integers, money and decimals as numbers, bools as booleans, json as tables, null as
/// nil. Back from Lua a value is checked against its field's type: a string is parsed as
/// the shell parses typed text (`today`, an enum value, a reference by title), a number
/// written to money is rounded to cents half away from zero (`Fixed(rounding:scale:)`), `crm.null` clears a field.
extension LuaState {
    public func push(_ value: Value) {
        switch value {
        case .null: pushNil()
        case .integer(let i): push(i)
        case .decimal(let d): push(Double(d.description) ?? 0)
        case .text(let s), .date(let s), .datetime(let s): push(s)
        case .bool(let b): push(b)
        case .json(let s): pushJSON(s)
        }
    }

    /// Pushes a record as a table: its fields, `id`, `created` and `updated`.
    public func push(_ record: Record, entity: EntityDefinition) {
        lua_createtable(L, 0, Int32(record.values.count + 1))
        push(record.id)
        setField("id", at: -2)
        for (name, value) in record.values where !value.isNull {
            push(value)
            setField(name, at: -2)
        }
    }

    /// Pushes a plain array of strings.
    public func push(strings: [String]) {
        lua_createtable(L, Int32(strings.count), 0)
        for (i, s) in strings.enumerated() {
            push(s)
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
    }

    /// Pushes `{columns = {...}, rows = {{col = value, ...}, ...}}` keyed by column name,
    /// rows also at `[1]`, `[2]`, … so `for _, r in ipairs(result)` works.
    public func push(_ table: ResultTable) {
        lua_createtable(L, Int32(table.rows.count), 1)
        push(strings: table.columns.map(\.name))
        setField("columns", at: -2)
        for (i, row) in table.rows.enumerated() {
            lua_createtable(L, 0, Int32(row.count))
            for (column, value) in zip(table.columns, row) where !value.isNull {
                push(value)
                setField(column.name, at: -2)
            }
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
    }

    func pushJSON(_ text: String) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            push(text)
            return
        }
        push(value)
    }

    private func push(_ json: JSONValue) {
        switch json {
        case .null: pushNil()
        case .bool(let b): push(b)
        case .integer(let i): push(i)
        case .number(let d): push(d)
        case .string(let s): push(s)
        case .array(let a):
            lua_createtable(L, Int32(a.count), 0)
            for (i, v) in a.enumerated() {
                push(v)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
        case .object(let d):
            lua_createtable(L, 0, Int32(d.count))
            for (k, v) in d {
                push(v)
                setField(k, at: -2)
            }
        }
    }

    /// True when the value at `index` is `crm.null`.
    public func isNullSentinel(at index: Int32) -> Bool {
        let i = absolute(index)
        guard lua_type(L, i) == LUA_TTABLE else { return false }
        lua_getfield(L, crm_lua_registryindex(), "crm.null")
        defer { crm_lua_pop(L, 1) }
        return lua_rawequal(L, i, -1) != 0
    }

    /// The value at `index` as a value of a field, checked against its type.
    public func value(at index: Int32, for field: FieldDefinition, entity: String, store: CRMStore) throws -> Value {
        func wrong(_ shown: String) -> StoreError {
            .invalidValue(entity: entity, field: field.name, value: shown, expected: field.type.expectation)
        }
        func outOfRange(_ shown: String) -> StoreError {
            .outOfRange(entity: entity, field: field.name, value: shown, bound: NumericRange.text(for: field.type) ?? "")
        }
        switch lua_type(L, index) {
        case LUA_TNIL:
            return .null
        case LUA_TSTRING:
            return try store.parseValue(entity: entity, field: field.name, text: string(at: index) ?? "")
        case LUA_TBOOLEAN:
            guard field.type == .bool else { throw wrong(lua_toboolean(L, index) != 0 ? "true" : "false") }
            return .bool(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if crm_lua_isinteger(L, index) != 0 {
                let i = Int64(crm_lua_tointeger(L, index))
                switch field.type {
                case .integer, .reference: return .integer(i)
                case .decimal, .money:
                    guard let f = Fixed(exactly: i, scale: field.type.scale ?? 0) else { throw outOfRange(String(i)) }
                    return .decimal(f)
                case .text: return .text(String(i))
                default: return try store.parseValue(entity: entity, field: field.name, text: String(i))
                }
            }
            let d = crm_lua_tonumber(L, index)
            guard !d.isNaN else { throw wrong("\(d)") }
            switch field.type {
            case .decimal, .money:
                // Money's one rounding rule (Fixed+Rounding): -2.675 is -2.68, 1.005 is 1.01.
                guard let f = Fixed(rounding: d, scale: field.type.scale ?? 0), f.isStorable else { throw outOfRange("\(d)") }
                return .decimal(f)
            case .integer, .reference:
                guard d.isInfinite || d.rounded() == d else { throw wrong("\(d)") }
                guard let i = Int64(exactly: d) else { throw outOfRange("\(d)") }
                return .integer(i)
            case .text: return .text(string(at: index) ?? "")
            default: throw wrong("\(d)")
            }
        case LUA_TTABLE:
            if isNullSentinel(at: index) { return .null }
            guard field.type == .json else { throw wrong("a table") }
            return .json(try json(at: index))
        default:
            throw wrong("a \(String(cString: lua_typename(L, lua_type(L, index))))")
        }
    }

    /// Reads a table of `field = value` for an entity; unknown fields are refused with
    /// the closest name.
    public func values(at index: Int32, entity e: EntityDefinition, store: CRMStore) throws -> [String: Value] {
        let t = absolute(index)
        guard lua_type(L, t) == LUA_TTABLE else { throw LuaArgumentError("expected a table of field = value for \(e.name)") }
        var out: [String: Value] = [:]
        var failure: Error?
        forEachPair(at: t) {
            guard failure == nil else { return }
            guard lua_type(L, -2) == LUA_TSTRING, let name = string(at: -2) else {
                failure = LuaArgumentError("\(e.name): field names must be strings")
                return
            }
            if name == "id" || name == "created" || name == "updated" { return }
            guard let f = e.field(name) else {
                failure = StoreError.unknownField(entity: e.name, field: name,
                                                  suggestion: NameSuggestion.closest(to: name, in: e.fields.map(\.name)))
                return
            }
            do { out[name] = try value(at: -1, for: f, entity: e.name, store: store) } catch { failure = error }
        }
        if let failure { throw failure }
        return out
    }

    /// The value at `index` as JSON text (tables with 1…n keys become arrays).
    public func json(at index: Int32, depth: Int = 0) throws -> String {
        let i = absolute(index)
        guard depth < 64 else { throw LuaArgumentError("json: nested too deeply (or a cycle)") }
        switch lua_type(L, i) {
        case LUA_TNIL: return "null"
        case LUA_TBOOLEAN: return lua_toboolean(L, i) != 0 ? "true" : "false"
        case LUA_TNUMBER:
            if crm_lua_isinteger(L, i) != 0 { return String(crm_lua_tointeger(L, i)) }
            let d = crm_lua_tonumber(L, i)
            guard d.isFinite else { throw LuaArgumentError("json: \(d) has no JSON form") }
            return String(d)
        case LUA_TSTRING: return JSONText.string(string(at: i) ?? "")
        case LUA_TTABLE:
            if isNullSentinel(at: i) { return "null" }
            let n = length(at: i)
            var count = 0
            forEachPair(at: i) { count += 1 }
            if count == n {
                var parts: [String] = []
                for k in 0..<n {
                    pushElement(k + 1, of: i)
                    defer { crm_lua_pop(L, 1) }
                    parts.append(try json(at: -1, depth: depth + 1))
                }
                return "[" + parts.joined(separator: ",") + "]"
            }
            var pairs: [(String, String)] = []
            var failure: Error?
            forEachPair(at: i) {
                guard failure == nil else { return }
                guard let key = string(at: -2) else { failure = LuaArgumentError("json: object keys must be strings"); return }
                do { pairs.append((key, try json(at: -1, depth: depth + 1))) } catch { failure = error }
            }
            if let failure { throw failure }
            return "{" + pairs.sorted { $0.0 < $1.0 }.map { JSONText.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        default:
            throw LuaArgumentError("json: a \(String(cString: lua_typename(L, lua_type(L, i)))) has no JSON form")
        }
    }
}

/// JSON as a tree, for handing json fields to Lua as tables.
enum JSONValue: Decodable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}
