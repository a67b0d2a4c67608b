import CRMCore
import CRMPostgres
import CRMTestSupport
import Foundation
import XCTest

/// The core entities as PostgreSQL tables, created on a real server (CRM_TEST_PG_URL),
/// each test in a schema of its own.
final class PostgresDDLTests: XCTestCase {
    private var connection: PGConnection!

    override func setUpWithError() throws {
        guard let url = PostgresTestServer.url else { throw skipTest(PostgresTestServer.skipMessage) }
        connection = try PGConnection(url)
        let schema = "s_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try connection.execute("CREATE SCHEMA \(schema)")
        try connection.execute("SET search_path TO \(schema)")
        let admin = connection!
        addTeardownBlock { _ = try? admin.execute("DROP SCHEMA \(schema) CASCADE") }
    }

    private func installCore() throws {
        try connection.transaction {
            for sql in PostgresDDL.storeTables { try connection.execute(sql) }
            for entity in CoreEntities.all {
                for sql in PostgresDDL.createEntity(entity) { try connection.execute(sql) }
            }
        }
    }

    private func scalar(_ sql: String, _ parameters: [String?] = []) throws -> String? {
        try connection.execute(sql, parameters).value(0, 0)
    }

    func testCoreEntitiesGetNativeColumnTypes() throws {
        try installCore()
        let rows = try connection.execute("""
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name IN ('customer', 'deal', 'interaction', 'user')
            """).rows
        var types: [String: String] = [:]
        for row in rows { types["\(row[0]!).\(row[1]!)"] = row[2]! }
        XCTAssertEqual(types["customer.id"], "bigint")
        XCTAssertEqual(types["customer.name"], "text")
        XCTAssertEqual(types["customer.birthday"], "date")
        XCTAssertEqual(types["customer.owner"], "bigint")
        XCTAssertEqual(types["customer.created"], "timestamp with time zone")
        XCTAssertEqual(types["deal.amount"], "bigint", "money in cents, as the SQLite store keeps it")
        XCTAssertEqual(types["interaction.at"], "timestamp with time zone")
        XCTAssertEqual(types["interaction.by"], "bigint", "a reserved word as a column name")
        XCTAssertEqual(types["user.active"], "boolean")
    }

    func testReferencesAreForeignKeysAndEnumsAreChecked() throws {
        try installCore()
        XCTAssertThrowsError(try connection.execute(
            "INSERT INTO interaction (customer, kind, at, created, updated) VALUES (999, 'call', now(), now(), now())")) { error in
            XCTAssertEqual((error as? PGError)?.sqlState, "23503", "\(error)")
        }
        let id = try XCTUnwrap(scalar("INSERT INTO customer (name, created, updated) VALUES ('张伟', now(), now()) RETURNING id"))
        try connection.execute("INSERT INTO interaction (customer, kind, at, created, updated) VALUES ($1, 'call', now(), now(), now())", [id])
        XCTAssertThrowsError(try connection.execute("UPDATE customer SET stage = 'nonsense' WHERE id = $1", [id])) { error in
            XCTAssertEqual((error as? PGError)?.sqlState, "23514", "\(error)")
        }
        XCTAssertThrowsError(try connection.execute("INSERT INTO \"user\" (name, active, created, updated) VALUES ('a', true, now(), now()), ('a', true, now(), now())")) { error in
            XCTAssertEqual((error as? PGError)?.sqlState, "23505", "user.name is unique: \(error)")
        }
    }

    func testAFailingInstallLeavesNoTableBehind() throws {
        XCTAssertThrowsError(try connection.transaction {
            for sql in PostgresDDL.storeTables { try connection.execute(sql) }
            for sql in PostgresDDL.createEntity(CoreEntities.user) + PostgresDDL.createEntity(CoreEntities.customer) {
                try connection.execute(sql)
            }
            try connection.execute("CREATE TABLE customer (id bigint)")
        })
        XCTAssertEqual(try scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"), "0")
    }

    func testMonthsAndTheFindGramsOfSearchableEntities() throws {
        var entity = EntityDefinition(name: "visit", label: "Visit", fields: [
            FieldDefinition("on", .date, label: "On"),
            FieldDefinition("month", .month, label: "Month"),
            FieldDefinition("guest", .text, label: "Guest"),
        ])
        entity.searchFields = ["guest"]
        try connection.transaction {
            for sql in PostgresDDL.createEntity(entity) { try connection.execute(sql) }
        }
        let id = try XCTUnwrap(scalar("INSERT INTO visit (\"on\", month, guest, created, updated) VALUES ('2026-11-30', '2026-11', '王芳', now(), now()) RETURNING id"))
        XCTAssertThrowsError(try connection.execute("UPDATE visit SET month = '2026-13' WHERE id = $1", [id])) { error in
            XCTAssertEqual((error as? PGError)?.sqlState, "23514", "\(error)")
        }
        try connection.execute("INSERT INTO _crm_find_visit (gram, id) VALUES ('王芳', $1)", [id])
        try connection.execute("DELETE FROM visit WHERE id = $1", [id])
        XCTAssertEqual(try scalar("SELECT count(*) FROM _crm_find_visit"), "0", "grams go with their record")
    }
}
