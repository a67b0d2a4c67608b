import CRMCore
import GRDB
import CRMTestSupport
import XCTest

final class MigrationTests: XCTestCase {
    func testAddingFieldToTableWithData_keepsData() throws {
        let folder = TestSupport.temporaryFolder()
        let path = folder + "/m.sqlite"
        do {
            let store = try SQLiteStore(path: path, user: "t")
            _ = try store.create("customer", values: ["name": .text("王芳")])
            var extended = CoreEntities.customer
            extended.fields.append(FieldDefinition("intent", .enumeration(["A", "B", "C"]), required: true, defaultText: "C"))
            try store.install([extended])
        }
        let reopened = try SQLiteStore(path: path, user: "t")
        let r = try XCTUnwrap(reopened.record("customer", id: 1))
        XCTAssertEqual(r["name"], .text("王芳"))
        XCTAssertEqual(r["intent"], .text("C"))
        XCTAssertNotNil(reopened.schema.entity(named: "customer")?.field("intent"))
    }

    func testFindIndexOfAnOlderLayout_isRebuiltOnceAndKeepsWorking() throws {
        let path = TestSupport.temporaryFolder() + "/old.sqlite"
        do {
            let store = try SQLiteStore(path: path, user: "t")
            _ = try store.create("customer", values: ["name": .text("王芳"), "phone": .text("13800001111")])
        }
        // Put the database back to the v1 layout: positions kept, no layout in the meta key.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                DROP TABLE _crm_find_customer;
                CREATE VIRTUAL TABLE _crm_find_customer USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0');
                INSERT INTO _crm_find_customer (rowid, grams) VALUES (1, '王芳 138 380 800 000 001 011 111');
                UPDATE _crm_meta SET value = 'name,phone,email' WHERE key = 'find:customer';
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v2:%';
                """)
        }
        try queue.close()
        let store = try SQLiteStore(path: path, user: "t")
        XCTAssertEqual(try store.find("王芳", limit: 5).rows.count, 1)
        XCTAssertEqual(try store.find("0001", limit: 5).rows.count, 1)
        let sql = try store.select(sql: "SELECT sql FROM sqlite_master WHERE name = '_crm_find_customer'", arguments: [])
        XCTAssertTrue(sql.rows[0][0].displayText.contains("detail = none"), sql.rows[0][0].displayText)
        XCTAssertEqual(try store.meta("find:customer"), "name,phone,email;v2")
    }

    func testNewFile_isPrivate() throws {
        let path = TestSupport.temporaryFolder() + "/sub/dir/p.sqlite"
        _ = try SQLiteStore(path: path, user: "t")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testChangingFieldType_isRefused() throws {
        let store = try TestSupport.memoryStore()
        var changed = CoreEntities.customer
        changed.fields[changed.fields.firstIndex { $0.name == "city" }!].type = .integer
        XCTAssertThrowsError(try store.install([changed])) {
            XCTAssertEqual("\($0)", "cannot migrate customer.city: its type changes from text to integer; add a new field instead")
        }
    }

    func testNewEntityWithEveryType() throws {
        let store = try TestSupport.memoryStore()
        let unit = EntityDefinition(name: "unit", label: "房源", fields: [
            FieldDefinition("code", .text, required: true, unique: true),
            FieldDefinition("floor", .integer), FieldDefinition("area", .decimal(scale: 2)),
            FieldDefinition("price", .money), FieldDefinition("listed", .date), FieldDefinition("seen", .datetime),
            FieldDefinition("corner", .bool), FieldDefinition("status", .enumeration(["available", "sold"])),
            FieldDefinition("buyer", .reference("customer")), FieldDefinition("extra", .json),
        ])
        try store.install([unit])
        var values: [String: Value] = [:]
        for (k, t) in ["code": "A-101", "floor": "12", "area": "89.5", "price": "1,250,000", "listed": "2026-11-01",
                       "seen": "2026-11-22 09:30", "corner": "yes", "status": "available", "extra": "{\"a\":1}"] {
            values[k] = try store.parseValue(entity: "unit", field: k, text: t)
        }
        let id = try store.create("unit", values: values)
        let r = try XCTUnwrap(store.record("unit", id: id))
        XCTAssertEqual(r["area"], .decimal(Fixed(units: 8950, scale: 2)))
        XCTAssertEqual(r["corner"], .bool(true))
        XCTAssertEqual(r["extra"], .json("{\"a\":1}"))
        XCTAssertThrowsError(try store.parseValue(entity: "unit", field: "extra", text: "{oops")) {
            XCTAssertEqual("\($0)", "unit.extra: '{oops' is not valid, expected valid JSON")
        }
    }
}
