import CLua
import CRMCore
import Foundation

/// The host functions behind `crm.get/list/count/aggregate/create/update/delete/find/
/// query`, the clock and the user. Every write goes through the store: the same
/// validation, rules and audit as the shell.
extension PluginHost {
    func registerDataAPI(into add: (String, @escaping LuaState.HostFunction) -> Void) {
        add("get") { [unowned self] l in
            let e = try self.entityArg(l, 1, "crm.get")
            let id = try l.argInteger(2, "crm.get(entity, id)")
            guard let record = try self.store.record(e.name, id: id) else { l.pushNil(); return 1 }
            l.push(record, entity: e)
            return 1
        }
        add("list") { [unowned self] l in
            let e = try self.entityArg(l, 1, "crm.list")
            var query = Query(entity: e.name, fields: ["id"] + e.fields.map(\.name) + ["created", "updated"])
            if l.type(at: 2) == LUA_TTABLE && !self.isOptions(l, at: 2) {
                query.filter = try self.equalities(l, at: 2, entity: e)  // crm.list("customer", { city = "上海" })
            } else if l.type(at: 2) == LUA_TTABLE {
                query.filter = try self.filterOption(l, at: 2, entity: e)
                if let order = l.stringField("order", at: 2) { query.order = try self.parseOrder(order) }
                query.limit = l.integerField("limit", at: 2).map { Int($0) }
                query.offset = l.integerField("offset", at: 2).map { Int($0) }
            } else if l.type(at: 2) == LUA_TSTRING {
                query.filter = try self.parseFilter(l.string(at: 2)!)
            }
            let table = try self.store.list(query)
            l.push(table)
            return 1
        }
        add("count") { [unowned self] l in
            let e = try self.entityArg(l, 1, "crm.count")
            let filter = try self.filterArgument(l, at: 2, entity: e)
            l.push(Int64(try self.store.count(e.name, where: filter)))
            return 1
        }
        add("aggregate") { [unowned self] l in
            let e = try self.entityArg(l, 1, "crm.aggregate")
            let fname = try l.argString(2, "crm.aggregate(entity, function, field, {where=…, by=…})")
            guard let function = AggregateFunction(rawValue: fname) else {
                throw LuaArgumentError("crm.aggregate: unknown function '\(fname)'; use count, sum, avg, min or max")
            }
            let field = l.type(at: 3) == LUA_TSTRING ? l.string(at: 3) : nil
            var filter: Filter?
            var by: String?
            if l.type(at: 4) == LUA_TTABLE {
                // Besides where= and by=, field = value pairs filter as in crm.count (a
                // misspelt field is an error, never a sum over every record).
                let conditions = [try self.filterOption(l, at: 4, entity: e),
                                  try self.equalities(l, at: 4, entity: e, skipping: ["where", "by"])].compactMap { $0 }
                filter = conditions.reduce(nil) { acc, f in acc.map { .and($0, f) } ?? f }
                by = l.stringField("by", at: 4)
            }
            let table = try self.store.aggregate(e.name, function: function, field: field, groupBy: by, where: filter)
            if by == nil {
                l.push(table.rows.first?.last ?? .null)
                return 1
            }
            // Two results: { [group] = value } and the rows in order as { {group, value}, … }
            // (apart, so integer groups such as owner ids cannot collide with the list).
            lua_createtable(l.L, 0, Int32(table.rows.count))
            for row in table.rows where row.count >= 2 && !row[0].isNull {
                l.push(row[0])
                l.push(row[1])
                lua_rawset(l.L, -3)
            }
            lua_createtable(l.L, Int32(table.rows.count), 0)
            for (i, row) in table.rows.enumerated() where row.count >= 2 {
                lua_createtable(l.L, 2, 0)
                l.push(row[0]); lua_rawseti(l.L, -2, 1)
                l.push(row[1]); lua_rawseti(l.L, -2, 2)
                lua_rawseti(l.L, -2, lua_Integer(i + 1))
            }
            return 2
        }
        add("create") { [unowned self] l in
            let e = try self.entityArg(l, 1, "crm.create")
            let values = try l.values(at: 2, entity: e, store: self.store)
            let id = try self.store.create(e.name, values: values)
            if let record = try self.store.record(e.name, id: id) { l.push(record, entity: e) } else { l.push(id) }
            return 1
        }
        add("update") { [unowned self] l in
            let e = try self.entityArg(l, 1, "crm.update")
            let values = try l.values(at: 3, entity: e, store: self.store)
            if l.type(at: 2) == LUA_TTABLE && l.integerField("id", at: 2) == nil {
                // crm.update(entity, { where = … }, values): never "every record" by accident.
                guard l.rawField("where", at: 2) != LUA_TNIL else {
                    crm_lua_pop(l.L, 1)
                    throw LuaArgumentError("crm.update(entity, target, values): target is an id, a record, or { where = … }")
                }
                crm_lua_pop(l.L, 1)
                let filter = try self.filterOption(l, at: 2, entity: e)
                l.push(Int64(try self.store.update(e.name, where: filter, values: values)))
                return 1
            }
            let id = try l.argInteger(2, "crm.update(entity, id, values)")
            l.push(try self.store.update(e.name, id: id, values: values))
            return 1
        }
        add("delete") { [unowned self] l in
            let e = try self.entityArg(l, 1, "crm.delete")
            try self.store.delete(e.name, id: try l.argInteger(2, "crm.delete(entity, id)"))
            return 0
        }
        add("find") { [unowned self] l in
            let text = try l.argString(1, "crm.find(text)")
            let limit = l.type(at: 2) == LUA_TNUMBER ? Int(crm_lua_tointeger(l.L, 2)) : 50
            l.push(try self.store.find(text, limit: max(1, limit)))
            return 1
        }
        add("query") { [unowned self] l in
            // crm.query(sql, …) arrives as query(plugin, sql, …): what it may read depends on who asks.
            let caller = try l.argString(1, "crm.query")
            let sql = try l.argString(2, "crm.query(sql, …)")
            var arguments: [Value] = []
            if l.top >= 3 {
                for i in 3...l.top {
                    switch l.type(at: i) {
                    case LUA_TNIL: arguments.append(.null)
                    case LUA_TBOOLEAN: arguments.append(.bool(lua_toboolean(l.L, i) != 0))
                    case LUA_TNUMBER:
                        if crm_lua_isinteger(l.L, i) != 0 { arguments.append(.integer(Int64(crm_lua_tointeger(l.L, i)))) }
                        else if let d = Fixed(parsing: String(crm_lua_tonumber(l.L, i)), scale: 6) { arguments.append(.decimal(d)) }
                        else { arguments.append(.text(l.string(at: i) ?? "")) }
                    case LUA_TSTRING: arguments.append(.text(l.string(at: i) ?? ""))
                    default: throw LuaArgumentError("crm.query: argument #\(i - 1) must be a string, number, boolean or nil")
                    }
                }
            }
            // SQLite's own work (a recursive CTE that never ends) counts against the
            // budget and the time limit too: 1,000 SQLite steps cost 1,000 instructions.
            l.push(try self.store.select(sql: sql, arguments: arguments, scope: self.readScope(for: caller),
                                         shouldStop: { l.charge(1000) }))
            return 1
        }
        add("user") { [unowned self] l in l.push(self.store.user); return 1 }
        add("now") { [unowned self] l in l.push(Int64(self.store.clock.now())); return 1 }
        add("today") { [unowned self] l in l.push(DateCodec.dateText(days: self.store.clock.today)); return 1 }
        add("date") { [unowned self] l in
            // crm.date("-7d"), crm.date("2026-11-22"), crm.date(epoch seconds)
            if l.type(at: 1) == LUA_TNUMBER {
                l.push(DateCodec.dateText(days: DateCodec.localDay(epochSeconds: Int(crm_lua_tointeger(l.L, 1)))))
                return 1
            }
            let text = try l.argString(1, "crm.date(text)")
            let parser = ValueParser(clock: self.store.clock)
            if let value = try? parser.parse(text, as: .date) {
                l.push(value)
            } else if let instant = try? parser.instant(text) {
                // A date and time: its local date (`2026-11-20 23:30` is the 20th).
                l.push(DateCodec.dateText(days: DateCodec.localDay(epochSeconds: instant)))
            } else {
                throw LuaArgumentError("crm.date: '\(text)' is not a date; use 2026-11-22, today, yesterday, tomorrow, "
                                       + "-7d, +2w, -3m, +1y, or a date and time (2026-11-22 09:30)")
            }
            return 1
        }
        add("time") { [unowned self] l in
            // crm.time(at): a datetime (as records hold it, typed text, or epoch seconds) as
            // local "YYYY-MM-DD HH:MM", the way the shell shows it.
            let epoch: Int
            if l.type(at: 1) == LUA_TNUMBER {
                epoch = Int(crm_lua_tointeger(l.L, 1))
            } else {
                let text = try l.argString(1, "crm.time(at)")
                guard let t = DateCodec.epochSeconds(utc: text) ?? (try? ValueParser(clock: self.store.clock).instant(text)) else {
                    throw LuaArgumentError("crm.time: '\(text)' is not a date and time; use 2026-11-22 09:30, "
                                           + "a record's datetime field (2026-11-22T01:30:00Z) or epoch seconds")
                }
                epoch = t
            }
            l.push(DateCodec.localDisplay(utc: DateCodec.utcText(epochSeconds: epoch)))
            return 1
        }
        add("datetime") { [unowned self] l in
            // crm.datetime(text): local date-and-time text ("2026-11-22 09:30", a date: its
            // local midnight, "now", "-7d") as a datetime is stored, UTC "2026-11-22T01:30:00Z";
            // what a query compares a datetime column with.
            let text = try l.argString(1, "crm.datetime(text)")
            let parser = ValueParser(clock: self.store.clock)
            let epoch: Int
            if let days = DateCodec.days(ofDate: text.trimmingCharacters(in: .whitespaces)) {
                epoch = DateCodec.localMidnight(days: days)
            } else if let t = DateCodec.epochSeconds(utc: text) ?? (try? parser.instant(text)) {
                epoch = t
            } else {
                throw LuaArgumentError("crm.datetime: '\(text)' is not a date and time; use 2026-11-22 09:30, 2026-11-22, now or -7d")
            }
            l.push(DateCodec.utcText(epochSeconds: epoch))
            return 1
        }
        add("days") { [unowned self] l in
            // crm.days(a, b): days from date a to date b (b - a); b defaults to today. Datetimes
            // and epoch seconds count as their local dates.
            let a = try self.day(l, 1)
            let b = l.type(at: 2) == LUA_TNIL || l.type(at: 2) == LUA_TNONE ? self.store.clock.today : try self.day(l, 2)
            l.push(Int64(b - a))
            return 1
        }
        add("set_now") { [unowned self] l in
            // Tests and rehearsals: pin the clock ("2026-11-22", "2026-11-22 09:30"), or nil for the real one.
            // crm.set_now(when) arrives as set_now(caller, when).
            let caller = try l.argString(1, "crm.set_now")
            guard PluginHost.clockSetters.contains(caller) else {
                throw LuaArgumentError("crm.set_now is for tests and scripts (crm test, crm run, the prompt): plugin '\(caller)' "
                                       + "may not move the clock in its rules, reports, commands or jobs; the time records get would be forged")
            }
            if l.type(at: 2) == LUA_TNIL || l.type(at: 2) == LUA_TNONE {
                self.store.clock = self.startClock  // the run's own clock (CRM_NOW, if it pinned one)
                return 0
            }
            let text = try l.argString(2, "crm.set_now(text)")
            let t = try ValueParser(clock: self.store.clock).instant(text)
            // In a script or at the prompt only "now" moves: the audit trail of a real
            // database keeps the run's own time. A plugin test runs on a throw-away database
            // whose history must follow the story it tells (as-of reports read it), so there
            // the audit time moves too.
            self.store.clock = caller == "(test)" ? .fixed(t) : self.startClock.pinned(at: t)
            return 0
        }
        add("setting") { [unowned self] l in
            let plugin = try l.argString(1, "crm.setting"), name = try l.argString(2, "crm.setting(name)")
            l.push(try self.settingValue(plugin: plugin, name: name))
            return 1
        }
        add("log") { [unowned self] l in
            let plugin = try l.argString(1, "crm.log"), text = try l.argString(2, "crm.log")
            self.log("[\(plugin)] \(text)")
            return 0
        }
    }

    /// What `crm.query` may read for code running as `caller` (a plugin, or a script,
    /// the prompt, a test): never crm's internal tables (`_crm_*`, the find index,
    /// `sqlite_*`). A plugin reads the core entities, its own and those of the plugins it
    /// requires (and theirs, in turn); scripts, the prompt and tests read every entity.
    func readScope(for caller: String) -> ReadScope {
        // A rule's query asks once per written row: the scope is built again only when the
        // entities (or the series) changed since.
        let names = store.schema.names
        if knownSeries != nil, let cached = readScopes[caller], cached.names == names { return cached.scope }
        let scope = buildReadScope(for: caller)
        readScopes[caller] = (names, scope)
        return scope
    }

    private func buildReadScope(for caller: String) -> ReadScope {
        let entities = store.schema.entities
        // Series (readings kept by key and time, `crm.series`) are read like entities.
        if knownSeries == nil {
            knownSeries = ((try? store.metaKeys(prefix: "series:")) ?? [:]).values
                .compactMap { try? JSONDecoder().decode(SeriesDefinition.self, from: Data($0.utf8)) }
        }
        let series = knownSeries ?? []
        if PluginHost.trustedNames.contains(caller) {
            let reader = caller == "(script)" ? "a script" : caller == "(test)" ? "a test" : "the prompt"
            return ReadScope(tables: Set(entities.map(\.name) + series.map(\.name)), reader: reader,
                             allowed: "crm.query reads entity and series tables only; crm's own tables are internal")
        }
        var owners: Set<String> = ["core"]
        var queue = [caller]
        while let name = queue.popLast() {
            guard owners.insert(name).inserted else { continue }
            queue += loaded.first(where: { $0.name == name })?.requires ?? []
        }
        let tables = entities.filter { owners.contains($0.owner) }.map(\.name)
            + series.filter { owners.contains($0.owner) }.map(\.name)
        return ReadScope(tables: Set(tables), reader: "plugin '\(caller)'",
                         allowed: "a plugin reads the core entities, its own and those of the plugins it requires: "
                             + tables.sorted().joined(separator: ", "))
    }

    func entityArg(_ l: LuaState, _ i: Int32, _ function: String) throws -> EntityDefinition {
        try store.schema.require(try l.argString(i, "\(function)(entity, …)"))
    }

    func day(_ l: LuaState, _ i: Int32) throws -> Int {
        try dayArgument(l, i, "crm.days")
    }

    /// A `where` given as the shell's filter text or as a table `{ field = value, … }`
    /// (each an equality; `crm.null` means "is null").
    func filterArgument(_ l: LuaState, at index: Int32, entity e: EntityDefinition) throws -> Filter? {
        switch l.type(at: index) {
        case LUA_TSTRING: return try parseFilter(l.string(at: index)!)
        case LUA_TTABLE: return try equalities(l, at: index, entity: e)
        default: return nil
        }
    }

    /// `opts.where` of an options table.
    func filterOption(_ l: LuaState, at index: Int32, entity e: EntityDefinition) throws -> Filter? {
        defer { crm_lua_pop(l.L, 1) }
        l.rawField("where", at: index)
        return try filterArgument(l, at: -1, entity: e)
    }

    /// True when a table holds list options (`where`, `order`, `limit`, `offset`).
    func isOptions(_ l: LuaState, at index: Int32) -> Bool {
        ["where", "order", "limit", "offset"].contains { key in
            defer { crm_lua_pop(l.L, 1) }
            return l.rawField(key, at: index) != LUA_TNIL
        }
    }

    func equalities(_ l: LuaState, at index: Int32, entity e: EntityDefinition, skipping options: Set<String> = []) throws -> Filter? {
        var parts: [Filter] = []
        var failure: Error?
        l.forEachPair(at: index) {
            guard failure == nil, l.type(at: -2) == LUA_TSTRING, let name = l.string(at: -2), !options.contains(name) else { return }
            guard e.type(of: name) != nil else {
                failure = StoreError.unknownField(entity: e.name, field: name,
                                                  suggestion: NameSuggestion.closest(to: name, in: e.allFieldNames))
                return
            }
            if l.isNullSentinel(at: -1) {
                parts.append(.isNull(FieldRef(name), negated: false))
            } else if l.type(at: -1) == LUA_TBOOLEAN {
                parts.append(.compare(FieldRef(name), .eq, Literal(lua_toboolean(l.L, -1) != 0 ? "yes" : "no")))
            } else if let text = l.string(at: -1) {
                parts.append(.compare(FieldRef(name), .eq, Literal(text, quoted: e.type(of: name) == .text)))
            } else {
                failure = LuaArgumentError("where.\(name): use a string, number, boolean or crm.null")
            }
        }
        if let failure { throw failure }
        return parts.sorted { "\($0)" < "\($1)" }.reduce(nil) { acc, f in acc.map { .and($0, f) } ?? f }
    }
}

extension LuaState {
    func argInteger(_ i: Int32, _ function: String) throws -> Int64 {
        if crm_lua_isinteger(L, i) != 0 { return Int64(crm_lua_tointeger(L, i)) }
        if type(at: i) == LUA_TNUMBER {
            let d = crm_lua_tonumber(L, i)
            if d.rounded() == d, abs(d) < 9e15 { return Int64(d) }
        }
        if type(at: i) == LUA_TSTRING, let s = string(at: i), let n = Int64(s) { return n }
        if type(at: i) == LUA_TTABLE, let id = integerField("id", at: i) { return id }  // a record
        throw LuaArgumentError("\(function): argument #\(i) must be an id (got \(typeName(at: i)))")
    }
}
