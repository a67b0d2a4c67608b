import CRMCore
import XCTest
@testable import CRMLua

/// Every way Lua spends time is bounded: message handlers and finalizers (which Lua runs
/// with hooks off), backtracking patterns on short text, C functions doing a lot per
/// call, SQLite work; and a wall-clock limit is the last guard. Each stop names the
/// plugin, what ran and which limit.
final class BudgetEscapeTests: XCTestCase {
    var f: PluginFixture!

    override func setUpWithError() throws {
        f = try PluginFixture()
        try f.store.setMeta("setting.lua.instructions", "5000000")
    }

    override func tearDown() { f = nil }

    /// A rule `spin` before creating a customer whose body is `body`; returns the error of
    /// the create and how long it took.
    func ruleFailure(_ body: String, file: StaticString = #filePath, line: UInt = #line) throws -> (String, TimeInterval) {
        try f.plugin("p", ["rules.lua": "crm.before('create', 'customer', 'spin', function(c)\n\(body)\nend)\n"])
        try f.start(enabling: ["p"])
        XCTAssertEqual(f.host.problems.map(\.description), [], file: file, line: line)
        let started = Date()
        do {
            _ = try f.store.create("customer", values: ["name": .text("王芳")])
            XCTFail("the rule should have been stopped", file: file, line: line)
        } catch {
            let took = Date().timeIntervalSince(started)
            XCTAssertEqual(try f.customers(), [], "nothing was written", file: file, line: line)
            // The shell goes on.
            XCTAssertEqual(try f.eval("1 + 1"), "2", file: file, line: line)
            return ("\(error)", took)
        }
        return ("", 0)
    }

    func testAnXpcallHandlerThatLoopsIsStopped() throws {
        let (e, took) = try ruleFailure("xpcall(function() while true do end end, function() while true do end end)")
        XCTAssertTrue(e.contains("rule 'spin' (plugin p)") && e.contains("ran past its instruction budget (5000000 instructions, setting lua.instructions)"), e)
        XCTAssertLessThan(took, 5)
    }

    func testAHandlerStillSeesOrdinaryErrors() throws {
        try f.plugin("p", ["commands.lua": """
            crm.command "go" { run = function()
              local ok, e = xpcall(function() error("boom", 0) end, function(m) return "handled " .. m end)
              return e
            end }
            """])
        try f.start(enabling: ["p"])
        guard case .message(let text) = try f.host.runCommand("go", positional: [], named: [:]) else { return XCTFail() }
        XCTAssertEqual(text, "handled boom")
    }

    func testALoopingFinalizerCannotBeSet() throws {
        let (e, took) = try ruleFailure("setmetatable({}, { __gc = function() while true do end end }); collectgarbage()")
        XCTAssertTrue(e.contains("rule 'spin' (plugin p)") && e.contains("__gc is not available to plugins"), e)
        XCTAssertLessThan(took, 5)
        // A __gc added to the metatable afterwards never runs: the object was not marked.
        XCTAssertEqual(try f.eval("""
            (function() local mt = {} setmetatable({}, mt) mt.__gc = function() while true do end end
            collectgarbage() collectgarbage() return "done" end)()
            """), "\"done\"")
    }

    func testABacktrackingPatternOnShortTextIsRefused() throws {
        let (e, took) = try ruleFailure(#"string.find(string.rep("a", 250), ".-.-.-.-.-.-.-b")"#)
        XCTAssertTrue(e.contains("rule 'spin' (plugin p)") && e.contains("worst case is too slow"), e)
        XCTAssertLessThan(took, 5)
        // Everyday patterns on long text still run.
        XCTAssertEqual(try f.eval(#"select(2, string.gsub(string.rep("line\n", 20000), "[^\n]+", ""))"#), "20000")
        XCTAssertEqual(try f.eval(#"(string.rep("x", 5000) .. " 2026-11-22"):match("(%d+)-(%d+)-(%d+)")"#), "\"2026\"")
        XCTAssertEqual(try f.eval(#"("key = value"):match("^(%w+)%s*=%s*(%w+)$")"#), "\"key\"")
    }

    func testBigAllocationsInALoopCountAgainstTheBudget() throws {
        let (e, took) = try ruleFailure(#"for i = 1, 1e9 do local s = string.rep("ab", 25 * 2^20) end"#)
        XCTAssertTrue(e.contains("rule 'spin' (plugin p)") && e.contains("instruction budget"), e)
        XCTAssertLessThan(took, 10)
    }

    func testCFunctionsThatLoopWithoutAllocatingAreCharged() throws {
        for body in [#"string.rep("", 2^50)"#, #"string.rep("", 2^40, "")"#, "table.move({}, 1, 2^40, 2)",
                     "table.concat({}, '', 1, 2^40)"] {
            f = try PluginFixture()
            try f.store.setMeta("setting.lua.instructions", "5000000")
            let (e, took) = try ruleFailure(body)
            XCTAssertTrue(e.contains("instruction budget") || e.contains("invalid value"), "\(body): \(e)")
            XCTAssertLessThan(took, 5, body)
        }
    }

    func testEverydayWorkFitsTheBudget() throws {
        // A fifth of the default budget, for work on 100,000 elements.
        try f.store.setMeta("setting.lua.instructions", "20000000")
        try f.start()
        XCTAssertEqual(try f.eval("""
            (function()
              local t = {}
              for i = 1, 100000 do table.insert(t, tostring(i)) end
              table.sort(t)
              local joined = table.concat(t, ",", 1, #t)
              local moved = table.move(t, 1, #t, 1, {})
              local n = 0
              for _ in joined:gmatch("[^,]+") do n = n + 1 end
              while #t > 0 do table.remove(t) end
              return n + #moved + #t
            end)()
            """), "200000")
    }

    func testTheWallClockLimitIsTheLastGuard() throws {
        try f.store.setMeta("setting.lua.instructions", "1000000000000")
        try f.store.setMeta("setting.lua.seconds", "1")
        let (e, took) = try ruleFailure("while true do end")
        XCTAssertTrue(e.contains("rule 'spin' (plugin p)") && e.contains("ran past its time limit (1 s, setting lua.seconds)"), e)
        XCTAssertLessThan(took, 4)
    }

    func testScriptsHaveNoTimeLimit_butRulesTheyRunDo() throws {
        try f.store.setMeta("setting.lua.instructions", "1000000000000")
        try f.store.setMeta("setting.lua.seconds", "1")
        try f.plugin("p", ["rules.lua": "crm.before('create', 'customer', 'spin', function() while true do end end)\n"])
        try f.start(enabling: ["p"])
        // A prompt line runs past the 1 s a rule gets…
        XCTAssertEqual(try f.eval("(function() local t = os.clock() while os.clock() - t < 1.5 do end return 'slow but done' end)()"),
                       "\"slow but done\"")
        // …but a rule its write runs is stopped at its own limit.
        let started = Date()
        XCTAssertThrowsError(try f.eval("crm.create('customer', { name = 'x' })")) {
            XCTAssertTrue("\($0)".contains("rule 'spin' (plugin p)") && "\($0)".contains("time limit"), "\($0)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 4)
    }
}
