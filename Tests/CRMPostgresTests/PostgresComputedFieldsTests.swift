import CRMTestSupport
import Foundation
import XCTest
@testable import CRMPostgres

/// Roll-ups, computed fields reading settings, `recompute` and parallel writers through the
/// real binary on the test server, with a plugin of the test's own (group totals of members).
final class PostgresComputedFieldsTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox()
        try sandbox.write("""
            return { name = "telecom", version = "1",
              settings = { { "discount", "decimal", default = 1, label = "Share of the fee billed" } } }
            """, to: "mine/telecom/plugin.lua")
        try sandbox.write("""
            crm.entity "group" {
              fields = {
                { "code", "text", required = true, unique = true },
                { "total_fee", "money", rollup = { from = "member", sum = "monthly_fee" } },
                { "members", "integer", rollup = { from = "member", count = true, where = { status = "active" } } },
                { "billed", "money", compute = { depends = { "total_fee", "setting:discount" }, fn = function(g)
                    return g.total_fee * crm.setting("discount")
                  end } },
              },
            }
            crm.entity "member" {
              fields = {
                { "line", "text", required = true },
                { "group", "ref", entity = "group" },
                { "status", "enum", values = { "active", "left" }, default = "active" },
                { "monthly_fee", "money", default = 0 },
              },
            }
            -- Some work after each total moves: it widens the time between reading a total and
            -- committing it, so that a lost update would show in the parallel test.
            crm.after("update", "group", "audit the total", function(g)
              local x = 0
              for i = 1, 3000000 do x = x + i end
            end)
            """, to: "mine/telecom/entities.lua")
    }

    override func tearDown() { sandbox?.remove() }

    func crm(_ db: String, _ commands: [String], format: String? = nil) throws -> CommandResult {
        var args = ["--db", db, "--plugins", sandbox.path("mine")]
        if let format { args += ["--format", format] }
        return try sandbox.run(args + commands.flatMap { ["-c", $0] }, environment: ["CRM_NOW": "2026-11-22T10:00:00Z"])
    }

    func groups(_ db: String) throws -> String {
        let r = try crm(db, ["list group columns code,total_fee,members,billed order by id"], format: "csv")
        XCTAssertEqual(r.status, 0, r.description)
        // Without the id column.
        return r.stdout.split(separator: "\n").map { $0.split(separator: ",", maxSplits: 1).last ?? "" }
            .joined(separator: "\n") + "\n"
    }

    /// The same commands on SQLite and PostgreSQL: the same totals and the same history.
    func testRollUpsFollowAddUpdateDeleteAndReferenceChange_asOnSQLite() throws {
        let url = try PostgresTestDatabase.make(self)
        let sqlite = sandbox.path("same.db")
        let script = [
            "plugin enable telecom",
            "add group code=G1", "add group code=G2",
            "add member line=1 group=G1 monthly_fee=10.50", "add member line=2 group=G1 monthly_fee=20",
            "add member line=3 group=G2 monthly_fee=5",
            "update member 1 set monthly_fee=11.50",      // update: G1 31.50
            "update member 2 set group=G2",               // reference change: G1 11.50, G2 25
            "update member 3 set status=left",            // a condition of the count moves
            "delete member 1",                            // G1 back to 0
        ]
        for db in [url, sqlite] {
            let r = try crm(db, script)
            XCTAssertEqual(r.status, 0, "\(db): \(r.description)")
        }
        let expected = "code,total_fee,members,billed\nG1,0.00,0,0.00\nG2,25.00,1,25.00\n"
        XCTAssertEqual(try groups(url), expected)
        XCTAssertEqual(try groups(sqlite), expected)
        for id in ["1", "2"] {
            let pg = try crm(url, ["history group \(id)"], format: "csv")
            let lite = try crm(sqlite, ["history group \(id)"], format: "csv")
            XCTAssertEqual(pg.status, 0, pg.description)
            XCTAssertTrue(pg.stdout.contains("total_fee"), pg.stdout)
            XCTAssertEqual(pg.stdout, lite.stdout, "group \(id): the audit rows of the computed values, as SQLite writes them")
        }
        // A computed value cannot be typed; nothing of the command is kept.
        let typed = try crm(url, ["update group 2 set total_fee=1"])
        XCTAssertEqual(typed.status, 1, typed.description)
        XCTAssertEqual(typed.stderrLines.count, 1, typed.description)
        XCTAssertTrue(typed.stderr.contains("group.total_fee is computed"), typed.stderr)
        // Inside one transaction, a read after a write sees the new total; a rollback undoes both.
        let tx = try crm(url, ["begin", "add member line=9 group=G1 monthly_fee=7",
                               "lua print(crm.get('group', 1).total_fee)", "rollback"])
        XCTAssertEqual(tx.status, 0, tx.description)
        XCTAssertTrue(tx.stderr.contains("7.0") || tx.stdout.contains("7.0"), tx.description)
        XCTAssertEqual(try groups(url), expected)
    }

    func testRecomputeAndASettingMoveComputedValues() throws {
        let url = try PostgresTestDatabase.make(self)
        var r = try crm(url, ["plugin enable telecom", "add group code=G1", "add group code=G2",
                              "add member line=1 group=G1 monthly_fee=10", "add member line=2 group=G2 monthly_fee=30"])
        XCTAssertEqual(r.status, 0, r.description)
        r = try crm(url, ["setting telecom.discount 0.5"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdout, "telecom.discount = 0.5; recomputed 2 records that read it (2 changed)\n")
        XCTAssertEqual(try groups(url), "code,total_fee,members,billed\nG1,10.00,1,5.00\nG2,30.00,1,15.00\n")
        r = try crm(url, ["recompute group where code = G2"])
        XCTAssertEqual(r.stdout, "recomputed 1 group (0 changed)\n", r.description)
        // A total changed behind crm's back (plain SQL) is put right by recompute, audited.
        let admin = try PGConnection(url)
        try admin.execute("UPDATE \"group\" SET total_fee = 1, billed = 1")
        admin.close()
        r = try crm(url, ["recompute group"])
        XCTAssertEqual(r.stdout, "recomputed 2 group (2 changed)\n", r.description)
        XCTAssertEqual(try groups(url), "code,total_fee,members,billed\nG1,10.00,1,5.00\nG2,30.00,1,15.00\n")
        XCTAssertTrue(try crm(url, ["history group 2"]).stdout.contains("30.00"))
        r = try crm(url, ["recompute member"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stderrLines.count, 1, r.description)
        XCTAssertTrue(r.stderr.contains("member has no computed fields"), r.stderr)
    }

    /// Clients adding members to one group at once: every member is counted in the total.
    func testParallelClientsLoseNoRollUpUpdate() throws {
        let url = try PostgresTestDatabase.make(self)
        XCTAssertEqual(try crm(url, ["plugin enable telecom", "add group code=G1", "add group code=G2"]).status, 0)
        let clients = 8, each = 12
        let failures = Shared([String]())
        // One thread per client (concurrentPerform would run only as many as there are cores).
        let done = DispatchGroup()
        for client in 0..<clients {
            done.enter()
            Thread.detachNewThread {
            defer { done.leave() }
            var commands: [String] = []
            for i in 0..<each {
                commands.append("add member line=\(client)-\(i) group=G1 monthly_fee=1.25")
            }
            // One member moves between the groups too (the old and the new parent both move).
            commands.append("update member where line = \(client)-1 set group=G2")
            do {
                let r = try self.crm(url, commands)
                if r.status != 0 { failures.update { $0.append(r.description) } }
            } catch {
                failures.update { $0.append("\(error)") }
            }
            }
        }
        done.wait()
        XCTAssertEqual(failures.value, [])
        // Per client: the moved line 1 in G2, the other 11 in G1.
        let g1 = clients * (each - 1), g2 = clients
        let expected = "code,total_fee,members,billed\nG1,\(String(format: "%.2f", Double(g1) * 1.25)),\(g1),\(String(format: "%.2f", Double(g1) * 1.25))\n"
            + "G2,\(String(format: "%.2f", Double(g2) * 1.25)),\(g2),\(String(format: "%.2f", Double(g2) * 1.25))\n"
        XCTAssertEqual(try groups(url), expected)
    }

    /// `formerly`: the table, its references, indexes, constraints, find grams, audit rows
    /// and stored definitions move to the new name; later writes, finds and migrations work.
    func testAnEntityRenamedWithFormerlyKeepsItsRecords() throws {
        let url = try PostgresTestDatabase.make(self)
        func entities(_ name: String, formerly: String?, kinds: String) -> String {
            """
            crm.entity "\(name)" {
              \(formerly.map { "formerly = \"\($0)\"," } ?? "")
              fields = {
                { "code", "text", required = true, unique = true },
                { "note", "text" },
                { "kind", "enum", values = { \(kinds) }, default = "time" },
              },
              search = { "note" },
            }
            crm.entity "slip" {
              fields = { { "account", "ref", entity = "\(name)" }, { "amount", "money" } },
            }
            """
        }
        try sandbox.write("return { name = \"bank\", version = \"1\" }\n", to: "old/bank/plugin.lua")
        try sandbox.write(entities("deposit", formerly: nil, kinds: "\"time\", \"demand\""), to: "old/bank/entities.lua")
        func run(_ plugins: String, _ commands: String...) throws -> CommandResult {
            try sandbox.run(["--db", url, "--plugins", sandbox.path(plugins)] + commands.flatMap { ["-c", $0] })
        }
        var r = try run("old", "plugin enable bank", "add deposit code=D1 note=定期存款甲", "add slip account=D1 amount=5")
        XCTAssertEqual(r.status, 0, r.description)
        try sandbox.write("return { name = \"bank\", version = \"2\" }\n", to: "new/bank/plugin.lua")
        try sandbox.write(entities("account", formerly: "deposit", kinds: "\"time\", \"demand\", \"notice\""), to: "new/bank/entities.lua")
        r = try run("new", "list account", "find 存款甲", "history account 1", "add account code=D2 kind=notice",
                    "add slip account=D2 amount=7", "list slip")
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(r.stdout.contains("D1") && r.stdout.contains("定期存款甲"), r.stdout)
        XCTAssertEqual(r.stdout.components(separatedBy: "定期存款甲").count - 1, 3, "list, find, history: \(r.stdout)")
        // The new enum value passes the CHECK, which moved with the table and followed the definition.
        XCTAssertEqual(try run("new", "count account where kind = notice", "count slip where account = D2").stdout, "1\n1\n")
        // The unique index moved with the table (and still holds); the old name is gone.
        r = try run("new", "add account code=D1")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stderrLines.count, 1, r.description)
        XCTAssertTrue(r.stderr.contains("D1"), r.stderr)
        r = try run("new", "count deposit")
        XCTAssertEqual(r.status, 1, r.description)
        let admin = try PGConnection(url)
        defer { admin.close() }
        XCTAssertEqual(try admin.execute("SELECT count(*) FROM _crm_audit WHERE entity = 'deposit'").value(0, 0), "0")
        XCTAssertEqual(try admin.execute("SELECT count(*) FROM _crm_schema WHERE entity = 'deposit'").value(0, 0), "0")
        let leftovers = try admin.execute("""
            SELECT relname FROM pg_class WHERE relname LIKE '%deposit%' AND relnamespace = 'public'::regnamespace
            UNION ALL SELECT conname FROM pg_constraint WHERE conname LIKE '%deposit%'
            """)
        XCTAssertEqual(leftovers.rowCount, 0, "\(leftovers.rows)")
    }
}
