import CRMCore
import XCTest
@testable import CRMLua

/// The calendar helpers beside crm.date, money written from Lua, and crm.query giving
/// money in the units every other API uses.
final class DateAndMoneyAPITests: XCTestCase {
    var f: PluginFixture!

    override func setUpWithError() throws {
        f = try PluginFixture()
        try f.plugin("p", ["entities.lua": """
            crm.entity "ledger" {
              fields = { amount = { "money" }, rate = { "decimal", scale = 3 }, month = { "month" } },
            }
            """])
        try f.start(enabling: ["p"])
        XCTAssertEqual(f.host.problems.map(\.description), [])
        _ = try f.eval("crm.set_now('2026-01-31 23:30')")
    }

    override func tearDown() { f = nil }

    func testMonthsFirstAndLastDays() throws {
        XCTAssertEqual(try f.eval("crm.month()"), "\"2026-01\"")
        XCTAssertEqual(try f.eval("crm.month('-1m')"), "\"2025-12\"")
        XCTAssertEqual(try f.eval("crm.month('last-month')"), "\"2025-12\"")
        XCTAssertEqual(try f.eval("crm.month('2026-11-20')"), "\"2026-11\"")
        XCTAssertEqual(try f.eval("crm.month('2026-11-20 23:30')"), "\"2026-11\"")
        XCTAssertEqual(try f.eval("crm.first_day('2024-02')"), "\"2024-02-01\"")
        XCTAssertEqual(try f.eval("crm.last_day('2024-02')"), "\"2024-02-29\"")
        XCTAssertEqual(try f.eval("crm.last_day('2100-02-10')"), "\"2100-02-28\"")
        XCTAssertEqual(try f.eval("crm.last_day('this-month')"), "\"2026-01-31\"")
        XCTAssertEqual(try f.eval("crm.first_day('+1m')"), "\"2026-02-01\"")
    }

    func testAddingMonthsClampsToTheMonthsEnd_andAddingDays() throws {
        XCTAssertEqual(try f.eval("crm.add_months('2026-01-31', 1)"), "\"2026-02-28\"")
        XCTAssertEqual(try f.eval("crm.add_months('2024-01-31', 1)"), "\"2024-02-29\"")
        XCTAssertEqual(try f.eval("crm.add_months('2026-03-31', -1)"), "\"2026-02-28\"")
        XCTAssertEqual(try f.eval("crm.add_months('2026-11', 3)"), "\"2027-02\"")
        XCTAssertEqual(try f.eval("crm.add_months('today', 1)"), "\"2026-02-28\"")
        XCTAssertEqual(try f.eval("crm.add_days('2026-12-31', 1)"), "\"2027-01-01\"")
        XCTAssertEqual(try f.eval("crm.add_days('2024-02-28', 1)"), "\"2024-02-29\"")
        XCTAssertEqual(try f.eval("crm.days('2026-01-01', '2026-03-01')"), "59")
        XCTAssertEqual(try f.eval("crm.days('2024-01-01', '2024-03-01')"), "60")
    }

    /// A stored datetime is UTC; its local date depends on TZ (here: the process's zone).
    func testLocalDateOfADatetime() throws {
        let id = try f.store.create("task", values: ["title": .text("visit")])
        let created = try f.eval("crm.get('task', \(id)).created")
        XCTAssertTrue(created.hasSuffix("Z\""), created)
        let local = DateCodec.dateText(days: DateCodec.localDay(epochSeconds: f.store.clock.now()))
        XCTAssertEqual(try f.eval("crm.date(crm.get('task', \(id)).created)"), "\"\(local)\"")
        XCTAssertEqual(try f.eval("crm.days(crm.get('task', \(id)).created, 'today')"), "0")
    }

    func testBadDatesAndMonthsNameTheValueAndTheForms() throws {
        XCTAssertThrowsError(try f.eval("crm.last_day('2026-13')")) { error in
            XCTAssertTrue("\(error)".contains("crm.last_day: '2026-13' is not a month or a date; use 2026-11, this-month, last-month, -1m, +2m, or a date (2026-11-22, today, -7d)"), "\(error)")
        }
        XCTAssertThrowsError(try f.eval("crm.add_months('2026-01-31', 1.5)")) { error in
            XCTAssertTrue("\(error)".contains("crm.add_months(date, n): n must be a whole number (got 1.5)"), "\(error)")
        }
        XCTAssertThrowsError(try f.eval("crm.add_days('9999-12-31', 1)")) { error in
            XCTAssertTrue("\(error)".contains("leaves the years 0001–9999"), "\(error)")
        }
        XCTAssertThrowsError(try f.eval("crm.month('bogus')")) { error in
            XCTAssertTrue("\(error)".contains("crm.month: 'bogus' is not a month or a date"), "\(error)")
        }
    }

    /// Money written from Lua as a double rounds half away from zero, like report columns.
    func testMoneyFromLuaRoundsHalfAwayFromZero() throws {
        let written = try f.eval("""
            (function()
              local out = {}
              for _, v in ipairs({ 0.005, 0.015, 0.025, 1.005, -0.005, -2.675, 100.05 * 0.3 }) do
                local r = crm.create("ledger", { amount = v, rate = v })
                out[#out + 1] = string.format("%.2f/%.3f", r.amount, r.rate)
              end
              return table.concat(out, " ")
            end)()
            """)
        XCTAssertEqual(written, "\"0.01/0.005 0.02/0.015 0.03/0.025 1.01/1.005 -0.01/-0.005 -2.68/-2.675 30.02/30.015\"")
    }

    /// crm.query: money and decimal fields, and their sums, come back as amounts (as
    /// crm.get gives them); other expressions over them as SQLite computes them, in cents.
    func testQueryGivesMoneyFieldsAndTheirAggregatesAsAmounts() throws {
        _ = try f.eval("crm.create('ledger', { amount = 10.01, rate = 0.125, month = '2026-01' })")
        _ = try f.eval("crm.create('ledger', { amount = 10.02, rate = 0.25, month = '-1m' })")
        func q(_ sql: String) throws -> String { try f.eval("crm.query([[\(sql)]])[1]") }
        XCTAssertEqual(try q("select amount, l.rate, month from ledger l order by id"),
                       "{\n  amount = 10.01,\n  month = \"2026-01\",\n  rate = 0.125\n}")
        XCTAssertEqual(try q("""
            select sum(amount) as s, max(l.amount) m, min(amount), avg(amount) as a,
                   coalesce(sum(amount), 0) as c, total(amount) as t, sum(rate) as r from ledger l
            """), "{\n  a = 10.02,\n  c = 20.03,\n  m = 10.02,\n  [\"min(amount)\"] = 10.01,\n  r = 0.375,\n  s = 20.03,\n  t = 20.03\n}")
        // Expressions stay in stored units: cents (and thousandths for decimal(3)).
        XCTAssertEqual(try q("select amount * 1 as x, sum(amount) / 100.0 as y, rate + 0 as z from ledger order by id"),
                       "{\n  x = 1001,\n  y = 20.03,\n  z = 125\n}")
        // Through a subquery and a CTE the field is still known.
        XCTAssertEqual(try q("with w as (select amount from ledger) select x.amount from (select amount from w) x order by 1"),
                       "{\n  amount = 10.01\n}")
        XCTAssertEqual(try q("select count(*) as n from ledger where month >= '2026-01'"), "{\n  n = 1\n}")
    }
}
