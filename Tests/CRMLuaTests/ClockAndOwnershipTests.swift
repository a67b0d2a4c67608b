import CRMCore
import XCTest
@testable import CRMLua

/// Only tests, scripts and the prompt move the clock, and never the audit trail's; an
/// entity whose plugin is not loaded is read-only in every mode.
final class ClockAndOwnershipTests: XCTestCase {
    var f: PluginFixture!

    override func setUpWithError() throws { f = try PluginFixture() }
    override func tearDown() { f = nil }

    func auditTimes() throws -> [String] {
        try f.store.select(sql: "SELECT at FROM _crm_audit ORDER BY id", arguments: []).rows.map { $0[0].displayText }
    }

    func testARuleCannotPinTheClock() throws {
        try f.plugin("p", ["rules.lua": "crm.before('create', 'customer', 'forge', function() crm.set_now('2020-01-01') end)\n",
                           "commands.lua": "crm.command \"pin\" { run = function() crm.set_now('2020-01-01') return 'pinned' end }\n"])
        try f.start(enabling: ["p"])
        let before = f.store.clock.now()
        XCTAssertThrowsError(try f.store.create("customer", values: ["name": .text("王芳")])) {
            XCTAssertTrue("\($0)".contains("rule 'forge' (plugin p)"), "\($0)")
            XCTAssertTrue("\($0)".contains("crm.set_now is for tests and scripts"), "\($0)")
            XCTAssertTrue("\($0)".contains("p/rules.lua:1"), "\($0)")
        }
        XCTAssertThrowsError(try f.host.runCommand("pin", positional: [], named: [:])) {
            XCTAssertTrue("\($0)".contains("command 'pin' (plugin p)") && "\($0)".contains("may not move the clock"), "\($0)")
        }
        XCTAssertGreaterThanOrEqual(f.store.clock.now(), before, "the clock was not moved")
        XCTAssertLessThan(f.store.clock.now() - Int(time(nil)), 5)
    }

    func testThePromptPinsNow_butTheAuditTrailKeepsTheRealTime() throws {
        try f.start()
        _ = try f.eval("crm.set_now('2020-01-02 09:30')")
        let id = try f.store.create("customer", values: ["name": .text("王芳")])
        XCTAssertEqual(try f.store.record("customer", id: id)?["created"].displayText.hasPrefix("2020-01-02"), true)
        let at = try XCTUnwrap(try auditTimes().last)
        XCTAssertFalse(at.hasPrefix("2020"), "the audit time is the real one: \(at)")
        XCTAssertTrue(at.hasPrefix(DateCodec.utcText(epochSeconds: Int(time(nil))).prefix(10)), at)
        _ = try f.store.update("customer", id: id, values: ["city": .text("上海")])
        XCTAssertFalse(try auditTimes().last!.hasPrefix("2020"))
        _ = try f.eval("crm.set_now(nil)")
        XCTAssertLessThan(abs(f.store.clock.now() - Int(time(nil))), 5)
    }

    func testWritesToAnEntityOfAPluginThatIsNotRunningAreRefused_inEveryWay() throws {
        try f.plugin("shop", ["entities.lua": """
            crm.entity "unit" { fields = { number = { "text" } } }
            crm.extend "customer" { vip = { "bool" } }
            """])
        try f.start(enabling: ["shop"])
        let unit = try f.store.create("unit", values: ["number": .text("1")])
        let customer = try f.store.create("customer", values: ["name": .text("王芳"), "vip": .bool(true)])
        // Plugins off (what --no-plugins does: no rules at all).
        f.store.rules = nil
        let writes: [(String, () throws -> Void)] = [
            ("create", { _ = try self.f.store.create("unit", values: ["number": .text("2")]) }),
            ("update", { _ = try self.f.store.update("unit", id: unit, values: ["number": .text("3")]) }),
            ("update where", { _ = try self.f.store.update("unit", where: nil, values: ["number": .text("4")]) }),
            ("delete", { try self.f.store.delete("unit", id: unit) }),
        ]
        for (what, write) in writes {
            XCTAssertThrowsError(try write(), what) {
                XCTAssertEqual("\($0)", "unit belongs to plugin shop, which is not loaded (plugins are off in this run (--no-plugins)); "
                               + "its records are read-only until it loads, so its rules cannot be bypassed (enable it with: plugin enable shop)", what)
            }
        }
        XCTAssertEqual(try f.store.record("unit", id: unit)?["number"], .text("1"))
        XCTAssertEqual(try f.store.count("unit", where: nil), 1)
        // Core entities stay writable, the plugin's extra fields too.
        XCTAssertTrue(try f.store.update("customer", id: customer, values: ["vip": .bool(false)]))
    }

    func testAPluginThatFailedToLoadKeepsItsEntityReadOnly_sayingWhy() throws {
        try f.plugin("shop", ["entities.lua": "crm.entity \"unit\" { fields = { number = { \"text\" } } }\n"])
        try f.start(enabling: ["shop"])
        _ = try f.store.create("unit", values: ["number": .text("1")])
        try f.write("shop", "rules.lua", "this is not lua\n")
        try f.host.reload()
        XCTAssertEqual(f.host.problems.count, 1)
        XCTAssertThrowsError(try f.store.create("unit", values: ["number": .text("2")])) {
            XCTAssertTrue("\($0)".contains("unit belongs to plugin shop, which is not loaded (it failed to load: "), "\($0)")
        }
    }
}
