import CRMCore
import XCTest
@testable import CRMLua

/// A plugin author's typos get an error naming the closest name, never a silent wrong answer.
final class APIMistakeTests: XCTestCase {
    var f: PluginFixture!

    override func setUpWithError() throws {
        f = try PluginFixture()
        try f.plugin("tel", manifest: "settings = { grade_a_min = { type = \"money\", default = 100 } }", [:])
        try f.start(enabling: ["tel"])
        let c = try f.store.create("customer", values: ["name": .text("甲")])
        for (stage, amount) in [("won", "100.00"), ("won", "20.50"), ("lost", "999.00")] {
            _ = try f.store.create("deal", values: ["customer": .integer(c), "title": .text("d"), "stage": .text(stage),
                                                    "amount": .decimal(Fixed(parsing: amount, scale: 2)!)])
        }
    }

    /// Reported: `crm.setting("grade_a_minimum")` for `grade_a_min` suggested nothing.
    func testAMisspeltSettingSuggestsTheClosestName() throws {
        XCTAssertThrowsError(try f.eval("crm.setting('tel.grade_a_minimum')")) { error in
            XCTAssertTrue("\(error)".contains("has no setting 'grade_a_minimum' (did you mean 'grade_a_min'?)"), "\(error)")
        }
    }

    /// `crm.sum(entity, field, { stage = "won" })` used to ignore the pair and sum every deal.
    func testSumFiltersByFieldPairs_andAMisspeltFieldIsAnError() throws {
        XCTAssertEqual(try f.eval("crm.sum('deal', 'amount', { stage = 'won' })"), "120.5")
        XCTAssertEqual(try f.eval("crm.sum('deal', 'amount', { stage = 'won', where = 'amount > 50' })"), "100.0")
        XCTAssertEqual(try f.eval("crm.sum('deal', 'amount')"), "1119.5")
        XCTAssertThrowsError(try f.eval("crm.sum('deal', 'amount', { stgae = 'won' })")) { error in
            XCTAssertTrue("\(error)".contains("deal has no field 'stgae' (did you mean 'stage'?)"), "\(error)")
        }
        XCTAssertEqual(try f.eval("select(2, crm.aggregate('deal', 'count', nil, { by = 'stage', stage = 'won' }))[1][2]"), "2")
    }

    func testSuggestionsForNamesCutShortOrRunOn() {
        XCTAssertEqual(NameSuggestion.closest(to: "grade_a_minimum", in: ["grade_a_min", "grade_b_min"]), "grade_a_min")
        XCTAssertEqual(NameSuggestion.closest(to: "stat", in: ["stage", "status"]), "status")
        XCTAssertEqual(NameSuggestion.closest(to: "ctiy", in: ["city", "name"]), "city")
        XCTAssertNil(NameSuggestion.closest(to: "x", in: ["xylophone"]))
        XCTAssertNil(NameSuggestion.closest(to: "budget", in: ["city", "name"]))
    }
}

/// `abc --apply` writes value classes in bulk; a computed field reading them must follow.
final class BulkWriteComputeTests: XCTestCase {
    func testAnalyticsWriteBackRecomputesFieldsThatReadTheClass() throws {
        let f = try PluginFixture()
        try f.plugin("vip", ["entities.lua": """
            crm.extend "customer" {
              vip = { "bool", compute = { depends = { "value_class" }, fn = function(c) return c.value_class == "A" end } },
            }
            """])
        try f.start(enabling: ["vip"])
        let a = try f.store.create("customer", values: ["name": .text("甲")])
        let b = try f.store.create("customer", values: ["name": .text("乙")])
        XCTAssertEqual(try f.store.writeChoice("customer", field: "value_class") { $0 == a ? "A" : "C" }, 2)
        XCTAssertEqual(try f.store.record("customer", id: a)?["vip"], .bool(true))
        XCTAssertEqual(try f.store.record("customer", id: b)?["vip"], .bool(false))
    }
}
