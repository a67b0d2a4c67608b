import CRMCore
import CRMTestSupport
import XCTest

/// `select(sql:…)` keeps a checked statement for its next run: the checks and column types
/// must still follow who reads and what the schema says.
final class CheckedSelectTests: XCTestCase {
    func scope(_ tables: Set<String>, _ reader: String = "plugin 'p'") -> ReadScope {
        ReadScope(tables: tables, reader: reader, allowed: tables.sorted().joined(separator: ", "))
    }

    func testARepeatedQuery_isStillRefusedToAReaderWithoutTheTable() throws {
        let store = try TestSupport.memoryStore()
        _ = try store.create("customer", values: ["name": .text("王芳")])
        let sql = "select name from customer where id = ?"
        XCTAssertEqual(try store.select(sql: sql, arguments: [.integer(1)], scope: scope(["customer"]), shouldStop: nil).rows,
                       [[.text("王芳")]])
        XCTAssertEqual(try store.select(sql: sql, arguments: [.integer(1)], scope: scope(["customer"]), shouldStop: nil).rows,
                       [[.text("王芳")]], "the kept statement runs again with new arguments")
        XCTAssertThrowsError(try store.select(sql: sql, arguments: [.integer(1)], scope: scope(["deal"], "plugin 'q'"), shouldStop: nil)) {
            XCTAssertTrue("\($0)".contains("plugin 'q' may not read"), "\($0)")
        }
        XCTAssertThrowsError(try store.select(sql: sql, arguments: [.integer(1)], scope: scope(["deal"]), shouldStop: nil),
                             "the same reader with a narrower scope is checked again")
    }

    func testARepeatedQuery_typesAFieldAddedSinceAsTheSchemaSays() throws {
        let store = try TestSupport.memoryStore()
        _ = try store.create("customer", values: ["name": .text("王芳")])
        let sql = "select * from customer where id = 1"
        let before = try store.select(sql: sql, arguments: [], scope: scope(["customer"]), shouldStop: nil)
        var extended = CoreEntities.customer
        extended.fields.append(FieldDefinition("credit", .money, defaultText: "12.50"))
        try store.install([extended])
        _ = try store.update("customer", id: 1, values: ["credit": .decimal(try XCTUnwrap(Fixed(parsing: "12.50", scale: 2)))])
        let after = try store.select(sql: sql, arguments: [], scope: scope(["customer"]), shouldStop: nil)
        XCTAssertEqual(after.columns.count, before.columns.count + 1, "the new column is read")
        let i = try XCTUnwrap(after.columns.firstIndex { $0.name == "credit" })
        XCTAssertEqual(after.rows[0][i].displayText, "12.50", "money, as the new field says")
    }
}
