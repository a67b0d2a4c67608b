@testable import CRMCore
import XCTest

/// The dependency graph of computed fields: what to compute on a write, which other
/// records a write makes out of date, and the declarations refused at load.
final class ComputeGraphTests: XCTestCase {
    let group = EntityDefinition(name: "group", label: "Group", fields: [
        FieldDefinition("code", .text),
        FieldDefinition("total_fee", .money),
        FieldDefinition("grade", .text),
        FieldDefinition("label", .text),
    ], owner: "telecom")
    let member = EntityDefinition(name: "member", label: "Member", fields: [
        FieldDefinition("line", .text),
        FieldDefinition("group", .reference("group")),
        FieldDefinition("monthly_fee", .money),
        FieldDefinition("status", .enumeration(["active", "closed"])),
        FieldDefinition("group_code", .text),
    ], owner: "telecom")

    var schema: Schema { Schema(CoreEntities.all + [group, member]) }

    func totalFee(where status: String? = "active") -> ComputedField {
        ComputedField(entity: "group", field: "total_fee", plugin: "telecom", location: "telecom/entities.lua:3",
                      kind: .rollup(Rollup(entity: "member", via: "", function: .sum, field: "monthly_fee",
                                           conditions: status.map { [Rollup.Condition(field: "status", texts: [$0])] } ?? [])))
    }

    func function(_ entity: String, _ field: String, _ depends: [String], line: Int = 9) -> ComputedField {
        ComputedField(entity: entity, field: field, plugin: "telecom", location: "telecom/entities.lua:\(line)",
                      kind: .function(token: 1, depends: depends))
    }

    func graph(_ fields: [ComputedField]) throws -> ComputeGraph {
        try ComputeGraph(fields, schema: schema) { $0 == "telecom" ? ["grade_a_minimum"] : nil }
    }

    func testToCompute_followsFieldsOfTheRecordInOrder() throws {
        // label reads grade, grade reads total_fee: declared in the wrong order on purpose.
        let g = try graph([function("group", "label", ["grade"]), function("group", "grade", ["total_fee", "setting:grade_a_minimum"]),
                           totalFee()])
        XCTAssertEqual(g.toCompute("group", changed: nil).map(\.field), ["total_fee", "grade", "label"])
        XCTAssertEqual(g.toCompute("group", changed: ["total_fee"]).map(\.field), ["grade", "label"])
        XCTAssertEqual(g.toCompute("group", changed: ["code"]).map(\.field), [])
    }

    func testViaIsFoundWhenTheChildHasOneReference_andConditionsAreTyped() throws {
        let g = try graph([totalFee()])
        guard case .rollup(let r) = g.fields[0].kind else { return XCTFail() }
        XCTAssertEqual(r.via, "group")
        XCTAssertEqual(r.conditions[0].values, [.text("active")])
    }

    func testCreateAndDeleteOfAChildNameItsParent() throws {
        let g = try graph([totalFee()])
        XCTAssertEqual(g.targets(after: .create, "member", id: 7, new: ["group": .integer(2)], old: nil),
                       [.record(entity: "group", id: 2)])
        XCTAssertEqual(g.targets(after: .delete, "member", id: 7, new: nil, old: ["group": .integer(2)]),
                       [.record(entity: "group", id: 2)])
        XCTAssertEqual(g.targets(after: .create, "member", id: 8, new: ["line": .text("x")], old: nil), [],
                       "a member in no group changes no group")
    }

    func testReparentingRecomputesBothParents() throws {
        let g = try graph([totalFee()])
        XCTAssertEqual(g.targets(after: .update, "member", id: 7, new: ["group": .integer(3), "monthly_fee": .integer(1)],
                                 old: ["group": .integer(2), "monthly_fee": .integer(1)]),
                       [.record(entity: "group", id: 2), .record(entity: "group", id: 3)])
    }

    func testChangingAFieldTheRollupReads_andOnlyThat() throws {
        let g = try graph([totalFee()])
        let old: [String: Value] = ["group": .integer(2), "status": .text("active"), "line": .text("1")]
        var new = old
        new["status"] = .text("closed")
        XCTAssertEqual(g.targets(after: .update, "member", id: 7, new: new, old: old), [.record(entity: "group", id: 2)],
                       "the where field counts as read")
        new = old
        new["line"] = .text("2")
        XCTAssertEqual(g.targets(after: .update, "member", id: 7, new: new, old: old), [])
    }

    func testAFieldReadingItsReferencesFieldRecomputesTheRecordsReferencingIt() throws {
        let g = try graph([function("member", "group_code", ["group.code"])])
        XCTAssertEqual(g.targets(after: .update, "group", id: 2, new: ["code": .text("G2")], old: ["code": .text("G1")]),
                       [.referencing(entity: "member", reference: "group", id: 2)])
        XCTAssertEqual(g.toCompute("member", changed: ["group"]).map(\.field), ["group_code"], "moving to another group")
    }

    func testEntitiesReadingASetting_andTheDate() throws {
        let g = try graph([totalFee(), function("group", "grade", ["total_fee", "setting:grade_a_minimum"]),
                           function("member", "group_code", ["today"])])
        XCTAssertEqual(g.entities(readingSetting: "telecom.grade_a_minimum"), ["group"])
        XCTAssertEqual(g.entities(readingSetting: "telecom.other"), [])
        XCTAssertEqual(g.entitiesReadingToday, ["member"])
    }

    func testACycleIsRefusedNamingTheLoop() {
        let fee = function("member", "monthly_fee", ["group.total_fee"], line: 20)
        XCTAssertThrowsError(try graph([totalFee(where: nil), fee])) { error in
            XCTAssertEqual("\(error)", "telecom/entities.lua:3: computed fields depend on each other in a cycle: group.total_fee → member.monthly_fee → group.total_fee")
        }
        XCTAssertThrowsError(try graph([function("group", "grade", ["label"]), function("group", "label", ["grade"], line: 12)])) { error in
            XCTAssertEqual("\(error)", "telecom/entities.lua:9: computed fields depend on each other in a cycle: group.grade → group.label → group.grade")
        }
    }

    func testUnknownNamesAreRefusedWithTheClosestName() {
        XCTAssertThrowsError(try graph([function("group", "grade", ["total_fe"])])) { error in
            XCTAssertEqual("\(error)", "telecom/entities.lua:9: computed field group.grade: depends on 'total_fe': group has no field 'total_fe' (did you mean 'total_fee'?)")
        }
        XCTAssertThrowsError(try graph([function("group", "grade", ["setting:grade_a_minimun"])])) { error in
            XCTAssertEqual("\(error)", "telecom/entities.lua:9: computed field group.grade: depends on 'setting:grade_a_minimun': telecom has no setting 'grade_a_minimun' (did you mean 'grade_a_minimum'?) (declare it in plugin.lua under settings)")
        }
        XCTAssertThrowsError(try graph([function("group", "grade", ["member.monthly_fe"])])) { error in
            XCTAssertEqual("\(error)", "telecom/entities.lua:9: computed field group.grade: depends on 'member.monthly_fe': member has no field 'monthly_fe' (did you mean 'monthly_fee'?)")
        }
    }

    func testARollupOfTheWrongTypeSaysWhichTypeToDeclare() {
        let wrong = ComputedField(entity: "group", field: "grade", plugin: "telecom", location: "telecom/entities.lua:5",
                                  kind: .rollup(Rollup(entity: "member", via: "group", function: .sum, field: "monthly_fee")))
        XCTAssertThrowsError(try graph([wrong])) { error in
            XCTAssertEqual("\(error)", "telecom/entities.lua:5: computed field group.grade: a sum of member.monthly_fee is money; declare the field as money (it is text)")
        }
        let bad = ComputedField(entity: "group", field: "total_fee", plugin: "telecom", location: "telecom/entities.lua:5",
                                kind: .rollup(Rollup(entity: "member", via: "group", function: .sum, field: "monthly_fee",
                                                     conditions: [Rollup.Condition(field: "status", texts: ["gone"])])))
        XCTAssertThrowsError(try graph([bad])) { error in
            XCTAssertEqual("\(error)", "telecom/entities.lua:5: computed field group.total_fee: rollup where status = 'gone': not one of: active, closed")
        }
    }
}

/// The queue of records to recompute at the end of a command.
final class RecomputeQueueTests: XCTestCase {
    func testEachRecordOnce_andAgainAfterItWasRecomputed() {
        var q = RecomputeQueue()
        q.add("group", 1); q.add("group", 2); q.add("group", 1)
        XCTAssertEqual(q.popFirst()?.id, 1)
        q.add("group", 1)  // read something that moved after it was recomputed
        XCTAssertEqual(q.popFirst()?.id, 2)
        XCTAssertEqual(q.popFirst()?.id, 1)
        XCTAssertNil(q.popFirst())
    }

    func testARolledBackSavepointQueuesAgainWhatItRecomputed() {
        var q = RecomputeQueue()
        q.add("group", 1)
        let mark = q.mark
        XCTAssertEqual(q.popFirst()?.id, 1)  // recomputed inside the savepoint …
        q.add("group", 2)
        q.rollback(to: mark)                 // … which is undone
        XCTAssertEqual(q.popFirst()?.id, 1)
        XCTAssertNil(q.popFirst(), "what the savepoint queued is gone")
    }
}
