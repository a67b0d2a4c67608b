import CRMTestSupport
import Foundation
import XCTest

/// Segments, campaigns, quotes and the deal team through the built binary (today pinned
/// at 2026-11-22): `in SEGMENT` wherever a filter goes, refusals with the field and why
/// and a non-zero exit, nothing written by a refused command.
final class SalesEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    @discardableResult
    func ok(_ commands: String...) throws -> CommandResult {
        let r = try sandbox.crm(commands.flatMap { ["-c", $0] })
        XCTAssertEqual(r.status, 0, "\(r)")
        return r
    }

    func customers() throws {
        _ = try ok("add customer name=张三 city=上海 value_class=A phone=13800000001",
                   "add customer name=李四 city=北京 value_class=A phone=13800000002",
                   "add customer name=王五 city=上海 value_class=B")
    }

    func testSegment_filterAndList_usableByListCountExportAndUpdate() throws {
        try customers()
        XCTAssertEqual(try ok("segment add vip-shanghai where value_class = A and city = 上海").stdout, "segment vip-shanghai: 1 customer\n")
        XCTAssertEqual(try ok("segment add fair-2026 from list #3, 13800000002").stdout, "segment fair-2026: 2 customers\n")
        let listed = try ok("list customer in vip-shanghai")
        XCTAssertTrue(listed.stdout.contains("张三") && !listed.stdout.contains("李四"), listed.stdout)
        XCTAssertEqual(try ok("count customer in fair-2026 where city = 北京").stdout, "1\n")
        XCTAssertEqual(try ok("count customer where in fair-2026 or in vip-shanghai").stdout, "3\n")
        XCTAssertEqual(try ok("count customer where not in fair-2026").stdout, "1\n")
        let file = sandbox.path("fair.csv")
        _ = try ok("export customer in fair-2026 to \(file)")
        let csv = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertTrue(csv.contains("李四") && csv.contains("王五") && !csv.contains("张三"), csv)
        _ = try ok("update customer in fair-2026 set tags=展会")
        XCTAssertEqual(try ok("count customer where tags = 展会").stdout, "2\n")
        let segments = try sandbox.crm(["--format", "csv", "-c", "segment list"])
        XCTAssertTrue(segments.stdout.contains("fair-2026,list,2,\"list: #3, 13800000002\""), segments.stdout)
        XCTAssertTrue(segments.stdout.contains("vip-shanghai,filter,1,value_class = A and city = 上海"), segments.stdout)
    }

    func testSegment_fromFile_ofPhones() throws {
        try customers()
        let file = try sandbox.write("phone\n13800000001\n13800000002\n", to: "phones.csv")
        XCTAssertEqual(try ok("segment add callers from file \(file)").stdout, "segment callers: 2 customers\n")
    }

    func testSegment_badFilter_refusedWithPosition_andNothingSaved() throws {
        try customers()
        let bad = try sandbox.crm(commands: "segment add broken where city = 上海 and")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("expected a field name"), bad.stderr)
        let unknown = try sandbox.crm(commands: "segment add broken where citty = 上海")
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("customer has no field 'citty'"), unknown.stderr)
        let phone = try sandbox.crm(commands: "segment add broken from list #1, 13999999999")
        XCTAssertTrue(phone.stderr.contains("no customer with phone 13999999999"), phone.stderr)
        XCTAssertEqual(try ok("count segment").stdout, "0\n")
        let missing = try sandbox.crm(commands: "list customer in nosuch")
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no segment 'nosuch' (see: segment list)"), missing.stderr)
    }

    func testSegment_changeIsInTheHistory_withWhoChangedIt() throws {
        try customers()
        _ = try ok("segment add vip where value_class = A")
        _ = try sandbox.crm(["--user", "王经理", "-c", "segment change vip where value_class = A and city = 上海"])
        let history = try sandbox.crm(["--format", "csv", "-c", "segment history vip"])
        XCTAssertTrue(history.stdout.contains("王经理,,update,definition,value_class = A,value_class = A and city = 上海"), history.stdout)
        XCTAssertEqual(try ok("count customer in vip").stdout, "1\n")
    }

    func testCampaign_onEmptySegmentWarns_andTheReportCountsResponsesAndReturn() throws {
        try customers()
        _ = try ok("segment add fair from list #1, #2")
        _ = try ok("add segment name=nobody kind=list")
        let empty = try sandbox.crm(commands: "add campaign name=空 segment=nobody channel=email")
        XCTAssertEqual(empty.status, 0, "\(empty)")
        XCTAssertTrue(empty.stderr.contains("warning: campaign '空' is on segment 'nobody', which has no customers yet"), empty.stderr)
        _ = try ok("add campaign name=春季 segment=fair channel=sms starts=2026-11-01 ends=2026-11-30 cost=200.00",
                   "add interaction customer=1 kind=call campaign=春季 summary=回电",
                   "add deal customer=1 title=t campaign=春季 stage=won amount=1000.00")
        let r = try sandbox.crm(["--format", "csv", "-c", "report campaigns"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("空,email,0,0,0,,0,0,0.00,0.00,\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("春季,sms,2,1,1,50.0,1,1,1000.00,200.00,5.00"), r.stdout)
        XCTAssertTrue(try ok("reports").stdout.contains("campaigns"))
    }

    func testQuote_lifeThroughTheShell() throws {
        try customers()
        _ = try ok("add product code=SW name=软件 unit=套 list_price=1000.00", "add deal customer=1 title=大单",
                   "quote new 1", "add quote_line quote=1 product=SW quantity=3 discount=12.5")
        let bad = try sandbox.crm(commands: "add quote_line quote=1 product=SW quantity=-1")
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("quote_line.quantity: -1 is negative: a quantity is 0 or more"), bad.stderr)
        let over = try sandbox.crm(commands: "add quote_line quote=1 product=SW discount=120")
        XCTAssertTrue(over.stderr.contains("quote_line.discount: 120% is over 100%"), over.stderr)
        _ = try ok("quote send 1")
        let edit = try sandbox.crm(commands: "update quote 1 set valid_until=2026-12-31")
        XCTAssertNotEqual(edit.status, 0)
        XCTAssertTrue(edit.stderr.contains("quote #1 is sent: a sent quote is never edited; 'quote revise 1' makes a new version"), edit.stderr)
        let revised = try ok("quote revise 1")
        XCTAssertTrue(revised.stdout.contains("quote 2: version 2, draft"), revised.stdout)
        XCTAssertTrue(revised.stdout.contains("2625.00"), revised.stdout)
        _ = try ok("quote send 2", "quote accept 2")
        XCTAssertEqual(try ok("count deal where amount = 2966.25").stdout, "1\n", "the accepted total is the deal's amount")
        let shown = try ok("show deal 1")
        XCTAssertTrue(shown.stdout.contains("Quotes (2)") && shown.stdout.contains("superseded") && shown.stdout.contains("accepted"), shown.stdout)
    }

    func testImportOfQuoteLines_refusesBadRowsWithTheFieldAndWhy() throws {
        try customers()
        _ = try ok("add product code=SW name=软件 list_price=10.00", "add deal customer=1 title=t", "quote new 1")
        let file = try sandbox.write("quote,product,quantity,discount\n1,SW,2,0\n1,SW,-3,0\n1,SW,1,150\n1,SW,1,50\n", to: "lines.csv")
        let r = try sandbox.crm(commands: "import quote_line \(file)")
        XCTAssertTrue(r.stderr.contains("quote_line.quantity: -3 is negative"), r.stderr)
        XCTAssertTrue(r.stderr.contains("quote_line.discount: 150% is over 100%"), r.stderr)
        let total = try sandbox.crm(["--format", "csv", "-c", "list quote columns subtotal, tax, total"])
        XCTAssertTrue(total.stdout.contains("25.00,3.25,28.25"), "2 × 10 + 1 × 10 at 50%, 13% tax: \(total.stdout)")
    }

    func testDealTeam_refusedWinUntil100_shownOnTheDeal_andCredited() throws {
        try customers()
        _ = try ok("add user name=王芳", "add user name=李伟", "add deal customer=1 title=大单 amount=1000.01",
                   "add deal_member deal=1 user=王芳 share=60")
        let over = try sandbox.crm(commands: "add deal_member deal=1 user=李伟 share=50")
        XCTAssertNotEqual(over.status, 0)
        XCTAssertTrue(over.stderr.contains("would have 110%"), over.stderr)
        let win = try sandbox.crm(commands: "update deal 1 set stage=won")
        XCTAssertNotEqual(win.status, 0)
        XCTAssertTrue(win.stderr.contains("deal.stage: deal #1 cannot be won: its team's shares sum to 60%, not 100%"), win.stderr)
        _ = try ok("add deal_member deal=1 user=李伟 role=presales share=40", "update deal 1 set stage=won closed=2026-11-20")
        let shown = try ok("show deal 1")
        XCTAssertTrue(shown.stdout.contains("Team (2, shares 100.00%)"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("600.01") && shown.stdout.contains("400.00"), shown.stdout)
        let credit = try sandbox.crm(["--format", "csv", "-c", "credit"])
        XCTAssertTrue(credit.stdout.contains("1 王芳,1,600.01\n2 李伟,1,400.00\ntotal,,1000.01"), credit.stdout)
    }

    func testTaxRateSetting_isTakenByNewQuotes_andPluginsExtendTheModules() throws {
        try sandbox.write("return { name = \"pricing\", version = \"1.0.0\", description = \"price bands\" }\n", to: "mine/pricing/plugin.lua")
        try sandbox.write("crm.extend \"product\" { band = { \"enum\", values = { \"low\", \"high\" } } }\n", to: "mine/pricing/entities.lua")
        let options = ["--plugins", sandbox.path("mine")]
        XCTAssertEqual(try sandbox.crm(commands: "plugin enable pricing", options: options).status, 0)
        try customers()
        let r = try sandbox.crm(commands: "setting quotes.tax_rate 6", "add product code=P name=p list_price=100.00 band=high",
                                "add deal customer=1 title=t", "quote new 1", "add quote_line quote=1 product=P", "quote show 1",
                                options: options)
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("Tax rate %   6.00") && r.stdout.contains("Total        106.00"), r.stdout)
        XCTAssertEqual(try sandbox.crm(commands: "count product where band = high", options: options).stdout, "1\n")
        XCTAssertTrue(try sandbox.crm(commands: "setting", options: options).stdout.contains("quotes.tax_rate"))
    }

    func testDemo_givesEverySalesModuleSomethingToShow() throws {
        _ = try ok("demo 200")
        for (command, expected) in [("segment", "fair-2026"), ("campaigns", "春季展会邀约"), ("credit", "total"),
                                    ("list quote", "accepted"), ("list product", "SW-PRO")] {
            let r = try ok(command)
            XCTAssertTrue(r.stdout.contains(expected), "\(command): \(r.stdout)")
        }
    }
}
