import CRMCore
import CRMTestSupport
import GRDB
import XCTest

/// The audit trail names what wrote on the user's behalf (issue 14), and databases made
/// before it could are migrated: their history, backups and as-of reads still work.
final class AuditViaTests: XCTestCase {
    func testWriteThroughARule_isAuditedWithIt() throws {
        let store = try TestSupport.memoryStore(user: "anna")
        _ = try store.create("customer", values: ["name": .text("王芳")])
        store.via = "realestate rule 'protection expiry'"
        _ = try store.update("customer", id: 1, values: ["city": .text("上海")])
        store.via = nil
        let history = try store.history("customer", id: 1)
        XCTAssertEqual(history.columns.map(\.name), ["at", "user", "via", "action", "field", "old", "new"])
        XCTAssertEqual(history.rows.map { $0[2] }, [.null, .text("realestate rule 'protection expiry'")])
        XCTAssertEqual(history.rows.map { $0[1] }, [.text("anna"), .text("anna")])
    }

    /// A database with the audit table as it was before `via`: made now, then put back.
    func oldDatabase() throws -> String {
        let path = TestSupport.temporaryFolder() + "/old.sqlite"
        do {
            let store = try SQLiteStore(path: path, user: "old")
            _ = try store.create("customer", values: ["name": .text("王芳"), "city": .text("北京")])
            _ = try store.update("customer", id: 1, values: ["city": .text("上海")])
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE _crm_audit_v2 (id INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
                    entity TEXT NOT NULL, record_id INTEGER, field TEXT, old TEXT, new TEXT);
                INSERT INTO _crm_audit_v2 SELECT id, at, user, action, entity, record_id, field, old, new FROM _crm_audit;
                DROP TABLE _crm_audit;
                ALTER TABLE _crm_audit_v2 RENAME TO _crm_audit;
                CREATE INDEX _crm_audit_record ON _crm_audit(entity, record_id);
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v3:%';
                """)
        }
        try queue.close()
        return path
    }

    func testOldDatabase_gainsTheColumnAndKeepsItsHistory() throws {
        let path = try oldDatabase()
        let store = try SQLiteStore(path: path, user: "anna")
        let before = try store.history("customer", id: 1)
        XCTAssertEqual(before.rows.count, 2)
        XCTAssertEqual(before.rows.map { $0[2] }, [.null, .null])
        store.via = "banking job 'classify'"
        _ = try store.update("customer", id: 1, values: ["city": .text("深圳")])
        let after = try store.history("customer", id: 1)
        XCTAssertEqual(after.rows.last?[2], .text("banking job 'classify'"))
        // As-of reading still rebuilds from the old rows.
        XCTAssertEqual(try store.record("customer", id: 1, asOf: "2099-01-01")?["city"], .text("深圳"))
        XCTAssertNil(try store.record("customer", id: 1, asOf: "2000-01-01"))
    }

    func testRestoringAnOldBackup_migratesIt() throws {
        let old = try oldDatabase()
        let store = try SQLiteStore(path: TestSupport.temporaryFolder() + "/new.sqlite", user: "anna")
        _ = try store.restore(from: old)
        XCTAssertEqual(try store.history("customer", id: 1).rows.count, 2)
        store.via = "x rule 'y'"
        _ = try store.update("customer", id: 1, values: ["city": .text("广州")])
        XCTAssertEqual(try store.history("customer", id: 1).rows.last?[2], .text("x rule 'y'"))
        let copy = TestSupport.temporaryFolder() + "/copy.sqlite"
        _ = try store.backup(to: copy)
        XCTAssertEqual(try SQLiteStore(path: copy, user: "b").history("customer", id: 1).rows.last?[2], .text("x rule 'y'"))
    }
}
