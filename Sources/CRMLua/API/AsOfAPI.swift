import CLua
import CRMCore
import Foundation

/// `crm.get_as_of` and `crm.as_of`: records and tables as they stood at the end of a past
/// day, rebuilt by the store from the audit trail (see `SQLiteStore.record(_:id:asOf:)`).
extension PluginHost {
    func registerAsOfAPI(into add: (String, @escaping LuaState.HostFunction) -> Void) {
        add("get_as_of") { [unowned self] l in
            // crm.get_as_of("loan", 7, "2026-10-31") → the record as it was then, or nil
            let e = try self.entityArg(l, 1, "crm.get_as_of")
            let id = try l.argInteger(2, "crm.get_as_of(entity, id, date)")
            let date = try self.asOfDate(l, 3, "crm.get_as_of(entity, id, date)")
            guard let record = try self.past().record(e.name, id: id, asOf: date) else { l.pushNil(); return 1 }
            l.push(record, entity: e)
            return 1
        }
        add("as_of") { [unowned self] l in
            // crm.as_of("loan", "2026-10-31") → "asof_loan_20261031", a table for crm.query
            let e = try self.entityArg(l, 1, "crm.as_of")
            let date = try self.asOfDate(l, 2, "crm.as_of(entity, date)")
            l.push(try self.past().materializeAsOf(e.name, date: date))
            return 1
        }
    }

    func past() throws -> PastReading {
        guard let past = store as? PastReading else {
            throw LuaArgumentError("this database cannot rebuild records as of a past day")
        }
        return past
    }

    /// A moment argument: a date as `YYYY-MM-DD` (its end), date text such as `"-1m"` or
    /// `"today"`, or an instant (`"2026-03-01T01:00:00Z"`, `"2026-03-01 01:00"`).
    func asOfDate(_ l: LuaState, _ i: Int32, _ usage: String) throws -> String {
        guard l.type(at: i) == LUA_TSTRING, let text = l.string(at: i) else {
            throw LuaArgumentError("\(usage): the date must be text like \"2026-10-31\" (got \(l.typeName(at: i)))")
        }
        if text.count > 10, let t = DateCodec.parseLocalDateTime(text) {
            return DateCodec.utcText(epochSeconds: t)
        }
        guard case .date(let date) = try ValueParser(clock: store.clock).parse(text, as: .date) else {
            throw LuaArgumentError("\(usage): '\(text)' is not a date")
        }
        return date
    }
}
