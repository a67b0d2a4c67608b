import CRMCore
import Foundation
import XCTest
@testable import CRMLua

/// Computed and rolled-up fields declared by a plugin, kept current by the store's writes.
final class ComputedFieldTests: XCTestCase {
    var f: PluginFixture!

    override func setUpWithError() throws { f = try PluginFixture() }
    override func tearDown() { f = nil }

    static let telecom = """
        crm.entity "group" {
          fields = {
            { "code", "text", required = true, unique = true },
            { "total_fee", "money", rollup = { from = "member", sum = "monthly_fee", where = { status = "active" } } },
            { "members", "integer", rollup = { from = "member", count = true, where = { status = "active" } } },
            { "grade", "enum", values = { "A", "B" }, compute = {
                depends = { "total_fee", "setting:grade_a_minimum" },
                fn = function(g)
                  if g.total_fee >= crm.setting("grade_a_minimum") then return "A" end
                  return "B"
                end } },
          },
        }
        crm.entity "member" {
          fields = {
            { "line", "text", required = true },
            { "group", "ref", entity = "group" },
            { "monthly_fee", "money", default = 0 },
            { "status", "enum", values = { "active", "closed" }, default = "active" },
            { "group_code", "text", compute = { depends = { "group.code" }, fn = function(m)
                return m.group and crm.get("group", m.group).code or nil
              end } },
          },
        }
        """

    func startTelecom(rules: String = "") throws {
        try f.plugin("telecom", manifest: "settings = { { \"grade_a_minimum\", \"money\", default = 500 } },",
                     ["entities.lua": ComputedFieldTests.telecom, "rules.lua": rules])
        try f.start(enabling: ["telecom"])
    }

    func group(_ id: Int64) throws -> (total: String, members: String, grade: String) {
        let r = try XCTUnwrap(try f.store.record("group", id: id))
        return (r["total_fee"].displayText, r["members"].displayText, r["grade"].displayText)
    }

    func member(_ line: String, _ group: Int64?, _ fee: String) throws -> Int64 {
        var values: [String: Value] = ["line": .text(line), "monthly_fee": .decimal(Fixed(parsing: fee, scale: 2)!)]
        if let group { values["group"] = .integer(group) }
        return try f.store.create("member", values: values)
    }

    func testRollupFollowsCreateChangeReparentAndDelete() throws {
        try startTelecom()
        let g1 = try f.store.create("group", values: ["code": .text("G1")])
        let g2 = try f.store.create("group", values: ["code": .text("G2")])
        XCTAssertEqual(try group(g1).total, "0.00")
        XCTAssertEqual(try group(g1).members, "0")
        let a = try member("1", g1, "300")
        let b = try member("2", g1, "250")
        XCTAssertEqual(try group(g1).total, "550.00", "create")
        XCTAssertEqual(try group(g1).members, "2")
        try f.store.update("member", id: b, values: ["monthly_fee": .decimal(Fixed(parsing: "100", scale: 2)!)])
        XCTAssertEqual(try group(g1).total, "400.00", "change")
        try f.store.update("member", id: b, values: ["group": .integer(g2)])
        XCTAssertEqual(try group(g1).total, "300.00", "re-parent: the old parent")
        XCTAssertEqual(try group(g2).total, "100.00", "re-parent: the new parent")
        try f.store.update("member", id: a, values: ["status": .text("closed")])
        XCTAssertEqual(try group(g1).total, "0.00", "the where field")
        XCTAssertEqual(try group(g1).members, "0")
        try f.store.update("member", id: a, values: ["status": .text("active")])
        try f.store.delete("member", id: a)
        XCTAssertEqual(try group(g1).total, "0.00", "delete")
        XCTAssertEqual(try group(g2).members, "1")
    }

    func testAFunctionOfARollupAndASetting_followsBoth() throws {
        try startTelecom()
        let g = try f.store.create("group", values: ["code": .text("G1")])
        _ = try member("1", g, "300")
        XCTAssertEqual(try group(g).grade, "B")
        _ = try member("2", g, "200")
        XCTAssertEqual(try group(g).grade, "A", "the roll-up moved, the grade reading it follows in the same write")
        let summary = try f.host.setSetting("telecom.grade_a_minimum", "800")
        XCTAssertEqual(summary, RecomputeSummary(recomputed: 1, changed: 1))
        XCTAssertEqual(try group(g).grade, "B", "a setting change recomputes what reads it")
        try f.host.setSetting("telecom.grade_a_minimum", nil)
        XCTAssertEqual(try group(g).grade, "A")
    }

    func testAFieldReadingItsReferencesField_followsItAndTheReferenceMoving() throws {
        try startTelecom()
        let g1 = try f.store.create("group", values: ["code": .text("G1")])
        let g2 = try f.store.create("group", values: ["code": .text("G2")])
        let m = try member("1", g1, "10")
        XCTAssertEqual(try f.store.record("member", id: m)?["group_code"], .text("G1"))
        try f.store.update("group", id: g1, values: ["code": .text("G1-new")])
        XCTAssertEqual(try f.store.record("member", id: m)?["group_code"], .text("G1-new"))
        try f.store.update("member", id: m, values: ["group": .integer(g2)])
        XCTAssertEqual(try f.store.record("member", id: m)?["group_code"], .text("G2"))
    }

    func testRecomputesAreAuditedLikeAnyChange() throws {
        try startTelecom()
        let g = try f.store.create("group", values: ["code": .text("G1")])
        _ = try member("1", g, "600")
        let history = try f.store.history("group", id: g)
        let fields = history.rows.map { $0[history.columns.firstIndex { $0.name == "field" }!].displayText }
        XCTAssertEqual(fields, ["", "total_fee", "members", "grade"])
    }

    func testImportRecomputesEachParentOncePerBatch() throws {
        try startTelecom()
        let g1 = try f.store.create("group", values: ["code": .text("G1")])
        let g2 = try f.store.create("group", values: ["code": .text("G2")])
        var csv = "line,group,monthly_fee\n"
        for i in 1...200 { csv += "\(i),\(i % 2 == 0 ? "G1" : "G2"),1.50\n" }
        let path = f.root + "/members.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        f.traced = []
        let result = try Importer(store: f.store, entity: "member", path: path, atomic: false).run()
        XCTAssertEqual(result.imported, 200)
        XCTAssertEqual(try group(g1).total, "150.00")
        XCTAssertEqual(try group(g2).members, "100")
        let gradeComputes = f.traced.filter { $0.hasPrefix("trace: compute group") }
        XCTAssertEqual(gradeComputes.count, 2, "one recompute per group for the batch: \(gradeComputes)")
        XCTAssertEqual(try f.store.history("group", id: g1).rows.count, 3, "created, then total_fee and members once each")
    }

    func testARowRefusedByARuleLeavesItsParentAsTheGoodRowsMakeIt() throws {
        try startTelecom(rules: """
            crm.after("create", "member", "no line 13", function(m)
              if m.line == "13" then crm.refuse("line 13 is not given out") end
            end)
            """)
        let g = try f.store.create("group", values: ["code": .text("G1")])
        let path = f.root + "/members.csv"
        try "line,group,monthly_fee\n12,G1,10\n13,G1,20\n14,G1,30\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Importer(store: f.store, entity: "member", path: path, atomic: false).run()
        XCTAssertEqual(result.imported, 2)
        XCTAssertEqual(result.rejected, 1)
        XCTAssertEqual(try group(g).total, "40.00")
        XCTAssertEqual(try group(g).members, "2")
    }

    func testAReadInsideTheCommandSeesTheRecomputedParent() throws {
        try startTelecom()
        let g = try f.store.create("group", values: ["code": .text("G1")])
        let total = try f.store.atomically {
            try f.eval("(function() crm.create('member', { line = '1', group = \(g), monthly_fee = 42 }) return crm.get('group', \(g)).total_fee end)()")
        }
        XCTAssertEqual(total, "42.0")
    }

    func testPeopleCannotWriteAComputedField() throws {
        try startTelecom()
        let g = try f.store.create("group", values: ["code": .text("G1")])
        XCTAssertThrowsError(try f.store.create("group", values: ["code": .text("G2"), "grade": .text("A")])) { error in
            XCTAssertEqual("\(error)", "group.grade is computed (by telecom/entities.lua:8 from total_fee, setting:grade_a_minimum); it cannot be set by add, update or import")
        }
        XCTAssertThrowsError(try f.store.update("group", id: g, values: ["total_fee": .integer(1)])) { error in
            XCTAssertEqual("\(error)", "group.total_fee is computed (sum of member.monthly_fee where status = active); it cannot be set by add, update or import")
        }
        let path = f.root + "/groups.csv"
        try "code,members\nG3,4\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Importer(store: f.store, entity: "group", path: path, atomic: false).run()) { error in
            XCTAssertEqual("\(error)", "\(path):1: column 'members' goes to group.members, which is computed (count of member where status = active) and cannot be imported; leave the column out or add map members=-")
        }
        XCTAssertEqual(try f.store.count("group", where: nil), 1)
    }

    func testARecordReadAndWrittenBackKeepsItsComputedValues_anotherValueIsRefused() throws {
        try startTelecom()
        let g = try f.store.create("group", values: ["code": .text("G1")])
        _ = try f.eval("crm.update('group', \(g), (function() local r = crm.get('group', \(g)); r.code = 'G9'; return r end)())")
        XCTAssertEqual(try f.store.record("group", id: g)?["code"], .text("G9"))
        XCTAssertThrowsError(try f.eval("crm.update('group', \(g), { code = 'G8', members = 3 })")) { error in
            XCTAssertTrue("\(error)".contains("group.members is computed (count of member where status = active)"), "\(error)")
        }
    }

    func testAComputedFieldDeclaredAtThePrompt() throws {
        try f.start()
        _ = try f.eval("crm.extend 'customer' { { 'name_length', 'integer', compute = { depends = { 'name' }, fn = function(c) return utf8.len(c.name) end } } }")
        let id = try f.store.create("customer", values: ["name": .text("张大山")])
        XCTAssertEqual(try f.store.record("customer", id: id)?["name_length"], .integer(3))
        try f.store.update("customer", id: id, values: ["name": .text("王五")])
        XCTAssertEqual(try f.store.record("customer", id: id)?["name_length"], .integer(2))
    }

    func testAnErrorInAComputeFunctionNamesFileLineAndField_andNothingIsWritten() throws {
        try f.plugin("broken", ["entities.lua": """
            crm.entity "thing" {
              fields = {
                { "a", "integer" },
                { "double", "integer", compute = function(t)
                    return t.a * 2
                  end },
              },
            }
            """])
        try f.start(enabling: ["broken"])
        XCTAssertThrowsError(try f.store.create("thing", values: [:])) { error in
            XCTAssertEqual("\(error)", "broken/entities.lua:5: computed field thing.double (plugin broken) on a new thing: attempt to perform arithmetic on a nil value (field 'a')")
        }
        XCTAssertEqual(try f.store.count("thing", where: nil), 0)
        let id = try f.store.create("thing", values: ["a": .integer(4)])
        XCTAssertEqual(try f.store.record("thing", id: id)?["double"], .integer(8))
    }

    func testAComputeFunctionCannotWrite() throws {
        try f.plugin("sneaky", ["entities.lua": """
            crm.entity "thing" {
              fields = {
                { "a", "integer" },
                { "b", "integer", compute = { depends = { "a" }, fn = function(t)
                    crm.create("task", { title = "side effect" })
                    return 1
                  end } },
              },
            }
            """])
        try f.start(enabling: ["sneaky"])
        XCTAssertThrowsError(try f.store.create("thing", values: ["a": .integer(1)])) { error in
            XCTAssertEqual("\(error)", "sneaky/entities.lua:5: computed field thing.b (plugin sneaky) on a new thing: a compute function cannot create task records: it only computes its field's value from what it reads")
        }
        XCTAssertEqual(try f.store.count("task", where: nil), 0)
        XCTAssertEqual(try f.store.count("thing", where: nil), 0)
    }

    func testAComputeFunctionRunsWithinTheBudget() throws {
        try f.plugin("spin", ["entities.lua": """
            crm.entity "thing" {
              fields = {
                { "a", "integer" },
                { "b", "integer", compute = { depends = { "a" }, fn = function(t)
                    while true do end
                  end } },
              },
            }
            """])
        try f.start(enabling: ["spin"])
        try f.host.setSetting("lua.instructions", "100000")
        XCTAssertThrowsError(try f.store.create("thing", values: ["a": .integer(1)])) { error in
            XCTAssertTrue("\(error)".hasPrefix("spin/entities.lua:4: computed field thing.b (plugin spin) on a new thing: "), "\(error)")
            XCTAssertTrue("\(error)".contains("instruction"), "\(error)")
        }
        XCTAssertEqual(try f.store.count("thing", where: nil), 0)
    }

    func testACycleIsALoadError() throws {
        try f.plugin("loop", ["entities.lua": """
            crm.entity "pa" {
              fields = { { "total", "integer", rollup = { from = "ch", sum = "n" } } },
            }
            crm.entity "ch" {
              fields = {
                { "pa", "ref", entity = "pa" },
                { "n", "integer", compute = { depends = { "pa.total" }, fn = function(c) return 1 end } },
              },
            }
            """])
        XCTAssertThrowsError(try f.start(enabling: ["loop"])) { error in
            XCTAssertEqual("\(error)", "loop/entities.lua:1: loading (plugin loop): computed fields depend on each other in a cycle: pa.total → ch.n → pa.total")
        }
    }

    func testUnknownKeysOfADeclarationAreRefused() throws {
        try f.plugin("typo", ["entities.lua": """
            crm.entity "pa" {
              fields = { { "total", "integer", rollup = { form = "ch", count = true } } },
            }
            """])
        XCTAssertThrowsError(try f.start(enabling: ["typo"])) { error in
            XCTAssertEqual("\(error)", "typo/entities.lua:1: loading (plugin typo): field total of pa: rollup: unknown key 'form' (did you mean 'from'?); the keys are: from, via, where, count, sum, min, max")
        }
    }

    func testRecomputeBringsDateBasedValuesUpToDate() throws {
        try f.plugin("dates", ["entities.lua": """
            crm.entity "bill" {
              fields = {
                { "due", "date", required = true },
                { "days_overdue", "integer", compute = { depends = { "due", "today" }, fn = function(b)
                    return math.max(0, crm.days(b.due, crm.today()))
                  end } },
              },
            }
            """])
        try f.start(enabling: ["dates"])
        f.store.clock = Clock { 1_780_000_000 }  // 2026-05-28
        let id = try f.store.create("bill", values: ["due": .date("2026-05-20")])
        XCTAssertEqual(try f.store.record("bill", id: id)?["days_overdue"], .integer(8))
        f.store.clock = Clock { 1_780_000_000 + 3 * 86400 }
        XCTAssertEqual(try f.store.record("bill", id: id)?["days_overdue"], .integer(8), "stored: as of its last computation")
        XCTAssertEqual(try f.store.recompute("bill", where: nil), RecomputeSummary(recomputed: 1, changed: 1))
        XCTAssertEqual(try f.store.record("bill", id: id)?["days_overdue"], .integer(11))
        XCTAssertEqual(try f.eval("{ crm.recompute('bill') }"), "{\n  1,\n  0\n}")
    }
}
