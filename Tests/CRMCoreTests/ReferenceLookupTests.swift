import CRMCore
import CRMTestSupport
import XCTest

/// References by lookup key (issue 14): `group=G001`, codes that look like ids, one rule
/// for writes, filters and imports, and errors that say what was tried.
final class ReferenceLookupTests: XCTestCase {
    var store: SQLiteStore!

    override func setUpWithError() throws {
        store = try TestSupport.memoryStore()
        var group = EntityDefinition(name: "group", label: "Group", fields: [
            FieldDefinition("group_code", .text, required: true, unique: true),
            FieldDefinition("name", .text),
        ], titleField: "name")
        group.lookupFields = ["group_code"]
        let course = EntityDefinition(name: "course", label: "Course", fields: [
            FieldDefinition("code", .text, unique: true), FieldDefinition("name", .text),
        ], titleField: "name")
        let member = EntityDefinition(name: "member", label: "Member", fields: [
            FieldDefinition("line", .text), FieldDefinition("group", .reference("group")),
            FieldDefinition("course", .reference("course")),
        ])
        try store.install([group, course, member])
        for (code, name) in [("G001", "North"), ("3", "Three"), ("00465", "Zeros"), ("G004", "G001x")] {
            _ = try store.create("group", values: ["group_code": .text(code), "name": .text(name)])
        }
        _ = try store.create("course", values: ["code": .text("00465"), "name": .text("00465")])
    }

    func group(_ text: String) throws -> Value { try store.parseValue(entity: "member", field: "group", text: text) }

    func testLookupKey_namesTheRecord() throws {
        XCTAssertEqual(try group("G001"), .integer(1))
        XCTAssertEqual(try group("North"), .integer(1), "the title still works")
    }

    func testBareNumber_isACodeWhenTheTargetHasLookupKeys() throws {
        // Group 3 exists (group_code 00465), but `3` is the group whose code is 3: record 2.
        XCTAssertEqual(try group("3"), .integer(2))
    }

    func testLeadingZeros_areNeverAnId() throws {
        XCTAssertEqual(try group("00465"), .integer(3))
        // course has no lookup key: 00465 is its title, not record 465.
        XCTAssertEqual(try store.parseValue(entity: "member", field: "course", text: "00465"), .integer(1))
    }

    func testHashOrIdPrefix_forcesAnId() throws {
        XCTAssertEqual(try group("#3"), .integer(3))
        XCTAssertEqual(try group("id:4"), .integer(4))
        XCTAssertEqual(try store.parseValue(entity: "member", field: "course", text: "1"), .integer(1),
                       "without lookup keys a plain number is an id")
    }

    func testNoMatch_saysWhatWasTried() {
        XCTAssertThrowsError(try group("7")) { e in
            XCTAssertEqual("\(e)", "member.group: no group with group_code '7' or name '7' (#7 is the record with id 7)")
        }
        XCTAssertThrowsError(try store.parseValue(entity: "member", field: "course", text: "007")) { e in
            XCTAssertEqual("\(e)", "member.course: no course with name '007' (a number with leading zeros is never an id; #7 is the record with id 7)")
        }
    }

    func testKeyOfOneRecordAndTitleOfAnother_isAnErrorNotAGuess() throws {
        _ = try store.update("group", id: 4, values: ["name": .text("G001")])
        XCTAssertThrowsError(try group("G001")) { e in
            XCTAssertEqual("\(e)", "member.group: 'G001' matches group 1 by group_code, group 4 by name; write #1 or #4")
        }
        XCTAssertThrowsError(try store.list(Query(entity: "member", filter: .compare(FieldRef("group"), .eq, Literal("G001")))))
    }

    func testFilter_usesTheSameRule() throws {
        _ = try store.create("member", values: ["line": .text("a"), "group": try group("3")])
        _ = try store.create("member", values: ["line": .text("b"), "group": try group("#3")])
        func lines(_ text: String, _ op: CompareOp = .eq) throws -> [String] {
            try store.list(Query(entity: "member", filter: .compare(FieldRef("group"), op, Literal(text)),
                                 order: [SortKey(FieldRef("id"))], fields: ["line"])).rows.map { $0[0].displayText }
        }
        XCTAssertEqual(try lines("3"), ["a"])
        XCTAssertEqual(try lines("#3"), ["b"])
        XCTAssertEqual(try lines("00465"), ["b"])
        XCTAssertEqual(try lines("3", .ne), ["b"])
        XCTAssertEqual(try lines("G999"), [])
    }

    func testImport_readsCodesByTheSameRule() throws {
        let path = TestSupport.temporaryFolder() + "/m.csv"
        try "line,group\nx,G001\ny,3\nz,00465\nw,nope\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Importer(store: store, entity: "member", path: path, atomic: false).run()
        XCTAssertEqual(result.imported, 3)
        let groups = try store.list(Query(entity: "member", order: [SortKey(FieldRef("id"))], fields: ["group"])).rows.map { $0[0] }
        XCTAssertEqual(groups, [.integer(1), .integer(2), .integer(3)])
    }

    func testLookupKeyThatIsNotUnique_isRefused() {
        var bad = EntityDefinition(name: "zone", label: "Zone", fields: [FieldDefinition("code", .text)])
        bad.lookupFields = ["code"]
        XCTAssertThrowsError(try store.install([bad])) { e in
            XCTAssertEqual("\(e)", "cannot migrate zone.code: a lookup key must be unique (unique = true)")
        }
    }
}
