import CRMCore
import XCTest
@testable import CRMLua

/// `crm.query` runs one read-only SELECT over the tables its caller may read: every
/// other statement kind is refused with a clear message and changes nothing, and crm's
/// internal tables and other plugins' entities are off limits.
final class QuerySandboxTests: XCTestCase {
    var f: PluginFixture!

    override func setUpWithError() throws {
        f = try PluginFixture()
        let query = """
            crm.command "q" {
              params = { { "sql", "text", required = true } },
              run = function(a)
                local ok, rows = pcall(crm.query, a.sql)
                if ok then return "ok " .. #rows end
                return "error: " .. tostring(rows)
              end,
            }
            """
        try f.plugin("p", ["entities.lua": "crm.entity \"thing\" { fields = { label = { \"text\" } } }\n", "commands.lua": query])
        try f.plugin("other", ["entities.lua": "crm.entity \"secret\" { fields = { code = { \"text\" } } }\n"])
        try f.plugin("child", manifest: "requires = { \"p\" },",
                     ["commands.lua": query.replacingOccurrences(of: "\"q\"", with: "\"cq\"")])
        try f.start(enabling: ["p", "other", "child"])
        XCTAssertEqual(f.host.problems.map(\.description), [])
        _ = try f.store.create("customer", values: ["name": .text("王芳")])
    }

    override func tearDown() { f = nil }

    func query(_ sql: String, as command: String = "q") throws -> String {
        guard case .message(let text) = try f.host.runCommand(command, positional: [sql], named: [:]) else { return "?" }
        return text
    }

    func testSelectWithSelectAndValuesRun() throws {
        XCTAssertEqual(try query("select name from customer"), "ok 1")
        XCTAssertEqual(try query("with x as (select 1 as n union all select 2) select n from x"), "ok 2")
        XCTAssertEqual(try query("with recursive c(n) as (select 1 union all select n + 1 from c where n < 5) select n from c"), "ok 5")
        XCTAssertEqual(try query("values (1), (2), (3)"), "ok 3")
        XCTAssertEqual(try query("  /* why */ -- a comment\n select count(*) from thing"), "ok 1")
    }

    func testEveryStatementThatWritesOrControlsTheDatabaseIsRefused_andNothingChanges() throws {
        let audit = try f.store.lastAuditID()
        let refused: [(String, String)] = [
            ("insert into customer (name, created, updated) values ('x', 'a', 'b')", "INSERT is not allowed here"),
            ("update customer set name = 'y'", "UPDATE is not allowed here"),
            ("delete from customer", "DELETE is not allowed here"),
            ("replace into customer (id, name, created, updated) values (1, 'z', 'a', 'b')", "REPLACE is not allowed here"),
            ("create table t (x)", "CREATE is not allowed here"),
            ("drop table thing", "DROP is not allowed here"),
            ("alter table customer add column z text", "ALTER is not allowed here"),
            ("begin", "BEGIN is not allowed here"),
            ("commit", "COMMIT is not allowed here"),
            ("end", "END is not allowed here"),
            ("rollback", "ROLLBACK is not allowed here"),
            ("savepoint s", "SAVEPOINT is not allowed here"),
            ("release s", "RELEASE is not allowed here"),
            ("attach '\(f.root)/side.db' as side", "ATTACH is not allowed here"),
            ("detach main", "DETACH is not allowed here"),
            ("pragma foreign_keys = off", "PRAGMA is not allowed here"),
            ("pragma writable_schema = 1", "PRAGMA is not allowed here"),
            ("pragma synchronous = off", "PRAGMA is not allowed here"),
            ("vacuum", "VACUUM is not allowed here"),
            ("reindex", "REINDEX is not allowed here"),
            ("analyze", "ANALYZE is not allowed here"),
            ("explain select 1", "EXPLAIN is not allowed here"),
            ("with x as (select 1) insert into customer (name, created, updated) select 'a', 'b', 'c' from x",
             "only read-only statements (select) are allowed here; this one writes"),
            ("with x as (select 1) delete from customer", "this one writes"),
            ("select 1; delete from customer", "one statement at a time"),
            ("select 1; commit", "one statement at a time"),
            ("select load_extension('/tmp/nothing.so')", "not authorized"),
        ]
        for (sql, expected) in refused {
            let result = try query(sql)
            XCTAssertTrue(result.hasPrefix("error: ") && result.contains(expected), "\(sql) → \(result)")
            XCTAssertTrue(result.contains("p/commands.lua:4") || !result.contains("prelude"),
                          "the error points at the plugin's line, not crm's wrapper: \(result)")
        }
        XCTAssertEqual(try f.customers(), ["王芳"])
        XCTAssertEqual(try f.store.lastAuditID(), audit)
        XCTAssertNotNil(f.store.schema.entity(named: "thing"))
        XCTAssertEqual(try query("select label from thing"), "ok 0", "the table is still there")
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.root + "/side.db"), "ATTACH created no file")
        XCTAssertEqual(try f.store.select(sql: "select * from pragma_foreign_keys", arguments: []).rows.first?.first,
                       .integer(1), "foreign keys are still on")
        XCTAssertEqual(try f.store.select(sql: "select * from pragma_writable_schema", arguments: []).rows.first?.first,
                       .integer(0))
    }

    func testInternalTablesAreOffLimits_namingTheTableAndThePlugin() throws {
        let cases: [(String, String)] = [
            ("select * from _crm_audit", "_crm_audit"),
            ("select count(*) from _crm_audit", "_crm_audit"),
            ("select 1 from _crm_meta", "_crm_meta"),
            ("select value from _crm_meta where key like 'setting.%'", "_crm_meta"),
            ("select definition from _crm_schema", "_crm_schema"),
            ("select * from _crm_find_customer", "_crm_find_customer"),
            ("select name from sqlite_master", "sqlite_master"),
            ("select name from sqlite_schema", "sqlite_master"),  // SQLite names its alias
            ("select * from temp.sqlite_master", "sqlite_temp_master"),
            ("select * from pragma_table_info('_crm_audit')", "may not read"),
            ("select * from customer where id in (select record_id from _crm_audit)", "_crm_audit"),
            ("with a as (select * from _crm_meta) select * from a", "_crm_meta"),
            ("select (select count(*) from main._crm_audit)", "_crm_audit"),
        ]
        for (sql, table) in cases {
            let result = try query(sql)
            XCTAssertTrue(result.contains("plugin 'p' may not read"), "\(sql) → \(result)")
            XCTAssertTrue(result.contains(table), "\(sql) → \(result)")
        }
    }

    func testAPluginReadsCoreItsOwnAndRequiredEntities_notOtherPlugins() throws {
        XCTAssertEqual(try query("select * from thing join customer"), "ok 0")
        let other = try query("select code from secret")
        XCTAssertTrue(other.contains("plugin 'p' may not read table 'secret'"), other)
        XCTAssertTrue(other.contains("its own and those of the plugins it requires"), other)
        XCTAssertEqual(try query("select label from thing", as: "cq"), "ok 0", "child requires p")
        XCTAssertTrue(try query("select * from secret", as: "cq").contains("plugin 'child' may not read table 'secret'"))
    }

    func testScriptsAndThePromptReadEveryEntity_butNotInternalTables() throws {
        XCTAssertEqual(try f.eval("#crm.query('select * from secret')"), "0")
        let refused = try f.eval("tostring(select(2, pcall(crm.query, 'select * from _crm_meta')))")
        XCTAssertTrue(refused.contains("the prompt may not read crm's internal table '_crm_meta'"), refused)
    }

    func testARunawayQueryIsStoppedByTheBudget() throws {
        try f.store.setMeta("setting.lua.instructions", "2000000")
        try f.host.reload()
        let started = Date()
        XCTAssertThrowsError(try f.host.runCommand("q", positional: [
            "with recursive c(n) as (select 1 union all select n + 1 from c) select count(*) from c"], named: [:])) {
            XCTAssertEqual(($0 as? PluginError)?.kind, .budget, "\($0)")
            XCTAssertTrue("\($0)".contains("command 'q' (plugin p): ran past its instruction budget"), "\($0)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }
}
