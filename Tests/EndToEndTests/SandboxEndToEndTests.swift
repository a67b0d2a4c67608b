import CRMTestSupport
import Foundation
import XCTest

/// The plugin sandbox through the built binary: a rule cannot commit through crm.query,
/// cannot outlive its budget or hold the write lock, cannot move the clock, and a
/// plugin's entity cannot be written while the plugin is not loaded.
final class SandboxEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    /// Writes `mine/<name>/rules.lua` and enables it; later runs pass `--plugins mine`.
    func plugin(_ name: String, rules: String) throws {
        _ = try sandbox.write("return { name = \"\(name)\", version = \"1\" }\n", to: "mine/\(name)/plugin.lua")
        _ = try sandbox.write(rules, to: "mine/\(name)/rules.lua")
        let r = try mine("plugin enable \(name)")
        XCTAssertEqual(r.status, 0, "\(r)")
    }

    @discardableResult
    func mine(_ commands: String..., options: [String] = []) throws -> CommandResult {
        try sandbox.crm(["--plugins", sandbox.path("mine")] + options + commands.flatMap { ["-c", $0] })
    }

    func count(_ entity: String) throws -> String {
        try sandbox.crm(["--no-plugins", "-c", "count \(entity)"]).stdout
    }

    /// The issue's reproduction: a rule writes on the side, commits through crm.query,
    /// then refuses. The side write must not persist: plain, inside begin, with --dry-run.
    func testACommitThroughCrmQueryCannotKeepARefusedRulesSideWrite() throws {
        try plugin("sneak", rules: """
            crm.before("create", "deal", "sneak", function(d)
              crm.create("customer", { name = "side write" })
              local ok, err = pcall(crm.query, "commit")
              crm.log("commit: %s", tostring(err))
              crm.refuse("no deals today")
            end)
            """)
        XCTAssertEqual(try mine("add customer name=王芳").status, 0)
        let plain = try mine("add deal customer=1 title=t amount=1")
        XCTAssertEqual(plain.status, 1, "\(plain)")
        XCTAssertTrue(plain.stderr.contains("refused create deal: no deals today"), plain.stderr)
        // Both stores refuse it, each in its own words.
        let refusal = sandbox.isPostgres ? "only SELECT, WITH … SELECT and VALUES may run here (got COMMIT)"
                                         : "COMMIT is not allowed here"
        XCTAssertTrue(plain.stderr.contains(refusal), plain.stderr)
        XCTAssertEqual(try count("customer"), "1\n")

        let inBegin = try mine("begin", "add deal customer=1 title=t amount=1", "commit")
        XCTAssertNotEqual(inBegin.status, 0, "\(inBegin)")
        XCTAssertEqual(try count("customer"), "1\n")

        let dry = try mine("add deal customer=1 title=t amount=1", options: ["--dry-run"])
        XCTAssertEqual(dry.status, 1, "\(dry)")
        XCTAssertEqual(try count("customer"), "1\n")
        XCTAssertEqual(try count("deal"), "0\n")

        // Without pcall the rule fails on the COMMIT itself, naming its line.
        try plugin("blunt", rules: "crm.before('create', 'task', 'blunt', function() crm.query('commit') end)\n")
        let blunt = try mine("add task title=x")
        XCTAssertEqual(blunt.status, 1)
        XCTAssertTrue(blunt.stderr.contains("blunt/rules.lua:1"), blunt.stderr)
        XCTAssertTrue(blunt.stderr.contains("SQL: " + refusal), blunt.stderr)
    }

    func testAPluginCannotReadInternalTables() throws {
        try plugin("peek", rules: """
            crm.before("create", "task", "peek", function() crm.query("select * from _crm_meta") end)
            """)
        let r = try mine("add task title=x")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("SQL: plugin 'peek' may not read crm's internal table '_crm_meta'"), r.stderr)
        let script = try sandbox.write("return #crm.query('select * from _crm_audit')\n", to: "peek.lua")
        let s = try sandbox.crm(["run", script])
        XCTAssertEqual(s.status, 1)
        XCTAssertTrue(s.stderr.contains("a script may not read crm's internal table '_crm_audit'"), s.stderr)
    }

    /// Each of the issue's four escapes ends within bounds with the limit named, and
    /// another writer gets the database right after (the transaction was rolled back).
    func testRunawayRulesAreStopped_andDoNotBlockOtherWriters() throws {
        let escapes = [
            "handler": "xpcall(function() while true do end end, function() while true do end end)",
            "finalizer": "setmetatable({}, { __gc = function() while true do end end }); collectgarbage()",
            "pattern": #"string.find(string.rep("a", 250), ".-.-.-.-.-.-.-b")"#,
            "allocation": #"for i = 1, 1e9 do local s = string.rep("ab", 25 * 2^20) end"#,
        ]
        let expected = [
            "handler": "ran past its instruction budget",
            "finalizer": "__gc is not available to plugins",
            "pattern": "worst case is too slow",
            "allocation": "ran past its instruction budget",
        ]
        var rules = ""
        for (name, body) in escapes.sorted(by: { $0.key < $1.key }) {
            rules += "crm.before('create', 'task', '\(name)', function(t) if t.title == '\(name)' then \(body) end end)\n"
        }
        try plugin("runaway", rules: rules)
        // A budget small enough to be spent well before the time limit, even on a busy machine.
        XCTAssertEqual(try mine("setting lua.instructions 10000000").status, 0)
        for name in escapes.keys.sorted() {
            let started = Date()
            let r = try mine("add task title=\(name)")
            XCTAssertEqual(r.status, 1, "\(name): \(r)")
            XCTAssertTrue(r.stderr.contains("rule '\(name)' (plugin runaway)"), "\(name): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(expected[name]!), "\(name): \(r.stderr)")
            XCTAssertLessThan(Date().timeIntervalSince(started), 30, name)
            let other = Date()
            let w = try sandbox.crm(["--no-plugins", "-c", "add customer name=after-\(name)"])
            XCTAssertEqual(w.status, 0, "\(name): \(w)")
            XCTAssertLessThan(Date().timeIntervalSince(other), 5, "the write lock was free")
        }
        XCTAssertEqual(try count("task"), "0\n")
        XCTAssertEqual(try count("customer"), "4\n")
    }

    func testTheTimeLimitIsASetting() throws {
        try plugin("slow", rules: "crm.before('create', 'task', 'slow', function() while true do end end)\n")
        XCTAssertEqual(try mine("setting lua.instructions 1000000000000", "setting lua.seconds 1").status, 0)
        let started = Date()
        let r = try mine("add task title=x")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("rule 'slow' (plugin slow)") && r.stderr.contains("ran past its time limit (1 s, setting lua.seconds)"), r.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    func testOnlyScriptsAndTestsMoveTheClock_andTheAuditTimeIsTheRunsOwn() throws {
        try plugin("forge", rules: "crm.before('create', 'task', 'forge', function() crm.set_now('2020-01-01') end)\n")
        let r = try mine("add task title=x", "add customer name=later")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("rule 'forge' (plugin forge)") && r.stderr.contains("crm.set_now is for tests and scripts"), r.stderr)
        // A script may pin "today" for what it creates; the audit trail keeps the run's time (CRM_NOW here).
        let script = try sandbox.write("""
            crm.set_now("2020-01-01 09:00")
            local c = crm.create("customer", { name = "rehearsed" })
            return c.created
            """, to: "rehearse.lua")
        let s = try sandbox.crm(["run", script])
        XCTAssertEqual(s.status, 0, "\(s)")
        XCTAssertTrue(s.stdout.hasPrefix("2020-01-01"), s.stdout)
        let history = try sandbox.crm(["--no-plugins", "--format", "csv", "-c", "history customer 1"])
        XCTAssertTrue(history.stdout.contains("2026-11-22"), history.stdout)
        XCTAssertFalse(history.stdout.contains("2020-01-01 09:00:00,"), history.stdout)
    }

    /// --no-plugins once let a self-referral the example plugin refuses be stored.
    func testNoPluginsKeepsAPluginsEntityReadOnly() throws {
        XCTAssertEqual(try sandbox.crm(commands: "plugin enable example", "add customer name=王芳", "add customer name=李娜",
                                       "refer 1 2").status, 0)
        let expected = "referral belongs to plugin example, which is not loaded (plugins are off in this run (--no-plugins)); "
            + "its records are read-only until it loads, so its rules cannot be bypassed (enable it with: plugin enable example)"
        for command in ["add referral referrer=1 referred=1", "update referral 1 set reward=9999", "delete referral 1"] {
            let r = try sandbox.crm(["--no-plugins", "-c", command])
            XCTAssertEqual(r.status, 1, "\(command): \(r)")
            XCTAssertTrue(r.stderr.contains(expected), "\(command): \(r.stderr)")
        }
        _ = try sandbox.write("referrer,referred\n2,2\n", to: "referrals.csv")
        let imported = try sandbox.crm(["--no-plugins", "-c", "import referral referrals.csv"])
        XCTAssertEqual(imported.status, 1, "\(imported)")
        XCTAssertTrue(imported.stderr.contains("referral belongs to plugin example, which is not loaded"), imported.stderr)
        let counted = try sandbox.crm(commands: "count referral")
        XCTAssertEqual(counted.stdout, "1\n", "\(counted)")
        XCTAssertEqual(try sandbox.crm(commands: "count referral where reward = 0").stdout, "1\n", "the update was refused")
        // A disabled plugin's entity is read-only too, and the core entity it extended stays writable.
        XCTAssertEqual(try sandbox.crm(commands: "plugin disable example").status, 0)
        let disabled = try sandbox.crm(commands: "add referral referrer=2 referred=1")
        XCTAssertEqual(disabled.status, 1)
        XCTAssertTrue(disabled.stderr.contains("which is not loaded (it is not enabled)"), disabled.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "update customer 1 set referred_by=2").status, 0)
    }
}
