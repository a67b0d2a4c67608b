import CRMTestSupport
import Foundation
import XCTest

/// Plugins through the built binary: bundled plugins' own tests, `crm test`, Lua
/// scripts headless, refusals and trace on stderr, reports in every format, Ctrl-C.
final class PluginEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Every bundled plugin with tests passes them (`crm test plugins/<name>`).
    func testBundledPluginsPassTheirOwnTests() throws {
        try runBundledPluginTests(zone: "UTC")
    }

    /// … also where the office is: the tests and the plugins must not assume local time is
    /// UTC (a time typed as 09:00 in Shanghai is stored as 01:00Z and shown as 09:00).
    func testBundledPluginsPassTheirOwnTests_inShanghaiAndNewYork() throws {
        try runBundledPluginTests(zone: "Asia/Shanghai")
        try runBundledPluginTests(zone: "America/New_York")
    }

    func runBundledPluginTests(zone: String) throws {
        let folder = Self.repositoryRoot + "/plugins"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            .filter { FileManager.default.fileExists(atPath: "\(folder)/\($0)/tests") }
        XCTAssertTrue(names.contains("example"))
        for name in names {
            if let reason = PostgresPass.pluginSkipReason(name) { print("skipped plugin \(name): \(reason)"); continue }
            let r = try sandbox.run(["test", "\(folder)/\(name)"], environment: ["TZ": zone])
            XCTAssertEqual(r.status, 0, "\(name) in \(zone): \(r)")
            XCTAssertTrue(r.stdout.range(of: #"^[1-9][0-9]* passed, 0 failed\n$"#, options: .regularExpression) != nil,
                          "\(name) in \(zone): \(r)")
        }
    }

    func testFailingPluginTestNamesFileAndLine() throws {
        _ = try sandbox.write("return { name = \"mini\", version = \"1\" }\n", to: "plugins/mini/plugin.lua")
        _ = try sandbox.write("""
            describe("mini", function()
              it("passes", function() expect.equal(1 + 1, 2) end)
              it("fails", function()
                expect.equal(crm.count("customer"), 5)
              end)
            end)
            """, to: "plugins/mini/tests/mini_test.lua")
        let r = try sandbox.run(["test", sandbox.path("plugins/mini")])
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertEqual(r.stdout, "1 passed, 1 failed\n")
        XCTAssertTrue(r.stderr.contains("FAIL mini › fails"), r.stderr)
        XCTAssertTrue(r.stderr.contains("mini_test.lua:4: expected 5, got 0"), r.stderr)
    }

    func testLuaScriptRunsHeadlessWithTheAPI_andErrorsNameFileAndLine() throws {
        let ok = try sandbox.write("""
            local id = crm.create("customer", { name = "王芳", city = "上海" }).id
            crm.update("customer", id, { phone = "13800000000" })
            return string.format("%d customer(s) in 上海", crm.count("customer", "city = 上海"))
            """, to: "job.lua")
        let r = try sandbox.crm(["run", ok])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout, "1 customer(s) in 上海\n")
        let bad = try sandbox.write("local n = crm.count(\"customer\")\ncrm.create(\"customer\", { name = \"x\", stage = \"bogus\" })\n", to: "bad.lua")
        let b = try sandbox.crm(["run", bad])
        XCTAssertEqual(b.status, 1, "\(b)")
        XCTAssertTrue(b.stderr.contains("bad.lua:2:"), b.stderr)
        XCTAssertTrue(b.stderr.contains("expected one of: potential"), b.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count customer").stdout, "1\n", "the failed script wrote nothing")
    }

    func testEnabledPluginRefusesWithTheRuleName_andTraceShowsTheChain() throws {
        XCTAssertEqual(try sandbox.crm(commands: "plugin enable example").status, 0)
        let r = try sandbox.crm(commands: "add customer name=王芳", "add customer name=李娜", "refer 王芳 李娜 reward=20",
                                options: ["--trace"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stderr.contains("trace: before create referral: rule 'no self-referral' (example, example/rules.lua:1) ran, changed nothing"), r.stderr)
        XCTAssertTrue(r.stderr.contains("trace: after create referral 1: rule 'remember who referred'"), r.stderr)
        let refused = try sandbox.crm(commands: "refer 1 1")
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "-c:1: example/rules.lua:3: rule 'no self-referral' (plugin example) refused create referral: a customer cannot refer themselves (customer 1)\n")
        XCTAssertEqual(try sandbox.crm(commands: "count referral").stdout, "1\n")
    }

    func testReportInEveryFormat() throws {
        _ = try sandbox.crm(commands: "plugin enable example", "add customer name=王芳", "add customer name=李娜", "refer 1 2 reward=20.5")
        let table = try sandbox.crm(commands: "report referrals")
        XCTAssertEqual(table.status, 0, "\(table)")
        XCTAssertTrue(table.stdout.contains("王芳"), table.stdout)
        XCTAssertTrue(table.stdout.contains("█"), "the chart is drawn: \(table.stdout)")
        let csv = try sandbox.crm(commands: "report referrals", options: ["--format", "csv"])
        XCTAssertEqual(csv.stdout, "referrer,referrals,rewards\n王芳,1,20.50\n")
        let json = try sandbox.crm(commands: "report referrals", options: ["--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(rows?.first?["referrer"] as? String, "王芳", json.stdout)
        let bad = try sandbox.crm(commands: "report referrals form=-7d")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("has no parameter 'form' (did you mean 'from'?)"), bad.stderr)
    }

    func testBrokenPluginIsSkippedWithAWarning_andTheShellRuns() throws {
        XCTAssertEqual(try sandbox.crm(commands: "plugin enable example").status, 0)
        // A user's copy in --plugins overrides the bundled one; this one has a syntax error.
        _ = try sandbox.write("return { name = \"example\", version = \"2\" }\n", to: "mine/example/plugin.lua")
        _ = try sandbox.write("crm.entity \"referral\" {\n", to: "mine/example/entities.lua")
        let r = try sandbox.crm(["--plugins", sandbox.path("mine"), "-c", "count customer"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout, "0\n")
        XCTAssertTrue(r.stderr.contains("crm: plugin example skipped: example/entities.lua:"), r.stderr)
    }

    func testCtrlCInterruptsRunningLuaAndThePromptComesBack() throws {
        let t = try sandbox.terminal(["--db", sandbox.path("shell.sqlite")])
        try t.expect("> ")
        t.sendLine("setting lua.instructions 100000000000")  // so the budget cannot stop it first
        try t.expect("> ")
        t.sendLine("lua while true do end")
        usleep(300_000)
        t.send(.ctrlC)
        let seen = try t.expect("> ")
        XCTAssertTrue(seen.contains("interrupted (Ctrl-C)"), seen)
        t.sendLine("= 6 * 7")
        XCTAssertTrue(try t.expect("> ").contains("42"))
        t.send(.ctrlD)
        XCTAssertEqual(try t.waitForExit(), 0)
    }

    /// A binary copied out of the build folder (no plugins/ above it, no share/ beside it)
    /// still finds the bundled plugins.
    func testACopiedBinaryFindsTheBundledPlugins() throws {
        let copy = sandbox.path("bin/crm")
        try FileManager.default.createDirectory(atPath: sandbox.path("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try CRMBinary.path(), toPath: copy)
        var environment = sandbox.environment
        environment["XDG_DATA_DIRS"] = sandbox.path("no-such-share")
        let r = try CommandRunner.run(executable: copy, arguments: ["--db", sandbox.database, "-c", "plugin enable example", "-c", "count referral"],
                                      environment: environment, workingDirectory: sandbox.workingDirectory, stdin: nil, scratch: sandbox.root)
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertFalse(r.stderr.contains("skipped"), r.stderr)
        XCTAssertTrue(r.stdout.hasSuffix("0\n"), r.description)
    }


    /// A row a rule refuses is a bad row like a field error: its line and the rule's
    /// message, the reject file, the good rows kept (none with --atomic). It used to
    /// abort the whole import.
    func testImportRejectsTheRowsARuleRefusesAndKeepsTheOthers() throws {
        let setup = try sandbox.crm(commands: "plugin enable example", "add customer name=甲", "add customer name=乙", "add customer name=丙")
        XCTAssertEqual(setup.status, 0, setup.description)
        _ = try sandbox.write("referrer,referred\n1,2\n3,3\n1,3\n", to: "ref.csv")
        let atomic = try sandbox.crm(["--db", sandbox.database, "--atomic", "-c", "import referral ref.csv"])
        XCTAssertEqual(atomic.status, 1)
        XCTAssertTrue(atomic.stderr.contains("ref.csv:3: example/rules.lua:3: rule 'no self-referral' (plugin example) refused create referral"), atomic.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count referral").stdout, "0\n")
        let r = try sandbox.crm(commands: "import referral ref.csv")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("ref.csv:3: example/rules.lua:3: rule 'no self-referral' (plugin example) refused create referral: a customer cannot refer themselves (customer 3)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("imported 2 referral, rejected 1 (written to ref.rejects.csv)"), r.stderr)
        XCTAssertEqual(sandbox.read("ref.rejects.csv"), "referrer,referred\n3,3\n")
        XCTAssertEqual(try sandbox.crm(commands: "count referral").stdout, "2\n")
    }


    /// crm.date names a bad value and the accepted forms (it said `Failure(allowed: nil)`),
    /// and takes a date and time as its local date.
    func testCrmDateNamesABadValueAndTakesADateAndTime() throws {
        let ok = try sandbox.crm(commands: "= crm.date('2026-11-20 23:30')", "= crm.date('-1d')")
        XCTAssertEqual(ok.stdoutLines, ["\"2026-11-20\"", "\"2026-11-21\""], ok.description)
        let bad = try sandbox.crm(commands: "= crm.date('bogus')")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("crm.date: 'bogus' is not a date; use 2026-11-22, today, yesterday, tomorrow, -7d, +2w, -3m, +1y, or a date and time (2026-11-22 09:30)"), bad.stderr)
    }

}
