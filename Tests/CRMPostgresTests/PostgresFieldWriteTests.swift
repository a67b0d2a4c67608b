import CRMCore
import CRMTestSupport
import Foundation
import XCTest
@testable import CRMPostgres

/// `writeChoice` on PostgreSQL (`abc --apply`, stages, tiers): the batched path writes the
/// same values, `updated` times and audit rows as one `update` per record would.
final class PostgresFieldWriteTests: XCTestCase {
    var url: String!
    var store: PostgresStore!

    override func setUpWithError() throws {
        url = try PostgresTestDatabase.make(self)
        store = try PostgresStore(url: url, user: "tester", clock: .fixed(TestSupport.now))
        for name in ["王芳", "李强", "陈静"] { _ = try store.create("customer", values: ["name": .text(name)]) }
        _ = try store.update("customer", id: 3, values: ["value_class": .text("C")])
    }

    override func tearDown() { store?.close() }

    func classes() throws -> [String] {
        try store.select(sql: "SELECT coalesce(value_class, '-') FROM customer ORDER BY id", arguments: []).rows.map { $0[0].displayText }
    }

    func audit() throws -> [[String]] {
        try store.select(sql: """
            SELECT record_id, coalesce(old, '-'), new, "user" FROM _crm_audit WHERE field = 'value_class' ORDER BY id
            """, arguments: []).rows.map { $0.map(\.displayText) }
    }

    func testBatches_writeOnlyWhatChanges_withAnAuditRowEach() throws {
        store.clock = .fixed(TestSupport.now + 60)
        let classes = ["A", "B", "C"]
        let changed = try store.writeChoice("customer", field: "value_class") { classes[Int($0) - 1] }
        XCTAssertEqual(changed, 2)  // customer 3 is C already
        XCTAssertEqual(try self.classes(), ["A", "B", "C"])
        XCTAssertEqual(try audit(), [["3", "-", "C", "tester"], ["1", "-", "A", "tester"], ["2", "-", "B", "tester"]])
        let updated = try store.select(sql: "SELECT id FROM customer WHERE updated > created ORDER BY id", arguments: [])
        XCTAssertEqual(updated.rows.map { $0[0].displayText }, ["1", "2"])
        XCTAssertEqual(try store.writeChoice("customer", field: "value_class") { classes[Int($0) - 1] }, 0)
    }

    func testAValueChangedByAnotherClient_isTheOldTheAuditKeeps() throws {
        // The stream read customer 1 as unclassified; another client made it B since.
        let other = try PostgresStore(url: url, user: "other", clock: .fixed(TestSupport.now))
        defer { other.close() }
        let e = try XCTUnwrap(store.schema.entity(named: "customer"))
        _ = try other.update("customer", id: 1, values: ["value_class": .text("B")])
        try store.writeField(e, field: "value_class", changes: [FieldChange(id: 1, new: "A", old: nil),
                                                                 FieldChange(id: 2, new: "B", old: nil),
                                                                 FieldChange(id: 99, new: "A", old: nil)])
        XCTAssertEqual(try classes(), ["A", "B", "C"])
        XCTAssertEqual(try audit().suffix(2), [["1", "B", "A", "tester"], ["2", "-", "B", "tester"]])
    }

    func testABadChoice_writesNothing() throws {
        XCTAssertThrowsError(try store.writeChoice("customer", field: "value_class") { $0 == 2 ? "Z" : "A" }) {
            XCTAssertTrue("\($0)".contains("'Z' is not one of A, B, C"), "\($0)")
        }
        XCTAssertEqual(try classes(), ["-", "-", "C"])
    }
}
