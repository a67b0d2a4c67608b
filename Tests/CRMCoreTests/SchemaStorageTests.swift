import CRMCore
import CRMTestSupport
import Foundation
import XCTest

/// The schema read from the database decodes each definition when it is first used, and
/// behaves as a value like the one built from definitions.
final class SchemaStorageTests: XCTestCase {
    func definition(_ name: String, fields: [String] = ["title"]) -> EntityDefinition {
        EntityDefinition(name: name, label: name.capitalized,
                         fields: fields.map { FieldDefinition($0, .text) }, owner: "test")
    }

    func json(_ e: EntityDefinition) throws -> String {
        String(decoding: try JSONEncoder().encode(e), as: UTF8.self)
    }

    func testStoredDefinitionsDecodeOnUse_inOrder_andOneThatDoesNotDecodeIsLeftOut() throws {
        let a = definition("alpha"), b = definition("beta", fields: ["x", "y"])
        let schema = Schema(stored: [("alpha", try json(a)), ("broken", "{\"name\": 1}"), ("beta", try json(b))])
        XCTAssertEqual(schema.entity(named: "beta"), b)
        XCTAssertNil(schema.entity(named: "broken"))
        XCTAssertEqual(schema.names, ["alpha", "beta"])
        XCTAssertEqual(schema.entities, [a, b])
        XCTAssertNil(schema.entity(named: "gamma"))
    }

    func testACopyIsAValue() throws {
        let a = definition("alpha")
        let original = Schema(stored: [("alpha", try json(a))])
        var changed = original
        changed.put(definition("alpha", fields: ["other"]))
        changed.put(definition("gamma"))
        XCTAssertEqual(original.entity(named: "alpha"), a)
        XCTAssertEqual(original.names, ["alpha"])
        XCTAssertEqual(changed.entity(named: "alpha")?.fields.map(\.name), ["other"])
        XCTAssertEqual(changed.names, ["alpha", "gamma"])
        changed.remove(named: "alpha")
        XCTAssertEqual(changed.names, ["gamma"])
        XCTAssertEqual(changed.entities.map(\.name), ["gamma"])
        XCTAssertEqual(original.entities, [a])
    }

    func testAReopenedDatabaseHasTheSameSchema() throws {
        let folder = TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/s.db"
        var expected: [EntityDefinition] = []
        do {
            let store = try SQLiteStore(path: path, user: "t")
            try store.install([definition("widget", fields: ["size", "colour"])])
            expected = store.schema.entities
            store.close()
        }
        let reopened = try SQLiteStore(path: path, user: "t")
        defer { reopened.close() }
        XCTAssertEqual(reopened.schema.entity(named: "widget"), expected.first { $0.name == "widget" })
        XCTAssertEqual(reopened.schema.names, expected.map(\.name))
        XCTAssertEqual(reopened.schema.entities, expected)
    }
}
