import CRMCore
@testable import CRMLua
import XCTest

/// `crm.value_source`: a plugin declares where its purchases are; a source naming an
/// unknown entity or field fails the plugin's load naming file:line.
final class ValueSourceTests: XCTestCase {
    let shop = """
        crm.entity "sale" {
          fields = {
            { "buyer", "ref", entity = "customer", required = true },
            { "price", "money" },
            { "sold_on", "date" },
            { "status", "enum", values = { "ok", "void" } },
          },
        }
        """

    func testDeclaredSource_isKeptWithItsPlugin() throws {
        let f = try PluginFixture()
        try f.plugin("shop", ["entities.lua": shop + "\ncrm.value_source{ entity = \"sale\", customer = \"buyer\", amount = \"price\", at = \"sold_on\", where = \"status <> 'void'\" }\n"])
        let host = try f.start(enabling: ["shop"])
        XCTAssertEqual(host.problems.map(\.description), [])
        XCTAssertEqual(host.valueSources, [ValueSource(entity: "sale", customer: "buyer", amount: "price", at: "sold_on",
                                                       condition: "status <> 'void'", owner: "shop",
                                                       location: "shop/entities.lua:9")])
        let buyer = try f.store.create("customer", values: ["name": .text("王芳")], created: nil)
        for (price, status) in [("100.00", "ok"), ("-30.00", "ok"), ("500.00", "void")] {
            _ = try f.store.create("sale", values: ["buyer": .integer(buyer), "price": .decimal(Fixed(parsing: price, scale: 2)!),
                                                    "sold_on": .date("2026-11-01"), "status": .text(status)], created: nil)
        }
        var totals: [Int64: Int64] = [:]
        try Purchases(store: f.store, sources: host.valueSources).totals(Purchases.Period()) { totals[$0] = $1 }
        XCTAssertEqual(totals, [buyer: 7000], "the refund is netted, the void sale left out")
    }

    func testUnknownField_isALoadErrorWithFileAndLine() throws {
        let f = try PluginFixture()
        try f.plugin("shop", ["entities.lua": shop, "value.lua": "\ncrm.value_source{ entity = \"sale\", customer = \"buyer\", amount = \"cost\", at = \"sold_on\" }\n",
                              "plugin.lua": "return { name = \"shop\", version = \"1.0\", description = \"t\", modules = { \"entities\", \"value\" } }\n"])
        let host = try f.start()
        XCTAssertThrowsError(try host.enable("shop")) { e in
            XCTAssertTrue("\(e)".contains("shop/value.lua:2"), "\(e)")
            XCTAssertTrue("\(e)".contains("amount = \"cost\": entity sale has no field 'cost'"), "\(e)")
        }
        XCTAssertTrue(host.valueSources.isEmpty)
    }

    func testUnknownEntityAndKey_areRefused() throws {
        let f = try PluginFixture()
        try f.plugin("shop", ["entities.lua": "crm.value_source{ entity = \"sales\", amount = \"price\", at = \"sold_on\" }\n"])
        let host = try f.start()
        XCTAssertThrowsError(try host.enable("shop")) { e in
            XCTAssertTrue("\(e)".contains("shop/entities.lua:1"), "\(e)")
            XCTAssertTrue("\(e)".contains("no entity named 'sales'"), "\(e)")
        }
        let g = try PluginFixture()
        try g.plugin("shop", ["entities.lua": shop + "\ncrm.value_source{ entity = \"sale\", amount = \"price\", on = \"sold_on\" }\n"])
        XCTAssertThrowsError(try g.start().enable("shop")) { e in
            XCTAssertTrue("\(e)".contains("unknown key 'on'"), "\(e)")
        }
    }

    func testSurveySource_unknownFieldIsALoadError() throws {
        let f = try PluginFixture()
        try f.plugin("poll", ["entities.lua": """
            crm.entity "answer" { fields = { { "score", "integer" }, { "on", "date" } } }
            crm.survey_source{ entity = "answer", perception = "score", expectation = "hoped", at = "on" }
            """])
        XCTAssertThrowsError(try f.start().enable("poll")) { e in
            XCTAssertTrue("\(e)".contains("poll/entities.lua:2"), "\(e)")
            XCTAssertTrue("\(e)".contains("expectation = \"hoped\": entity answer has no field 'hoped'"), "\(e)")
        }
    }
}
