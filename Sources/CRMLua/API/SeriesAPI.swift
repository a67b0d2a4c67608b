import CLua
import CRMCore

/// `crm.series` (declare a time series: readings keyed by a record and a time, stored
/// compactly and loaded in bulk by `import`) and `crm.append` (add readings from Lua).
extension PluginHost {
    func registerSeriesAPI(into add: (String, @escaping LuaState.HostFunction) -> Void) {
        add("define_series") { [unowned self] l in
            let plugin = try l.argString(1, "crm.series"), name = try l.argString(2, "crm.series")
            let series = try self.seriesDefinition(l, plugin: plugin, name: name, at: 3)
            guard let store = self.store as? SeriesStore else {
                throw LuaArgumentError("crm.series \"\(name)\": this store keeps no series")
            }
            try store.installSeries(series)
            knownSeries = nil  // crm.query's scope reads the series again
            return 0
        }
        add("append_series") { [unowned self] l in
            let name = try l.argString(1, "crm.append(series, rows)")
            guard l.type(at: 2) == LUA_TTABLE else {
                throw LuaArgumentError("crm.append(series, rows): rows is a table of readings, or one reading")
            }
            guard let store = self.store as? SeriesStore else { throw LuaArgumentError("crm.append: this store keeps no series") }
            var rows: [[String: String]] = []
            if l.length(at: 2) == 0 {
                rows.append(try self.readingText(l, at: 2))
            } else {
                for i in 0..<l.length(at: 2) {
                    l.pushElement(i + 1, of: 2)
                    defer { crm_lua_pop(l.L, 1) }
                    rows.append(try self.readingText(l, at: -1))
                }
            }
            l.push(Int64(try store.appendSeries(name, rows: rows, source: "crm.append")))
            return 1
        }
        add("series_days") { [unowned self] l in
            let usage = "crm.series_days(series, { field =, from =, to = [, keys = { id, … }] })"
            let name = try l.argString(1, usage)
            guard l.type(at: 2) == LUA_TTABLE, let field = l.stringField("field", at: 2),
                  let from = l.stringField("from", at: 2), let to = l.stringField("to", at: 2) else {
                throw LuaArgumentError("\(usage): field, from and to are required")
            }
            guard let store = self.store as? SeriesStore else { throw LuaArgumentError("crm.series_days: this store keeps no series") }
            var keys: [Int64]?
            if l.rawField("keys", at: 2) == LUA_TTABLE {
                keys = try (0..<l.length(at: -1)).map { i in
                    l.pushElement(i + 1, of: -1)
                    defer { crm_lua_pop(l.L, 1) }
                    return try l.argInteger(-1, "crm.series_days: keys")
                }
            }
            crm_lua_pop(l.L, 1)
            let days = try store.seriesDays(name, field: field, from: from, to: to, keys: keys)
            lua_createtable(l.L, Int32(days.count), 0)
            for (i, d) in days.enumerated() {
                lua_createtable(l.L, 0, 6)
                l.push(Value.integer(d.key)); l.setField("key", at: -2)
                l.push(Value.date(d.day)); l.setField("day", at: -2)
                l.push(Value.integer(Int64(d.points))); l.setField("points", at: -2)
                l.push(Value.decimal(d.sum)); l.setField("sum", at: -2)
                l.push(Value.decimal(d.min)); l.setField("min", at: -2)
                l.push(Value.decimal(d.max)); l.setField("max", at: -2)
                lua_rawseti(l.L, -2, lua_Integer(i + 1))
            }
            return 1
        }
    }

    /// One reading as `[column: text]`: numbers and strings as Lua writes them.
    func readingText(_ l: LuaState, at index: Int32) throws -> [String: String] {
        guard l.type(at: index) == LUA_TTABLE else {
            throw LuaArgumentError("crm.append: each reading is a table like { account = 1, at = \"2026-11-01 00:15\", kw = 12.5 }")
        }
        var row: [String: String] = [:]
        var failure: Error?
        l.forEachPair(at: index) {
            guard failure == nil, l.type(at: -2) == LUA_TSTRING, let key = l.string(at: -2) else { return }
            guard let text = l.string(at: -1) else {
                failure = LuaArgumentError("crm.append: \(key) is \(l.typeName(at: -1)); readings hold numbers and text")
                return
            }
            row[key] = text
        }
        if let failure { throw failure }
        return row
    }

    func seriesDefinition(_ l: LuaState, plugin: String, name: String, at index: Int32) throws -> SeriesDefinition {
        let what = "crm.series \"\(name)\""
        // key = "account" (a reference to the entity of that name) or { "account", entity = "meter_point" }
        var key: String?, keyEntity: String?
        switch l.rawField("key", at: index) {
        case LUA_TSTRING:
            key = l.string(at: -1)
            keyEntity = key
        case LUA_TTABLE:
            l.pushElement(1, of: l.absolute(-1))
            key = l.string(at: -1)
            crm_lua_pop(l.L, 1)
            keyEntity = l.stringField("entity", at: -1) ?? key
        default: break
        }
        crm_lua_pop(l.L, 1)
        guard let key, let keyEntity else {
            throw LuaArgumentError("\(what): key = \"account\" (the entity each reading belongs to) is required")
        }
        let time = l.stringField("time", at: index) ?? "at"
        var step = 0
        if let every = l.stringField("every", at: index) {
            guard let s = PluginHost.seconds(every) else {
                throw LuaArgumentError("\(what): every = \"\(every)\" is not a period like 15m or 1h")
            }
            step = s
        }
        guard l.rawField("fields", at: index) == LUA_TTABLE else {
            crm_lua_pop(l.L, 1)
            throw LuaArgumentError("\(what): fields = { { \"kw\", \"decimal\", scale = 3 }, … } is required")
        }
        let fields = try l.specs(at: -1, what: "field").map { try FieldDefinition(spec: $0, entity: name) }
        crm_lua_pop(l.L, 1)
        // limits = { kw = { per = "capacity_kva", times = 10 } }
        var limits: [SeriesDefinition.Limit] = []
        if l.rawField("limits", at: index) == LUA_TTABLE {
            var failure: Error?
            l.forEachPair(at: -1) {
                guard failure == nil, let field = l.string(at: -2) else { return }
                guard l.type(at: -1) == LUA_TTABLE, let per = l.stringField("per", at: -1) else {
                    failure = LuaArgumentError("\(what): limits.\(field) = { per = \"capacity\", times = 10 }")
                    return
                }
                l.push("times")
                lua_rawget(l.L, -2)
                let times = lua_type(l.L, -1) == LUA_TNUMBER ? lua_tonumberx(l.L, -1, nil) : 1
                crm_lua_pop(l.L, 1)
                limits.append(SeriesDefinition.Limit(field: field, per: per, times: times))
            }
            if let failure { crm_lua_pop(l.L, 1); throw failure }
        }
        crm_lua_pop(l.L, 1)
        let series = SeriesDefinition(name: name, label: l.stringField("label", at: index) ?? name, owner: plugin,
                                      key: key, keyEntity: keyEntity, time: time, step: step, fields: fields,
                                      limits: limits.sorted { $0.field < $1.field })
        do { try series.validate() } catch let e as SeriesError { throw LuaArgumentError(e.message) }
        return series
    }
}
