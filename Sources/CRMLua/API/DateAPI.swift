import CLua
import CRMCore

/// The calendar helpers beside `crm.date` and `crm.days`: months, their first and last
/// days, adding months and days. They read dates the way `crm.date` does (a date, a
/// relative word, a datetime or epoch seconds as its local date), so no plugin needs
/// `os.time`/`os.date` and their time-zone traps.
///
/// Local means the time zone of the process: `TZ` when it is set, else the system's.
extension PluginHost {
    func registerDateAPI(into add: (String, @escaping LuaState.HostFunction) -> Void) {
        add("month") { [unowned self] l in
            // crm.month() is this month; crm.month("2026-11-20"), crm.month("-1m"), crm.month(epoch).
            let m = l.type(at: 1) <= LUA_TNIL ? Month(day: self.store.clock.today) : try self.monthArgument(l, 1, "crm.month")
            l.push(m.description)
            return 1
        }
        add("first_day") { [unowned self] l in
            l.push(DateCodec.dateText(days: try self.monthArgument(l, 1, "crm.first_day").firstDay))
            return 1
        }
        add("last_day") { [unowned self] l in
            l.push(DateCodec.dateText(days: try self.monthArgument(l, 1, "crm.last_day").lastDay))
            return 1
        }
        add("add_months") { [unowned self] l in
            // crm.add_months("2026-01-31", 1) is 2026-02-28: the day is kept, or clamped to the month's end.
            // crm.add_months("2026-11", 3) is 2027-02: a month gives a month.
            let n = try self.count(l, 2, "crm.add_months(date, n)")
            if l.type(at: 1) == LUA_TSTRING, let text = l.string(at: 1), let m = Month(text: text) {
                guard let moved = m.adding(months: n) else { throw self.outside("crm.add_months", text, n) }
                l.push(moved.description)
                return 1
            }
            let day = try self.dayArgument(l, 1, "crm.add_months")
            let moved = RelativeDate.apply(.months(n), to: day)
            guard RelativeDate.validDays.contains(moved) else { throw self.outside("crm.add_months", l.string(at: 1) ?? "", n) }
            l.push(DateCodec.dateText(days: moved))
            return 1
        }
        add("add_days") { [unowned self] l in
            let n = try self.count(l, 2, "crm.add_days(date, n)")
            let (moved, overflow) = try self.dayArgument(l, 1, "crm.add_days").addingReportingOverflow(n)
            guard !overflow, RelativeDate.validDays.contains(moved) else { throw self.outside("crm.add_days", l.string(at: 1) ?? "", n) }
            l.push(DateCodec.dateText(days: moved))
            return 1
        }
    }

    /// The local day a Lua argument means: a date (`2026-11-22`, `today`, `-7d`), a date
    /// and time (`2026-11-20 23:30`, a stored `…Z` datetime) or epoch seconds, as its
    /// local date.
    func dayArgument(_ l: LuaState, _ i: Int32, _ function: String) throws -> Int {
        if l.type(at: i) == LUA_TNUMBER {
            return DateCodec.localDay(epochSeconds: Int(try l.argInteger(i, function)))
        }
        guard l.type(at: i) == LUA_TSTRING, let text = l.string(at: i) else {
            throw LuaArgumentError("\(function): argument #\(i) must be a date (got \(l.typeName(at: i)))")
        }
        let parser = ValueParser(clock: store.clock)
        if case .date(let d)? = try? parser.parse(text, as: .date), let day = DateCodec.days(ofDate: d) { return day }
        if let instant = try? parser.instant(text) { return DateCodec.localDay(epochSeconds: instant) }
        throw LuaArgumentError("\(function): '\(text)' is not a date; use 2026-11-22, today, yesterday, tomorrow, "
                               + "-7d, +2w, -3m, +1y, or a date and time (2026-11-22 09:30)")
    }

    /// The month a Lua argument means: a month (`2026-11`, `this-month`, `last-month`,
    /// `-1m`) or the month of anything `dayArgument` reads.
    func monthArgument(_ l: LuaState, _ i: Int32, _ function: String) throws -> Month {
        if l.type(at: i) == LUA_TSTRING, let text = l.string(at: i), let m = Month.parse(text, today: store.clock.today) {
            return m
        }
        do {
            return Month(day: try dayArgument(l, i, function))
        } catch {
            let shown = l.type(at: i) == LUA_TSTRING ? "'\(l.string(at: i) ?? "")'" : "a \(l.typeName(at: i))"
            throw LuaArgumentError("\(function): \(shown) is not a month or a date; use 2026-11, this-month, last-month, "
                                   + "-1m, +2m, or a date (2026-11-22, today, -7d)")
        }
    }

    private func count(_ l: LuaState, _ i: Int32, _ function: String) throws -> Int {
        guard l.type(at: i) == LUA_TNUMBER, crm_lua_isinteger(l.L, i) != 0 || crm_lua_tonumber(l.L, i).rounded() == crm_lua_tonumber(l.L, i),
              let n = Int(exactly: crm_lua_tonumber(l.L, i)), abs(n) <= 1_200_000 else {
            throw LuaArgumentError("\(function): n must be a whole number (got \(l.string(at: i) ?? l.typeName(at: i)))")
        }
        return n
    }

    private func outside(_ function: String, _ text: String, _ n: Int) -> LuaArgumentError {
        LuaArgumentError("\(function): '\(text)' moved by \(n) leaves the years 0001–9999")
    }
}
