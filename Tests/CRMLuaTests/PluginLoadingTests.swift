import CRMCore
import XCTest
@testable import CRMLua

/// Loading plugins: entities, isolation, broken plugins skipped, reload, enabling remembered.
final class PluginLoadingTests: XCTestCase {
    var f: PluginFixture!

    override func setUpWithError() throws { f = try PluginFixture() }
    override func tearDown() { f = nil }

    func testEntityAndExtension_becomeRealTablesAndKeepData() throws {
        try f.plugin("shop", ["entities.lua": """
            crm.entity "unit" {
              label = "房源",
              fields = {
                { "number", "text", required = true },
                { "floor", "integer", min = 1 },
                { "price", "money" },
                { "status", "enum", values = { "available", "sold" }, default = "available" },
              },
              unique = { { "number" } },
            }
            crm.extend "customer" { intent = { "enum", values = { "A", "B", "C" }, label = "意向" } }
            """])
        try f.start(enabling: ["shop"])
        let unit = try XCTUnwrap(f.store.schema.entity(named: "unit"))
        XCTAssertEqual(unit.fields.map(\.name), ["number", "floor", "price", "status"])
        XCTAssertEqual(unit.owner, "shop")
        XCTAssertEqual(f.store.schema.entity(named: "customer")?.field("intent")?.type, .enumeration(["A", "B", "C"]))
        let id = try f.store.create("unit", values: ["number": .text("A-1201"), "price": .decimal(Fixed(units: 123_456_00, scale: 2))])
        XCTAssertEqual(try f.store.record("unit", id: id)?["status"], .text("available"))
        XCTAssertThrowsError(try f.store.create("unit", values: ["number": .text("A-1201")])) {
            XCTAssertTrue("\($0)".contains("already"), "\($0)")
        }
        // Upgrading the plugin with a new field migrates the table and keeps the row.
        try f.write("shop", "entities.lua", """
            crm.entity "unit" {
              fields = {
                { "number", "text", required = true }, { "floor", "integer" }, { "price", "money" },
                { "status", "enum", values = { "available", "sold" }, default = "available" },
                { "area", "decimal", scale = 2 },
              },
            }
            """)
        try f.host.reload()
        XCTAssertTrue(f.host.problems.isEmpty, "\(f.host.problems)")
        XCTAssertNotNil(f.store.schema.entity(named: "unit")?.field("area"))
        XCTAssertEqual(try f.store.record("unit", id: id)?["number"], .text("A-1201"))
    }

    func testEntityOfAPluginThatIsNotLoadedIsReadOnly() throws {
        try f.plugin("shop", ["entities.lua": "crm.entity \"unit\" { fields = { number = { \"text\" } } }\n",
                              "rules.lua": "crm.before('create', 'unit', 'check', function(u) end)\n"])
        try f.start(enabling: ["shop"])
        _ = try f.store.create("unit", values: ["number": .text("1")])
        try f.host.disable("shop")
        XCTAssertThrowsError(try f.store.create("unit", values: ["number": .text("2")])) {
            XCTAssertTrue("\($0)".contains("unit belongs to plugin shop, which is not loaded (it is not enabled)"), "\($0)")
        }
        XCTAssertEqual(try f.store.count("unit", where: nil), 1, "its data stays readable")
    }

    func testEnabledPluginsAreRememberedPerDatabase() throws {
        try f.plugin("a", [:])
        try f.start(enabling: ["a"])
        XCTAssertEqual(try f.host.enabledNames(), ["a"])
        let again = try f.start()
        XCTAssertEqual(again.loaded.map(\.name), ["a"])
        try again.disable("a")
        XCTAssertEqual(try f.start().loaded.map(\.name), [])
    }

    func testGlobalsDoNotLeakBetweenPlugins() throws {
        try f.plugin("one", ["rules.lua": "secret = 42\nshared_table = {}\n"])
        try f.plugin("two", ["rules.lua": """
            assert(secret == nil, "secret leaked from plugin one")
            assert(shared_table == nil, "a table leaked")
            string.upper = function() return "hijacked" end
            """])
        try f.plugin("three", ["rules.lua": "assert(string.upper('x') == 'X', 'string library was changed by another plugin')\n"])
        try f.start(enabling: ["one", "two", "three"])
        XCTAssertEqual(f.host.problems.map(\.description), [])
        XCTAssertEqual(f.host.loaded.map(\.name), ["one", "three", "two"])
        XCTAssertEqual(try f.eval("secret"), "nil")
    }

    func testSyntaxErrorIsReportedWithFileAndLine_andOthersLoad() throws {
        try f.plugin("broken", ["rules.lua": "local x = 1\nif x then\n  print('no end')\n"])
        try f.plugin("fine", ["entities.lua": "crm.entity \"thing\" { fields = { name = { \"text\" } } }\n"])
        try f.start(enabling: ["fine"])
        XCTAssertThrowsError(try f.host.enable("broken")) { XCTAssertTrue("\($0)".contains("rules.lua:"), "\($0)") }
        XCTAssertEqual(try f.host.enabledNames(), ["fine"], "a plugin that does not load is not left enabled")
        // Enabled while it worked, then broken by an edit: reported at start, the rest loads.
        try f.store.setMeta("plugins.enabled", "[\"broken\", \"fine\"]")
        let host = try f.start()
        XCTAssertEqual(host.loaded.map(\.name), ["fine"])
        let problem = try XCTUnwrap(host.problems.first)
        XCTAssertEqual(problem.plugin, "broken")
        XCTAssertTrue(problem.description.contains("broken/rules.lua:"), problem.description)
        XCTAssertTrue(problem.description.contains("'end' expected"), problem.description)
    }

    func testMissingRequiredPluginIsReported_andThePluginSkipped() throws {
        try f.plugin("needy", manifest: "requires = { \"ghost\" }", ["entities.lua": "crm.entity \"x\" { fields = { n = { \"text\" } } }\n"])
        try f.start()
        XCTAssertThrowsError(try f.host.enable("needy")) { XCTAssertTrue("\($0)".contains("requires plugin 'ghost'"), "\($0)") }
        try f.store.setMeta("plugins.enabled", "[\"needy\"]")
        let host = try f.start()
        XCTAssertEqual(host.loaded.map(\.name), [])
        XCTAssertTrue(host.problems.first?.description.contains("requires plugin 'ghost', which is not installed") ?? false, "\(host.problems)")
        XCTAssertNil(f.store.schema.entity(named: "x"), "nothing of a skipped plugin is installed")
    }

    func testAFailingPluginLeavesNoRulesBehind() throws {
        try f.plugin("half", ["rules.lua": """
            crm.before("create", "customer", "registered first", function(c) crm.refuse("never") end)
            error("boom after registering")
            """])
        try f.start()
        XCTAssertThrowsError(try f.host.enable("half"))
        try f.store.setMeta("plugins.enabled", "[\"half\"]")
        try f.start()
        XCTAssertEqual(f.host.rules.count, 0)
        XCTAssertEqual(try f.store.create("customer", values: ["name": .text("王芳")]), 1)
        let problem = try XCTUnwrap(f.host.problems.first)
        XCTAssertEqual(problem.location, "half/rules.lua:2")
        XCTAssertEqual(problem.message, "boom after registering")
    }

    func testReload_picksUpAnEditedRule() throws {
        try f.plugin("r", ["rules.lua": "crm.before('create', 'customer', 'tag', function(c) c.tags = 'v1' end)\n"])
        try f.start(enabling: ["r"])
        let a = try f.store.create("customer", values: ["name": .text("A")])
        try f.write("r", "rules.lua", "crm.before('create', 'customer', 'tag', function(c) c.tags = 'v2' end)\n")
        try f.host.reload()
        let b = try f.store.create("customer", values: ["name": .text("B")])
        XCTAssertEqual(try f.store.record("customer", id: a)?["tags"], .text("v1"))
        XCTAssertEqual(try f.store.record("customer", id: b)?["tags"], .text("v2"))
        XCTAssertEqual(f.host.rules.count, 1)
    }

    func testRequireLoadsOnlyFromThePluginsOwnFolder() throws {
        try f.plugin("mods", ["rules.lua": """
            local util = require "lib.util"
            assert(util.double(2) == 4)
            local ok, err = pcall(require, "../other/secret")
            assert(not ok and tostring(err):find("bad module name"), tostring(err))
            ok, err = pcall(require, "nothere")
            assert(not ok and tostring(err):find("has no module 'nothere'"), tostring(err))
            """, "lib/util.lua": "return { double = function(x) return x * 2 end }\n"])
        try f.start(enabling: ["mods"])
        XCTAssertEqual(f.host.problems.map(\.description), [])
    }
}
