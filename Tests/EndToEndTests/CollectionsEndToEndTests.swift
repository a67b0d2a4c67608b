import CRMTestSupport
import Foundation
import XCTest

/// Contracts, collections, purchasing and service levels through the built binary, with
/// today pinned at 2026-11-22 10:00 UTC (a Sunday) by the sandbox.
final class CollectionsEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    /// A won deal of customer 1 owned by 李娜, a signed contract of 1000.00 on it with
    /// instalments due today, 30, 31, 61 and 91 days ago.
    func setUpContract() throws {
        let r = try sandbox.crm(commands:
            "add user name=李娜", "add customer name=王芳", "add deal customer=1 title=设备 amount=1000 stage=won owner=李娜",
            "add sales_contract deal=1 title=HT-1 value=1000.00",
            "add instalment contract=1 due=2026-11-22 amount=100", "add instalment contract=1 due=2026-10-23 amount=200",
            "add instalment contract=1 due=2026-10-22 amount=300", "add instalment contract=1 due=2026-09-22 amount=150",
            "add instalment contract=1 due=2026-08-23 amount=250")
        XCTAssertEqual(r.status, 0, "\(r)")
    }

    func testSigning_aPlanThatDoesNotSum_failsTheBatch_namingTheDifference() throws {
        try setUpContract()
        _ = try sandbox.crm(commands: "update instalment 5 set amount=249.99")
        let r = try sandbox.crm(commands: "update sales_contract 1 set status=signed")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("the payment plan sums to 999.99, the value is 1000.00 (difference 0.01)"), r.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count sales_contract where status = signed").stdout, "0\n")
    }

    func testReceivables_bucketsAtTheirEdges_perOwnerAndCustomer() throws {
        try setUpContract()
        XCTAssertEqual(try sandbox.crm(commands: "update sales_contract 1 set status=signed").status, 0)
        let over = try sandbox.crm(commands: "add receipt contract=1 instalment=5 amount=250.01")
        XCTAssertNotEqual(over.status, 0)
        XCTAssertTrue(over.stderr.contains("250.01 is more than instalment 5 still owes (250.00)"), over.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "add receipt contract=1 amount=50.50").status, 0)
        let r = try sandbox.crm(["--format", "csv", "-c", "receivables"])
        XCTAssertEqual(r.status, 0, "\(r)")
        // 61 days is 61–90, 31 days 31–60, the 30th day still 1–30, today not yet due;
        // the receipt paid the oldest (91 days) first.
        XCTAssertTrue(r.stdout.contains("owner,name,not_due,d1_30,d31_60,d61_90,over_90,total\n1,李娜,100.00,200.00,300.00,150.00,199.50,949.50\n,total,100.00,200.00,300.00,150.00,199.50,949.50"), r.stdout)
        XCTAssertTrue(r.stdout.contains("customer,name,not_due,d1_30,d31_60,d61_90,over_90,total\n1,王芳,100.00,200.00,300.00,150.00,199.50,949.50"), r.stdout)
        let later = try sandbox.crm(["--format", "csv", "-c", "receivables on=2026-11-23"])
        XCTAssertTrue(later.stdout.contains("1,李娜,0.00,100.00,500.00,150.00,199.50,949.50"), later.stdout)
        let show = try sandbox.crm(commands: "show sales_contract 1")
        XCTAssertTrue(show.stdout.contains("Collected %   5.1"), show.stdout)
        XCTAssertTrue(show.stdout.contains("Still owed    949.50"), show.stdout)
    }

    func testPurchasing_marginOnShowAndInTheReport() throws {
        try setUpContract()
        let r = try sandbox.crm(commands:
            "add customer name=精工设备 kind=supplier",
            "add purchase_order supplier=精工设备 contract=1 title=PO-1",
            "add purchase_line purchase_order=1 item=螺栓 quantity=0.335 unit_price=3.00",
            "add purchase_line purchase_order=1 item=电机 quantity=2 unit_price=150",
            "update purchase_order 1 set status=ordered")
        XCTAssertEqual(r.status, 0, "\(r)")
        let notSupplier = try sandbox.crm(commands: "add purchase_order supplier=1 contract=1 title=PO-2")
        XCTAssertNotEqual(notSupplier.status, 0)
        XCTAssertTrue(notSupplier.stderr.contains("customer 1 (王芳) is of kind person, not supplier"), notSupplier.stderr)
        let margin = try sandbox.crm(["--format", "csv", "-c", "margin"])
        XCTAssertTrue(margin.stdout.contains("1,HT-1,1 王芳,draft,1000.00,1,301.01,698.99,69.9"), margin.stdout)
        let locked = try sandbox.crm(commands: "update purchase_line 1 set quantity=1")
        XCTAssertNotEqual(locked.status, 0)
        XCTAssertTrue(locked.stderr.contains("purchase order 1 is ordered; lines change only while it is a draft"), locked.stderr)
    }

    func testSLA_acrossTheWeekend_atTheDeadlineMinute_andTheAgenda() throws {
        let r = try sandbox.crm(commands:
            "add user name=赵敏 role=service", "add customer name=王芳 owner=赵敏",
            // Friday 17:59; urgent with a 2-hour target: the deadline is Monday 10:59.
            "setting sla.response_urgent 2",
            "add ticket customer=1 kind=fault title=a priority=urgent assignee=赵敏 opened='2026-11-20 17:59' responded='2026-11-23 10:59'",
            "add ticket customer=1 kind=fault title=b priority=urgent assignee=赵敏 opened='2026-11-20 17:59' responded='2026-11-23 11:00'",
            "add ticket customer=1 kind=fault title=c priority=urgent assignee=赵敏 opened='2026-11-20 17:59'")
        XCTAssertEqual(r.status, 0, "\(r)")
        let detail = try sandbox.crm(["--format", "csv", "-c", "sla detail=yes"])
        XCTAssertEqual(detail.status, 0, "\(detail)")
        XCTAssertTrue(detail.stdout.contains("urgent,3,2,1,50.0,0,0,\n"), detail.stdout)
        XCTAssertTrue(detail.stdout.contains("1,urgent,1 赵敏,2026-11-20T17:59:00Z,2026-11-23T10:59:00Z,2.00,met,"), detail.stdout)
        XCTAssertTrue(detail.stdout.contains("2,urgent,1 赵敏,2026-11-20T17:59:00Z,2026-11-23T11:00:00Z,2.02,missed,"), detail.stdout)
        XCTAssertTrue(detail.stdout.contains("3,urgent,1 赵敏,2026-11-20T17:59:00Z,,,pending,"), detail.stdout)
        let agenda = try sandbox.crm(commands: "agenda 赵敏")
        XCTAssertTrue(agenda.stdout.contains("Tickets about to breach their service level (within 2.00 working hours)"), agenda.stdout)
        XCTAssertTrue(agenda.stdout.contains("2026-11-23 10:59"), agenda.stdout)
        XCTAssertTrue(agenda.stdout.contains("119 min left"), agenda.stdout)
    }

    func testAPlugin_extendsTheContract_andItsRuleRunsAfterTheCoreRules() throws {
        _ = try sandbox.write("return { name = \"pm\", version = \"1\", description = \"projects\" }\n", to: "mine/pm/plugin.lua")
        _ = try sandbox.write("""
            crm.extend "sales_contract" { fields = { { "project_code", "text", max_length = 20 } } }
            crm.before("create", "receipt", "no cash", function(r)
              if r.method == "cash" then crm.refuse("cash is not taken") end
            end)
            """, to: "mine/pm/entities.lua")
        let pm = ["--plugins", sandbox.path("mine")]
        XCTAssertEqual(try sandbox.crm(pm + ["-c", "plugin enable pm"]).status, 0)
        try setUpContract()
        let r = try sandbox.crm(pm + ["-c", "update sales_contract 1 set project_code=P-7 status=signed",
                                      "-c", "add receipt contract=1 amount=5000"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("5000.00 is more than contract 1 still owes (1000.00)"), "the core rule runs first: \(r.stderr)")
        let cash = try sandbox.crm(pm + ["-c", "add receipt contract=1 amount=10 method=cash"])
        XCTAssertTrue(cash.stderr.contains("cash is not taken"), cash.stderr)
        let list = try sandbox.crm(pm + ["--format", "csv", "-c", "list sales_contract columns id, project_code, status"])
        XCTAssertEqual(list.stdout, "id,project_code,status\n1,P-7,signed\n", "\(list)")
    }

    func testDemo_givesEveryModuleSomethingToShow() throws {
        XCTAssertEqual(try sandbox.crm(commands: "demo").status, 0)
        for (command, expected) in [("receivables", "Receivables on 2026-11-22"), ("margin", "Contract margins"), ("sla", "By priority"),
                                    ("count customer where kind = supplier", "2\n")] {
            let r = try sandbox.crm(commands: command)
            XCTAssertEqual(r.status, 0, "\(command): \(r)")
            XCTAssertTrue(r.stdout.contains(expected), "\(command): \(r.stdout)")
        }
        let reports = try sandbox.crm(commands: "reports")
        for name in ["receivables", "margin", "sla"] { XCTAssertTrue(reports.stdout.contains(name), reports.stdout) }
    }
}
