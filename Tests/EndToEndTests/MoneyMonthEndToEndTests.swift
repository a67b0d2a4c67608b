import CRMTestSupport
import Foundation
import XCTest

/// Money's one rounding rule (half away from zero) through every path a user takes: a
/// rule's Lua write on `add` and `import`, report columns, `crm.query`; month fields and
/// parameters; `io.stderr` in scripts; `crm.run_job` and `require` in plugin tests.
final class MoneyMonthEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        try sandbox.write("return { name = \"splits\", version = \"1\", description = \"commission splits\" }\n",
                          to: "plugins/splits/plugin.lua")
        try sandbox.write("""
            crm.entity "split" {
              fields = {
                amount = { "money", required = true },
                rate = { "decimal", scale = 4, required = true },
                share = { "money" },
                month = { "month", default = "this-month" },
              },
            }
            """, to: "plugins/splits/entities.lua")
        // The share is computed in Lua, as a double: 100.05 * 0.3 is 30.014999999999997.
        try sandbox.write("""
            crm.before({ "create", "update" }, "split", "share of the amount", function(s)
              s.share = s.amount * s.rate
            end)
            """, to: "plugins/splits/rules.lua")
        try sandbox.write("""
            crm.report "shares" {
              params = { { "month", "month", default = "this-month" } },
              run = function(p)
                local rows = crm.query([[
                  select id, amount, share, amount * 1 as cents, month from split where month = ? order by id
                ]], p.month)
                local out = {}
                for _, r in ipairs(rows) do
                  -- A money column from a Lua double: half a share.
                  out[#out + 1] = { r.id, r.amount, r.share, r.share / 2, r.cents, r.month }
                end
                return {
                  title = "shares in " .. p.month,
                  columns = { "id", { "amount", type = "money" }, { "share", type = "money" },
                              { "half", type = "money" }, "cents", "month" },
                  rows = out,
                }
              end,
            }
            -- The statement: the same share computed again in Lua, shown in a money column.
            crm.report "statement" {
              run = function()
                local out = {}
                for _, s in ipairs(crm.list("split", { order = "id" })) do out[#out + 1] = { s.id, s.amount * s.rate, s.share } end
                return { columns = { "id", { "computed", type = "money" }, { "recorded", type = "money" } }, rows = out }
              end,
            }
            """, to: "plugins/splits/reports.lua")
    }

    /// The defect: a share written from Lua rounded half-to-even (0.025 → 0.02)
    /// while the statement's money column rounded half away from zero (0.03), so the
    /// statement and the record differed by a fen. Now both say the same at every edge.
    func testStatementAndRecordAgreeToTheFen() throws {
        var commands = ["plugin enable splits"]
        for (amount, rate, _) in Self.edges { commands.append("add split amount=\(amount) rate=\(rate)") }
        XCTAssertEqual(try crm(commands[0]).status, 0)
        for c in commands.dropFirst() { XCTAssertEqual(try crm(c).status, 0) }
        let r = try sandbox.crm(["--plugins", sandbox.path("plugins"), "--format", "csv", "-c", "report statement"])
        XCTAssertEqual(r.status, 0, "\(r)")
        let rows = r.stdoutLines.dropFirst().map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(rows.map { $0[1] }, Self.edges.map(\.2), "\(r)")
        XCTAssertEqual(rows.map { $0[2] }, Self.edges.map(\.2), "\(r)")
    }

    override func tearDown() { sandbox?.remove() }

    func crm(_ commands: String...) throws -> CommandResult {
        try sandbox.crm(["--plugins", sandbox.path("plugins")] + commands.flatMap { ["-c", $0] })
    }

    /// (amount, rate, share): every share is a half cent that rounds away from zero.
    static let edges: [(String, String, String)] = [
        ("0.05", "0.1", "0.01"),     // 0.005
        ("0.15", "0.1", "0.02"),     // 0.015
        ("0.25", "0.1", "0.03"),     // 0.025: half-to-even gave 0.02
        ("10.05", "0.1", "1.01"),    // 1.005: the double is below it
        ("-0.05", "0.1", "-0.01"),   // -0.005
        ("-26.75", "0.1", "-2.68"),  // -2.675 as a double from Lua
        ("100.05", "0.3", "30.02"),  // 30.015 as 30.014999999999997
    ]

    func testRuleWritesOnAddRoundHalfAwayFromZero() throws {
        var commands = ["plugin enable splits"]
        for (amount, rate, _) in Self.edges { commands.append("add split amount=\(amount) rate=\(rate)") }
        let added = try sandbox.crm(["--plugins", sandbox.path("plugins")] + commands.flatMap { ["-c", $0] })
        XCTAssertEqual(added.status, 0, "\(added)")
        let list = try sandbox.crm(["--plugins", sandbox.path("plugins"), "--format", "csv", "-c", "list split order by id"])
        XCTAssertEqual(list.stdoutLines.dropFirst().map { $0.split(separator: ",").map(String.init)[4] },
                       Self.edges.map(\.2), "\(list)")
    }

    func testRuleWritesOnImportRoundTheSame_andOverPreciseTypedAmountsAreRejected() throws {
        XCTAssertEqual(try crm("plugin enable splits").status, 0)
        var csv = "amount,rate\n"
        for (amount, rate, _) in Self.edges { csv += "\(amount),\(rate)\n" }
        csv += "1.005,0.1\n"  // typed with three decimals: a typo, not a sum, so refused
        try sandbox.write(csv, to: "splits.csv")
        let r = try crm("import split splits.csv")
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertEqual(r.stderrLines, [
            "splits.csv:9: split.amount: '1.005' is not valid, expected an amount with at most 2 decimal places",
            "-c:1: splits.csv: imported 7 split, rejected 1 (written to splits.rejects.csv)",
        ])
        let shares = try sandbox.crm(["--plugins", sandbox.path("plugins"), "--format", "csv", "-c", "list split order by id"])
        XCTAssertEqual(shares.stdoutLines.dropFirst().map { $0.split(separator: ",").map(String.init)[4] }, Self.edges.map(\.2))
        let typed = try crm("add split amount=0.005 rate=1")
        XCTAssertEqual(typed.status, 1)
        XCTAssertEqual(typed.stderr, "-c:1: split.amount: '0.005' is not valid, expected an amount with at most 2 decimal places\n")
    }

    /// The report's money columns (from crm.query, and from a Lua double) and the month
    /// parameter: crm.query gives money fields as amounts and expressions in cents.
    func testReportColumnsRoundHalfAwayFromZero_andMonthParametersAreRelative() throws {
        let r = try sandbox.crm(["--plugins", sandbox.path("plugins"), "--format", "csv",
                                 "-c", "plugin enable splits",
                                 "-c", "add split amount=0.05 rate=0.6",     // share 0.03, half 0.015
                                 "-c", "add split amount=-8.9 rate=0.6",     // share -5.34, half -2.67
                                 "-c", "add split amount=-26.75 rate=0.2",   // share -5.35, half -2.675
                                 "-c", "add split amount=1 rate=1 month=-1m",
                                 "-c", "report shares", "-c", "report shares month=-1m"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(Array(r.stdoutLines.dropFirst(5)), [  // after "enabled splits" and the four ids
            "id,amount,share,half,cents,month",
            "1,0.05,0.03,0.02,5,2026-11",
            "2,-8.90,-5.34,-2.67,-890,2026-11",
            "3,-26.75,-5.35,-2.68,-2675,2026-11",
            "id,amount,share,half,cents,month",
            "4,1.00,1.00,0.50,100,2026-10",
        ])
    }

    func testMonthFieldsFilterAndRefuseImpossibleMonths() throws {
        let r = try crm("plugin enable splits", "add split amount=1 rate=1 month=2025-12", "add split amount=2 rate=1 month=2026-01",
                        "add split amount=3 rate=1", "count split where month >= 2026-01", "count split where month < this-month",
                        "count split where month = last-month")
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(Array(r.stdoutLines.suffix(3)), ["2", "2", "0"])
        let bad = try crm("add split amount=1 rate=1 month=2026-13")
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.stderr, "-c:1: split.month: '2026-13' is not valid, expected a month like 2026-11, this-month, last-month, -1m or +2m\n")
        let param = try crm("report shares month=0000-01")
        XCTAssertEqual(param.status, 1)
        XCTAssertTrue(param.stderr.contains("month='0000-01' is not a month like 2026-11, this-month, last-month, -1m or +2m"), param.stderr)
    }

    /// `io.stderr:write` in a script goes to the process's stderr, never to stdout.
    func testScriptWritesToStandardError() throws {
        let script = try sandbox.write("""
            io.stderr:write("warning: ", 3, " rows skipped\\n"):write("second line\\n")
            io.write("out\\n")
            return "done"
            """, to: "warn.lua")
        let r = try sandbox.crm(["run", script])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout, "out\ndone\n")
        XCTAssertEqual(r.stderr, "warning: 3 rows skipped\nsecond line\n")
    }

    /// A plugin without the write permission may not write to stderr either.
    func testAPluginNeedsTheWritePermissionForStderr() throws {
        try sandbox.write("""
            crm.command "shout" { run = function() io.stderr:write("x\\n"); return "ok" end }
            """, to: "plugins/splits/commands.lua")
        let r = try crm("plugin enable splits", "shout")
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("io.stderr:write is not allowed: plugin 'splits' needs permission 'write'"), r.stderr)
    }

    /// Jobs are the scheduler's: a plugin's own code may not run one.
    func testAPluginCannotRunJobsItself() throws {
        try sandbox.write("""
            crm.command "now" { run = function() return crm.run_job("x") end }
            """, to: "plugins/splits/commands.lua")
        let r = try crm("plugin enable splits", "now")
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("crm.run_job is for tests and scripts; plugin 'splits' has its jobs run by the scheduler (crm jobs run)"), r.stderr)
    }

    /// A plugin's tests reach its own modules with require and run its jobs with
    /// crm.run_job, on the pinned clock, as the scheduler would.
    func testPluginTestsRunJobsAndRequireThePluginsModules() throws {
        try sandbox.write("""
            local M = {}
            M.calls = 0
            --- The month a visit task is for: the month after the one given.
            function M.next_month(m) M.calls = M.calls + 1; return crm.add_months(m, 1) end
            return M
            """, to: "plugins/splits/lib/telecom.lua")
        try sandbox.write("return { shout = function() io.write(\"x\") end }\n", to: "plugins/splits/lib/writer.lua")
        try sandbox.write("""
            local telecom = require("lib.telecom")
            crm.job "monthly split" {
              every = "1d",
              run = function()
                local m = telecom.next_month(crm.month())
                crm.create("split", { amount = 1, rate = 0.5, month = m })
                return "split for " .. m
              end,
            }
            """, to: "plugins/splits/jobs.lua")
        try sandbox.write("""
            local telecom = require("lib.telecom")
            describe("monthly split", function()
              it("runs on the pinned clock, once a day", function()
                crm.set_now("2026-01-31 08:00")
                expect.equal(crm.run_job("monthly split"), "split for 2026-02")
                local s = crm.list("split")[1]
                expect.equal(s.month, "2026-02")
                expect.equal(s.share, 0.5)
                local ran, why = crm.run_job("monthly split")
                expect.equal(ran, nil)
                expect.equal(why, "not due until 2026-02-01 08:00")
                expect.equal(crm.run_job("monthly split", { force = true }), "split for 2026-02")
              end)
              it("shares the module the plugin's code uses", function()
                local before = telecom.calls
                crm.run_job("monthly split", { force = true })
                expect.equal(telecom.calls, before + 1)
                expect.equal(telecom.next_month("2026-12"), "2027-01")
              end)
              it("loads the module under the plugin's sandbox, not the test's", function()
                local writer = require("lib.writer")
                expect.error(function() writer.shout() end, "io.write is not allowed: plugin 'splits' needs permission 'write'")
              end)
              it("names a job that does not exist", function()
                expect.error(function() crm.run_job("monthly splitt") end, "no job named 'monthly splitt' (did you mean 'monthly split'?)")
              end)
            end)
            """, to: "plugins/splits/tests/jobs_test.lua")
        let r = try sandbox.run(["test", sandbox.path("plugins/splits")])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout, "4 passed, 0 failed\n")
    }
}
