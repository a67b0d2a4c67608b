import CRMCore
import XCTest
@testable import CRMLua

/// Rules around writes: changing the record, refusing, rolling everything back, order, trace.
final class RuleTests: XCTestCase {
    var f: PluginFixture!

    override func setUpWithError() throws { f = try PluginFixture() }
    override func tearDown() { f = nil }

    func testBeforeRuleChangesTheRecord_andTraceSaysWhat() throws {
        try f.plugin("norm", ["rules.lua": """
            crm.before("create", "customer", "upper city", function(c)
              if c.city then c.city = string.upper(c.city) end
            end)
            """])
        try f.start(enabling: ["norm"])
        let id = try f.store.create("customer", values: ["name": .text("A"), "city": .text("shanghai")])
        XCTAssertEqual(try f.store.record("customer", id: id)?["city"], .text("SHANGHAI"))
        XCTAssertEqual(f.traced, ["trace: before create customer: rule 'upper city' (norm, norm/rules.lua:1) changed city: shanghai → SHANGHAI"])
    }

    func testRefusalRollsBackTheWholeCommand_andNamesTheRule() throws {
        try f.plugin("guard", ["rules.lua": """
            crm.after("create", "customer", "log", function(c)
              crm.create("task", { customer = c.id, title = "call " .. c.name })
            end)
            crm.before("create", "task", "no tasks for VIPs", function(t)
              if t.title:find("VIP") then crm.refuse("no tasks for %s", t.title) end
            end)
            """])
        try f.start(enabling: ["guard"])
        XCTAssertThrowsError(try f.store.create("customer", values: ["name": .text("VIP 王")])) { error in
            XCTAssertEqual("\(error)", "guard/rules.lua:5: rule 'no tasks for VIPs' (plugin guard) refused create task: no tasks for call VIP 王")
        }
        XCTAssertEqual(try f.customers(), [], "the customer written before the refusal is rolled back")
        XCTAssertEqual(try f.store.count("task", where: nil), 0)
        _ = try f.store.create("customer", values: ["name": .text("普通")])
        XCTAssertEqual(try f.store.count("task", where: nil), 1)
    }

    /// A before-rule that writes, then a record that fails its own checks: the rule's
    /// write is undone too (the savepoint is opened when the rule writes).
    func testWritesOfABeforeRuleAreUndoneWhenTheRecordIsRefused() throws {
        try f.plugin("touch", ["rules.lua": """
            crm.before("create", "task", "touch customer", function(t)
              crm.update("customer", t.customer, { notes = "touched" })
            end)
            """])
        try f.start(enabling: ["touch"])
        let c = try f.store.create("customer", values: ["name": .text("A")])
        XCTAssertThrowsError(try f.store.create("task", values: ["customer": .integer(c)])) {
            XCTAssertTrue("\($0)".contains("title is required"), "\($0)")
        }
        XCTAssertEqual(try f.store.record("customer", id: c)?["notes"], .null)
        _ = try f.store.create("task", values: ["customer": .integer(c), "title": .text("call")])
        XCTAssertEqual(try f.store.record("customer", id: c)?["notes"], .text("touched"))
    }

    func testUpdateRuleSeesOldAndNew() throws {
        try f.plugin("stage", ["rules.lua": """
            crm.before("update", "customer", "no going back", function(new, old, ctx)
              assert(ctx.action == "update" and ctx.entity == "customer" and ctx.id == new.id)
              if old.stage == "maturity" and new.stage == "potential" then
                crm.refuse("%s cannot go from %s back to %s", new.name, old.stage, new.stage)
              end
            end)
            """])
        try f.start(enabling: ["stage"])
        let id = try f.store.create("customer", values: ["name": .text("A"), "stage": .text("maturity")])
        XCTAssertThrowsError(try f.store.update("customer", id: id, values: ["stage": .text("potential")])) {
            XCTAssertTrue("\($0)".hasSuffix("refused update customer \(id): A cannot go from maturity back to potential"), "\($0)")
        }
        XCTAssertEqual(try f.store.record("customer", id: id)?["stage"], .text("maturity"))
        XCTAssertTrue(try f.store.update("customer", id: id, values: ["stage": .text("growth")]))
    }

    func testErrorInARuleNamesRuleRecordAndLine() throws {
        try f.plugin("bug", ["rules.lua": "crm.before('delete', 'customer', 'oops', function(c)\n  local x = nil\n  return x.field\nend)\n"])
        try f.start(enabling: ["bug"])
        let id = try f.store.create("customer", values: ["name": .text("A")])
        XCTAssertThrowsError(try f.store.delete("customer", id: id)) { error in
            let e = error as? PluginError
            XCTAssertEqual(e?.location, "bug/rules.lua:3")
            XCTAssertEqual(e?.what, "rule 'oops'")
            XCTAssertEqual(e?.record, "delete customer \(id)")
            XCTAssertTrue(e?.traceback?.contains("rules.lua:3") ?? false, e?.traceback ?? "no traceback")
        }
        XCTAssertEqual(try f.customers(), ["A"])
    }

    func testOrderIsLoadOrderThenDeclarationOrder_andRulesListsIt() throws {
        try f.plugin("base", ["rules.lua": """
            crm.before("create", "customer", "b1", function(c) c.notes = (c.notes or "") .. "b1 " end)
            crm.before("create", "*", "b2", function(c) if c.notes ~= nil then c.notes = c.notes .. "b2 " end end)
            """])
        try f.plugin("add", manifest: "requires = { \"zzz\" }", ["rules.lua": """
            crm.before("create", "customer", "a1", function(c) c.notes = c.notes .. "a1" end)
            """])
        try f.plugin("zzz", ["rules.lua": """
            crm.before("create", "customer", "z1", function(c) c.notes = (c.notes or "") .. "z1 " end)
            """])
        try f.start(enabling: ["base", "add"])
        XCTAssertEqual(f.host.loaded.map(\.name), ["zzz", "add", "base"], "a plugin loads after the ones it requires")
        let id = try f.store.create("customer", values: ["name": .text("A")])
        XCTAssertEqual(try f.store.record("customer", id: id)?["notes"], .text("z1 a1b1 b2 "))
        XCTAssertEqual(f.host.chain(for: "customer").map(\.name), ["z1", "a1", "b1", "b2"])
    }

    func testRuleRecursionIsStopped() throws {
        try f.plugin("loop", ["rules.lua": """
            crm.after("update", "customer", "ping", function(c) crm.update("customer", c.id, { notes = (c.notes or "") .. "." }) end)
            """])
        try f.start(enabling: ["loop"])
        let id = try f.store.create("customer", values: ["name": .text("A")])
        XCTAssertThrowsError(try f.store.update("customer", id: id, values: ["notes": .text("x")])) {
            XCTAssertTrue("\($0)".contains("levels deep"), "\($0)")
        }
        XCTAssertEqual(try f.store.record("customer", id: id)?["notes"], .null)
    }

    func testDataAPI_filtersAggregatesAndValidation() throws {
        try f.plugin("api", [:])
        try f.start(enabling: ["api"])
        for (name, city) in [("王芳", "上海"), ("李娜", "上海"), ("Bob", "北京")] {
            _ = try f.store.create("customer", values: ["name": .text(name), "city": .text(city)])
        }
        XCTAssertEqual(try f.eval("crm.count('customer', 'city = 上海')"), "2")
        XCTAssertEqual(try f.eval("crm.count('customer', { city = '北京' })"), "1")
        XCTAssertEqual(try f.eval("crm.list('customer', { where = 'city = 上海', order = 'name desc', limit = 1 })[1].name"), "\"王芳\"")
        XCTAssertEqual(try f.eval("crm.aggregate('customer', 'count', nil, { by = 'city' })['上海']"), "2")
        XCTAssertEqual(try f.eval("crm.create('deal', { customer = 1, title = 'x', amount = 10.006 }).amount"), "10.01")
        XCTAssertThrowsError(try f.eval("crm.create('customer', { nmae = 'x' })")) {
            XCTAssertTrue("\($0)".contains("did you mean 'name'"), "\($0)")
        }
        XCTAssertThrowsError(try f.eval("crm.create('customer', { name = 'x', stage = 'bogus' })")) {
            XCTAssertTrue("\($0)".contains("potential"), "\($0)")
        }
        XCTAssertThrowsError(try f.eval("crm.query('delete from customer')")) {
            XCTAssertTrue("\($0)".contains("read-only") || "\($0)".contains("only"), "\($0)")
        }
        XCTAssertEqual(try f.customers().count, 3)
    }
}
