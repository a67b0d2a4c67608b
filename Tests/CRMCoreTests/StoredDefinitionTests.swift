@testable import CRMCore
import CRMTestSupport
import Foundation
import GRDB
import XCTest

/// The fast reading of stored definitions (`EntityDefinition.fastDecoded`) gives exactly
/// what `JSONDecoder` gives, and gives up (nil) rather than guess on anything else.
final class StoredDefinitionTests: XCTestCase {
    func encoded(_ e: EntityDefinition) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(e), as: UTF8.self)
    }

    func assertSameAsDecoder(_ e: EntityDefinition, file: StaticString = #filePath, line: UInt = #line) throws {
        let json = try encoded(e)
        let slow = try JSONDecoder().decode(EntityDefinition.self, from: Data(json.utf8))
        XCTAssertEqual(EntityDefinition.fastDecoded(json), slow, json, file: file, line: line)
        XCTAssertEqual(slow, e, file: file, line: line)
    }

    func testEveryCoreEntity_readsAsTheDecoderReadsIt() throws {
        for e in CoreEntities.all { try assertSameAsDecoder(e) }
    }

    /// What the four industries store (computed fields, a plugin's fields on core entities,
    /// lookup keys, list choices) reads the same both ways.
    func testEveryBundledIndustrysStoredDefinition_readsAsTheDecoderReadsIt() throws {
        let sandbox = try CRMSandbox()
        defer { sandbox.remove() }
        let r = try sandbox.crm(["-X", "-c", "plugin enable realestate", "-c", "plugin enable exams",
                                 "-c", "plugin enable banking", "-c", "plugin enable utilities"])
        XCTAssertEqual(r.status, 0, r.description)
        let rows = try DatabaseQueue(path: sandbox.database).read { db in
            try Row.fetchAll(db, sql: "SELECT entity, definition FROM _crm_schema ORDER BY position")
        }
        XCTAssertGreaterThan(rows.count, 40)
        for row in rows {
            let name: String = row[0], json: String = row[1]
            let slow = try JSONDecoder().decode(EntityDefinition.self, from: Data(json.utf8))
            XCTAssertEqual(EntityDefinition.fastDecoded(json), slow, name)
        }
    }

    func testEveryTypeAndOptionalMember_withEscapesAndCJK() throws {
        var fields = [
            FieldDefinition("code", .text, label: "编号 \"甲\" \\ 𠀋😀", required: true, unique: true, defaultText: "A/1",
                            pattern: "[0-9+()\\- ]{3,40}", maxLength: 12, help: "tab\there\nnew line \u{1}", isPrivate: true),
            FieldDefinition("n", .integer, min: "-5", max: "99"),
            FieldDefinition("rate", .decimal(scale: 4)),
            FieldDefinition("fee", .money),
            FieldDefinition("on", .date), FieldDefinition("month", .month), FieldDefinition("at", .datetime),
            FieldDefinition("ok", .bool), FieldDefinition("data", .json),
            FieldDefinition("kind", .enumeration(["个人", "organisation"])),
            FieldDefinition("customer", .reference("customer")),
        ]
        fields[1].computed = "count of deal by customer"
        fields[1].plugin = "banking"
        var e = EntityDefinition(name: "sample", label: "样本", fields: fields,
                                 indexes: [IndexDefinition(["code"], unique: true), IndexDefinition(["n", "on"])],
                                 titleField: "code", searchFields: ["code"], listFields: ["code", "n"], owner: "exams")
        e.lookupFields = ["code"]
        e.listChosenBy = "realestate"
        e.formerly = "old_sample"
        try assertSameAsDecoder(e)
        // Optional members absent altogether, and an empty entity.
        try assertSameAsDecoder(EntityDefinition(name: "bare", label: "Bare", fields: []))
    }

    func testAnythingUnexpected_givesNilForTheDecoderToJudge() throws {
        let good = try encoded(CoreEntities.customer)
        XCTAssertNotNil(EntityDefinition.fastDecoded(good))
        let bad = [
            "", "null", "[]", "{}", String(good.dropLast()), good + "x",
            good.replacingOccurrences(of: "\"required\":true", with: "\"required\":1"),
            good.replacingOccurrences(of: "\"maxLength\":200", with: "\"maxLength\":200.5"),
            good.replacingOccurrences(of: "{\"text\":{}}", with: "{\"text\":{},\"integer\":{}}"),
            good.replacingOccurrences(of: "{\"text\":{}}", with: "{\"string\":{}}"),
            good.replacingOccurrences(of: "\"label\":\"Name\"", with: "\"label\":\"Na\\qme\""),
            good.replacingOccurrences(of: "\"label\":\"Name\"", with: "\"label\":\"\\ud800\""),
            good.replacingOccurrences(of: "\"label\":\"Name\"", with: "\"label\":\"N\u{0}\""),
        ]
        for json in bad {
            XCTAssertNil(EntityDefinition.fastDecoded(json), json)
        }
        // A member unknown to this version is ignored, as the decoder ignores it.
        let extra = "{\"later\":[1,-2,{\"x\":null},true,\"\\/\"]," + good.dropFirst()
        XCTAssertNotEqual(extra, good)
        XCTAssertEqual(EntityDefinition.fastDecoded(extra), CoreEntities.customer)
    }

    /// A stored property added to a definition must be read by the fast path too: this
    /// counts them so that adding one without `StoredDefinition.swift` fails here.
    func testTheFastPathKnowsEveryStoredProperty() {
        XCTAssertEqual(Mirror(reflecting: CoreEntities.customer).children.count, 11, "EntityDefinition: update StoredDefinition.swift")
        XCTAssertEqual(Mirror(reflecting: CoreEntities.customer.fields[0]).children.count, 14, "FieldDefinition: update StoredDefinition.swift")
        XCTAssertEqual(Mirror(reflecting: IndexDefinition(["a"])).children.count, 2, "IndexDefinition: update StoredDefinition.swift")
    }
}
