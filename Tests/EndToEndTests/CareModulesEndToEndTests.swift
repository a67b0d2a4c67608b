import CRMTestSupport
import Foundation
import XCTest

/// Membership tiers, care messages, duplicates and merge, and the health report through the
/// built binary (today is 2026-11-22, `CRM_NOW`).
final class CareModulesEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    @discardableResult
    func ok(_ commands: String..., options: [String] = []) throws -> CommandResult {
        let r = try sandbox.run(options + ["--db", sandbox.database] + commands.flatMap { ["-c", $0] })
        XCTAssertEqual(r.status, 0, "\(r)")
        return r
    }

    func testTiersRecompute_writesTheTierWithItsReason_dryRunWritesNothing() throws {
        _ = try ok("add customer name=王芳", "add deal customer=1 title=认购 amount=52300 stage=won closed=2026-01-10")
        let dry = try ok("tiers recompute --dry-run")
        XCTAssertTrue(dry.stdout.contains("dry run: would change the tier of 1 of 1 customers (window 2025-11-23 … 2026-11-22)"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("12-month value 52,300.00 ≥ gold 50,000.00"), dry.stdout)
        XCTAssertEqual(try ok("count customer where tier = gold").stdout, "0\n")
        _ = try ok("tiers recompute")
        XCTAssertEqual(try ok("count customer where tier = gold").stdout, "1\n")
        let history = try ok("history customer 1", options: ["--format", "csv"])
        XCTAssertTrue(history.stdout.contains("tester,\"tiers recompute (up): 12-month value 52,300.00 ≥ gold 50,000.00\",update,tier,,gold"),
                      history.stdout)
        // Raising the threshold downgrades on the next run.
        _ = try ok("setting tiers.gold 60000", "tiers recompute")
        XCTAssertEqual(try ok("show customer 1", options: ["--format", "json"]).stdout.contains("\"silver\""), true)
    }

    func testCareTemplate_unknownPlaceholder_refusedWithClosestName_exitOne() throws {
        let r = try sandbox.crm(commands: "care template birthday \"{nmae}您好\"")
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("care template birthday: unknown placeholder {nmae} (did you mean {name}?)"), r.stderr)
    }

    func testCareTodayExportAndSent() throws {
        _ = try ok("add customer name=王芳 phone=13800138000 birthday=1990-11-22",
                   "add customer name==HYPERLINK(\"x\") phone=13900139000 birthday=1985-11-22",
                   "add customer name=没电话 birthday=2000-11-22",
                   "add customer name=李强 birthday=1990-11-23")
        let today = try ok("care today", options: ["--format", "csv"])
        XCTAssertEqual(today.stdoutLines.count, 4, today.stdout)
        XCTAssertTrue(today.stdout.contains("1,王芳,13800138000,birthday,王芳您好，祝您生日快乐！敬上"), today.stdout)
        let export = try ok("care export to greetings.csv")
        XCTAssertTrue(export.stdout.contains("exported 2 care messages to greetings.csv (1 without a phone left out)"), export.stdout)
        let path = sandbox.workingDirectory + "/greetings.csv"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("phone,name,message\n13800138000,王芳,王芳您好，祝您生日快乐！敬上\n"), text)
        XCTAssertTrue(text.contains("'=HYPERLINK"), text)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        XCTAssertEqual(mode, 0o600)
        XCTAssertEqual(try ok("care sent 1").stdout, "recorded 1 care message as sent\n")
        XCTAssertEqual(try ok("care today", options: ["--format", "csv"]).stdoutLines.count, 3)
        XCTAssertEqual(try ok("care sent").stdout, "recorded 2 care messages as sent\n")
        XCTAssertEqual(try ok("count interaction where kind = message and outcome = sent").stdout, "3\n")
        XCTAssertEqual(try ok("care today", options: ["--format", "csv"]).stdoutLines.count, 1)
        let refused = try sandbox.crm(commands: "care sent 4")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("care sent: customer 4 has no care message due today"), refused.stderr)
    }

    func testDupesAndMerge_throughTheBinary() throws {
        _ = try ok("add customer name=王芳 phone=13800138000 city=上海", "add customer name=王芳 phone=\"+86 138-0013-8000\" email=wf@qq.com",
                   "add customer name=陳偉 city=北京", "add customer name=陈伟 city=北京",
                   "add interaction customer=2 kind=call", "add deal customer=2 title=认购")
        let dupes = try ok("dupes customer", options: ["--format", "csv"])
        XCTAssertEqual(dupes.stdout, """
            a,a_name,b,b_name,score,reason
            1,王芳,2,王芳,90,same phone
            3,陳偉,4,陈伟,60,"same name in traditional and simplified characters, same city"

            """)
        let dry = try ok("merge customer 2 into 1 --dry-run")
        XCTAssertTrue(dry.stdout.contains("would do: 1 interaction, 1 deal moved; filled email"), dry.stdout)
        XCTAssertEqual(try ok("count customer").stdout, "4\n")
        _ = try ok("merge customer 2 into 1")
        XCTAssertEqual(try ok("count customer").stdout, "3\n")
        XCTAssertEqual(try ok("count deal where customer = 1").stdout, "1\n")
        XCTAssertTrue(try ok("history customer 1").stdout.contains("customer 2 merged into this one"))
    }

    func testRealEstate_refusesMergingCustomersProtectedForDifferentSalespeople() throws {
        _ = try ok("plugin enable realestate", "add user name=张伟 role=sales", "add user name=李娜 role=sales",
                   "add customer name=王芳 registered_by=张伟", "add customer name=王芳 registered_by=李娜",
                   "add customer name=王芳", "add deal customer=2 title=认购")
        let r = try sandbox.crm(commands: "merge customer 2 into 1")
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("rule 'first-visit ownership on merge' (plugin realestate) refused merge customer 1: customer 1 is 张伟's (protected until 2027-01-22) and customer 2 is 李娜's (protected until 2027-01-22)"), r.stderr)
        XCTAssertEqual(try ok("count customer").stdout, "3\n")
        XCTAssertEqual(try ok("count deal where customer = 2").stdout, "1\n")
        // A customer without a registration merges, and the survivor takes the registration.
        _ = try ok("merge customer 2 into 3")
        let kept = try ok("show customer 3", options: ["--format", "json"]).stdout
        XCTAssertTrue(kept.contains("\"registered_by\": 2") || kept.contains("\"registered_by\":2") || kept.contains("李娜"), kept)
    }

    func testHealth_everyFormat() throws {
        _ = try ok("add user name=李娜", "add customer name=王芳 owner=李娜 phone=13800138000", "add customer name=李强",
                   "add interaction customer=1 kind=call by=李娜 at=2026-11-20")
        let table = try ok("health untouched_days=30")
        XCTAssertTrue(table.stdout.contains("CRM health on 2026-11-22: 2 customers"), table.stdout)
        XCTAssertTrue(table.stdout.contains("Customers untouched for 30 days"), table.stdout)
        let json = try ok("report health", options: ["--format", "json"])
        XCTAssertTrue(json.stdout.contains("\"no_phone\""), json.stdout)
        let csv = try ok("health weeks=2", options: ["--format", "csv"])
        XCTAssertTrue(csv.stdout.contains("user,w1109,w1116,total") || csv.stdout.contains("user,w1116"), csv.stdout)
        XCTAssertTrue(csv.stdout.contains("(no owner),1,1,100.0,0,0.0,1,100.0"), csv.stdout)
        _ = try ok("health to health.html")
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox.workingDirectory + "/health.html"))
    }
}
