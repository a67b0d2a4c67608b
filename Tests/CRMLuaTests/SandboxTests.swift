import CRMCore
import XCTest
@testable import CRMLua

/// Limits and safety: instruction budget (sticky through pcall), memory cap, forbidden
/// functions and grants, the pattern guard, the frozen string metatable, text-only chunks.
final class SandboxTests: XCTestCase {
    var f: PluginFixture!

    override func setUpWithError() throws { f = try PluginFixture() }
    override func tearDown() { f = nil }

    /// A plugin with one command `run` whose body is `body`.
    func command(_ body: String, manifest: String = "") throws -> PluginHost {
        try f.plugin("p", manifest: manifest, ["commands.lua": "crm.command \"go\" { run = function() \(body) end }\n"])
        let host = try f.start(enabling: ["p"])
        XCTAssertEqual(host.problems.map(\.description), [])
        return host
    }

    func failure(_ body: String, manifest: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> PluginError {
        let host = try command(body, manifest: manifest)
        do {
            _ = try host.runCommand("go", positional: [], named: [:])
        } catch let e as PluginError {
            return e
        }
        XCTFail("expected the command to fail", file: file, line: line)
        return PluginError(plugin: nil, message: "")
    }

    func testInfiniteLoopIsStoppedByTheBudget_namingTheCommand() throws {
        try f.store.setMeta("setting.lua.instructions", "200000")
        let e = try failure("while true do end")
        XCTAssertEqual(e.kind, .budget)
        XCTAssertTrue(e.description.contains("command 'go' (plugin p)"), e.description)
        XCTAssertTrue(e.description.contains("instruction budget (200000"), e.description)
        // The shell goes on: the next call works.
        XCTAssertEqual(try f.eval("1 + 1"), "2")
    }

    func testPcallCannotSwallowTheStop() throws {
        try f.store.setMeta("setting.lua.instructions", "200000")
        let e = try failure("""
            for i = 1, 100 do pcall(function() while true do end end) end
            return "escaped"
            """)
        XCTAssertEqual(e.kind, .budget)
    }

    func testMemoryCapStopsAPluginThatAllocatesWithoutEnd() throws {
        try f.store.setMeta("setting.lua.memory_mb", "16")
        let e = try failure("local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end")
        XCTAssertEqual(e.kind, .memory)
        XCTAssertTrue(e.description.contains("out of memory"), e.description)
        XCTAssertEqual(try f.eval("'still ' .. 'alive'"), "\"still alive\"")
    }

    func testForbiddenFunctionsSayWhichPermissionAndHowToGrant() throws {
        let e = try failure("os.execute('true')")
        XCTAssertTrue(e.description.contains("os.execute is not allowed: plugin 'p' needs permission 'execute'"), e.description)
        XCTAssertTrue(e.description.contains("plugin grant p execute"), e.description)
        for code in ["io.popen('ls')", "io.open('/tmp/x', 'w')", "debug.getinfo(1)", "os.exit(1)",
                     "load(string.dump(print))", "return load('x', 'x', 'b')"] {
            let host = try command(code)
            XCTAssertThrowsError(try host.runCommand("go", positional: [], named: [:]), code)
        }
    }

    func testGrantedPermissionWorks_ungrantedIsRefused() throws {
        let host = try command("local p = io.popen('echo hi') local s = p:read('l') p:close() return s",
                               manifest: "permissions = { \"execute\" }")
        XCTAssertThrowsError(try host.runCommand("go", positional: [], named: [:]))
        try host.grant("p", "execute")
        XCTAssertEqual(try host.runCommand("go", positional: [], named: [:]), .message("hi"))
        XCTAssertThrowsError(try host.grant("p", "debug")) { XCTAssertTrue("\($0)".contains("does not ask for 'debug'"), "\($0)") }
    }

    func testAPluginCannotChangeSettings() throws {
        let e = try failure("crm.set_setting('lua.instructions', 1e12)")
        XCTAssertTrue(e.description.contains("crm.set_setting is for scripts and tests"), e.description)
        XCTAssertNil(try f.store.meta("setting.lua.instructions"))
    }

    func testPathologicalPatternOnALongStringIsRefused() throws {
        let e = try failure("return string.find(string.rep('a', 1e5), '.-.-.-.-b$')")
        XCTAssertTrue(e.description.contains("worst case is too slow"), e.description)
        // Short subjects and plain finds are untouched.
        XCTAssertEqual(try f.eval("string.find('abc', 'b.-c')"), "2")
        XCTAssertEqual(try f.eval("(string.rep('a', 1e5) .. 'b'):find('b', 1, true)"), "100001")
    }

    func testStringMetatableIsFrozen() throws {
        try f.plugin("evil", ["rules.lua": """
            local ok = pcall(function() getmetatable("").__index = { upper = function() return "pwned" end } end)
            local mt = getmetatable("")
            assert(mt == false, "the metatable must be hidden")
            """])
        try f.plugin("victim", ["rules.lua": "assert(('x'):upper() == 'X', 'string methods were replaced')\n"])
        try f.start(enabling: ["evil", "victim"])
        XCTAssertEqual(f.host.problems.map(\.description), [])
        XCTAssertEqual(try f.eval("('abc'):upper()"), "\"ABC\"")
    }

    func testInterruptStopsRunningLua() throws {
        let host = try command("while true do end")
        let stopper = Thread { usleep(200_000); LuaInterrupt.interrupt() }
        stopper.start()
        XCTAssertThrowsError(try host.runCommand("go", positional: [], named: [:])) {
            XCTAssertEqual(($0 as? PluginError)?.kind, .interrupted, "\($0)")
        }
    }
}
