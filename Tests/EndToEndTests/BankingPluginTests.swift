import CRMTestSupport
import Foundation
import XCTest

/// The banking plugin through the built binary: a loan's schedule written with it, an
/// overpayment refused with nothing written, the month-end classification job from
/// `crm jobs run`, last month-end's portfolio reproduced after this month's repayment
/// (as_of, rebuilt from the audit trail), a malformed credit code refused.
final class BankingPluginTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    func at(_ instant: String) -> [String: String?] { ["CRM_NOW": instant] }

    /// Two managers, two borrowers, and on 2026-01-15 two loans: 12,000.00 at 6% in 12
    /// equal instalments (1,032.80 a month) and 50,000.00 interest-only at 7.2%.
    func setUpCooperative() throws {
        let r = try sandbox.crm(commands:
            "plugin enable banking",
            "add user name=王建国 grade=中级 branch=城关信用社",
            "add user name=李秀英 grade=初级 branch=河口信用社",
            "add customer name=张大山 segment=farm id_number=11010519491231002x",
            "add customer name=绿源米业有限公司 kind=organisation segment=small id_number=91350100M000100Y43",
            "add loan contract=XD0001 borrower=张大山 manager=王建国 principal=12000 rate=0.06 disbursed=2026-01-15 maturity=2027-01-15",
            "add loan contract=XD0002 borrower=绿源米业有限公司 manager=李秀英 principal=50000 rate=0.072 disbursed=2026-01-15 maturity=2026-07-15 method=bullet",
            environment: at("2026-01-15T09:00:00Z"))
        XCTAssertEqual(r.status, 0, "\(r)")
    }

    func testTheScheduleIsWrittenWithTheLoan() throws {
        try setUpCooperative()
        let csv = try sandbox.crm(commands: "list schedule where loan = XD0001 and number <= 2", options: ["--format", "csv"])
        XCTAssertEqual(csv.status, 0, "\(csv)")
        XCTAssertEqual(csv.stdout, """
            id,loan,number,due,principal,interest,paid_principal,paid_interest,paid_on
            1,1,1,2026-02-15,972.80,60.00,0.00,0.00,
            2,1,2,2026-03-15,977.66,55.14,0.00,0.00,

            """)
        XCTAssertEqual(try sandbox.crm(commands: "count schedule").stdout, "18\n")
    }

    func testAnOverpaymentIsRefusedAndWritesNothing() throws {
        try setUpCooperative()
        let r = try sandbox.crm(commands: "add repayment loan=XD0001 date=2026-02-15 amount=20000",
                                environment: at("2026-02-15T09:00:00Z"))
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("rule 'repayment allocation' (plugin banking) refused create repayment: "
            + "repayment.amount: 20000.00 is more than the 12060.00 owed on loan XD0001 on 2026-02-15"), r.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count repayment").stdout, "0\n")
        XCTAssertEqual(try sandbox.crm(commands: "count schedule where paid_interest > 0").stdout, "0\n")
    }

    func testTheJobClassifiesAsOfTheMonthEnd_andLastMonthEndsPortfolioIsReproducedLater() throws {
        try setUpCooperative()
        // February: XD0001 pays; XD0002's interest (310.00, due 02-15) is not paid.
        XCTAssertEqual(try sandbox.crm(commands: "add repayment loan=XD0001 date=2026-02-15 amount=1032.80",
                                       environment: at("2026-02-15T09:00:00Z")).status, 0)
        let job = try sandbox.crm(["jobs", "run"], environment: at("2026-03-01T01:00:00Z"))
        XCTAssertEqual(job.status, 0, "\(job)")
        XCTAssertTrue(job.stdout.contains("classified 2 loans as of 2026-02-28: 1 changed; NPL 0.00 of 61027.20 (0.00%)"), job.stdout)
        let again = try sandbox.crm(["jobs", "run", "banking.classify", "force"], environment: at("2026-03-01T02:00:00Z"))
        XCTAssertTrue(again.stdout.contains("already classified as of 2026-02-28"), again.stdout)
        let changes = try sandbox.crm(commands: "list class_change", options: ["--format", "csv"])
        XCTAssertEqual(changes.stdout, "id,loan,on,from,to,days_past_due,reason,by\n1,2,2026-02-28,正常,关注,13,month-end classification,tester\n")

        let monthEnd = try sandbox.crm(commands: "report bank-portfolio", options: ["--format", "csv"],
                                       environment: at("2026-02-28T15:00:00Z"))
        // March: XD0002 pays what it owes; the live book changes, February's does not.
        XCTAssertEqual(try sandbox.crm(commands: "add repayment loan=XD0002 date=2026-03-16 amount=590",
                                       environment: at("2026-03-16T09:00:00Z")).status, 0)
        let asOf = try sandbox.crm(commands: "report bank-portfolio as_of=2026-02-28", options: ["--format", "csv"])
        XCTAssertEqual(asOf.status, 0, "\(asOf)")
        XCTAssertEqual(asOf.stdout, monthEnd.stdout)
        XCTAssertEqual(asOf.stdout, "group,loans,balance,share,npl,npl_ratio\n正常,1,11027.20,18.07,0.00,0.00\n关注,1,50000.00,81.93,0.00,0.00\n")
        let overdue = try sandbox.crm(commands: "report bank-overdue as_of=2026-02-28", options: ["--format", "csv"])
        XCTAssertEqual(overdue.stdout, "manager,borrower,phone,address,contract,days,principal,interest,balance,classification\n"
            + "李秀英,绿源米业有限公司,,,XD0002,13,0.00,310.00,50000.00,关注\n")
    }

    func testAMalformedCreditCodeIsRefused() throws {
        try setUpCooperative()
        let r = try sandbox.crm(commands: "add customer name=某合作社 segment=small id_number=91350100M000100Y4")
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("customer.id_number: '91350100M000100Y4' is not a valid unified social credit code: "
            + "has 17 characters; a unified social credit code has 18"), r.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count customer").stdout, "2\n")
    }
}
