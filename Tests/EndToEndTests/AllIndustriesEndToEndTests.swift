import CRMTestSupport
import Foundation
import XCTest

/// The four industry plugins enabled in one database, and what happens when two plugins
/// claim the same entity.
final class AllIndustriesEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    func testTheFourIndustriesLoadTogether_withoutAClash() throws {
        let r = try sandbox.crm(commands: "plugin enable realestate", "plugin enable banking", "plugin enable exams",
                                "plugin enable utilities")
        XCTAssertEqual(r.status, 0, "\(r)")
        let count = try sandbox.crm(commands: "count customer", "count deposit", "count deposit_account",
                                    "count survey", "count stage_survey")
        XCTAssertEqual(count.stdout, "0\n0\n0\n0\n0\n", "\(count)")
        XCTAssertEqual(count.stderr, "", "no plugin skipped")
    }

    func testASecondPluginDefiningAnEntity_failsNamingBothPluginsAndFiles() throws {
        XCTAssertEqual(try sandbox.crm(commands: "plugin enable realestate").status, 0)
        try sandbox.write("return { name = \"twin\", version = \"1.0\", description = \"a clash\" }\n",
                          to: sandbox.configHome + "/crm/plugins/twin/plugin.lua")
        try sandbox.write("-- a second deposit\ncrm.entity \"deposit\" {\n  fields = { { \"n\", \"text\" } },\n}\n",
                          to: sandbox.configHome + "/crm/plugins/twin/entities.lua")
        let r = try sandbox.crm(commands: "plugin enable twin")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "-c:1: twin/entities.lua:2: loading (plugin twin): crm.entity \"deposit\": the entity 'deposit' already belongs to plugin realestate (realestate/entities.lua:107); two plugins cannot define the same entity: rename one (with formerly = \"deposit\" to keep its records) or use crm.extend to add fields to it\n")
        let deposit = try sandbox.crm(commands: "describe deposit")
        XCTAssertTrue(deposit.stdout.contains("receipt"), "realestate's deposit is untouched: \(deposit)")
    }

    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func testARenamedEntity_keepsTheRecordsOfADatabaseFromBefore() throws {
        // The banking plugin as it was when its entity was called deposit.
        let old = sandbox.root + "/old-plugins"
        let banking = try String(contentsOfFile: repository + "/plugins/banking/entities.lua", encoding: .utf8)
        try FileManager.default.createDirectory(atPath: old, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repository + "/plugins/banking", toPath: old + "/banking")
        try sandbox.write(banking.replacingOccurrences(of: "crm.entity \"deposit_account\"", with: "crm.entity \"deposit\"")
            .replacingOccurrences(of: "  formerly = \"deposit\",\n", with: ""), to: old + "/banking/entities.lua")
        try sandbox.write("", to: old + "/banking/rules.lua")
        try sandbox.write("", to: old + "/banking/jobs.lua")
        let before = try sandbox.crm(commands: "plugin enable banking", "add customer name=张三",
                                     "add deposit number=D1 customer=1 kind=demand balance=1000 rate=0.003",
                                     "update deposit 1 set balance=2000", options: ["--plugins", old])
        XCTAssertEqual(before.status, 0, "\(before)")

        let after = try sandbox.crm(commands: "list deposit_account", "history deposit_account 1", "find D1", "count deposit", options: ["--format", "csv"])
        XCTAssertEqual(after.status, 1, "deposit is gone: \(after)")
        XCTAssertTrue(after.stdout.hasPrefix("id,number,customer,kind,balance,rate,opened,matures\n1,D1,1,demand,2000.00,0.003000,"), after.stdout)
        XCTAssertTrue(after.stdout.contains(",update,balance,1000.00,2000.00"), "the audit trail moved with it: \(after.stdout)")
        XCTAssertTrue(after.stdout.contains("deposit_account,1,,,,,D1\n"), "the find index moved with it: \(after.stdout)")
        XCTAssertTrue(after.stderr.contains("unknown entity 'deposit'"), after.stderr)
    }
}
