import CRMTestSupport
import Foundation
import XCTest

/// Banking's credit officer (a role the plugin declares with crm.role) through the binary:
/// granted, known before the first read, seeing ID numbers and loan balances but not
/// phones; an auditor's totals of masked balances shown masked; a bad crm.role failing
/// with its file and line.
final class PluginRoleEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        let r = try sandbox.crm(commands:
            "plugin enable banking",
            "add user name=王建国 grade=中级",
            "add user name=陈明",
            "add user name=周杰",
            "add customer name=张大山 segment=farm id_number=11010519491231002x phone=13800001111 owner=1",
            "add customer name=李四 segment=farm id_number=11010519491231010X phone=13900002222 owner=1",
            "add loan contract=XD0001 borrower=张大山 manager=王建国 principal=12000 rate=0.06 disbursed=2026-01-15 maturity=2027-01-15",
            "add deposit_account number=D1 customer=张大山 balance=5000 rate=0.01",
            "add deposit_account number=D2 customer=李四 balance=7000 rate=0.01",
            "access on", "access overrides on",
            "grant 陈明 role credit_officer", "grant 周杰 role auditor",
            environment: ["CRM_NOW": "2026-01-15T09:00:00Z"])
        XCTAssertEqual(r.status, 0, r.description)
    }
    override func tearDown() { sandbox?.remove() }

    func lines(_ r: CommandResult) -> [String] { r.stdoutLines }

    func run(_ user: String, _ commands: String...) throws -> CommandResult {
        try sandbox.crm(["--user", user, "--format", "csv"] + commands.flatMap { ["-c", $0] })
    }

    func testTheCreditOfficer_seesWhatACreditDecisionNeeds() throws {
        let r = try run("陈明", "whoami", "list customer columns name, phone, id_number, loan_balance")
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(r.stdout.contains("陈明,credit_officer,,all,2,\"customer.id_number, customer.loan_balance unmasked; others masked\""), r.stdout)
        XCTAssertTrue(r.stdout.contains("1,张大山,138****1111,11010519491231002X,12000.00"), r.stdout)
        XCTAssertTrue(r.stdout.contains("2,李四,139****2222,11010519491231010X,0.00"), r.stdout)
        let deposits = try run("陈明", "list deposit_account columns number, balance")
        XCTAssertTrue(deposits.stdout.contains("D1,****"), deposits.stdout)
        let refused = try run("陈明", "delete customer 2")
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "-c:1: 陈明 (credit_officer) may not delete customer records (an admin can allow it: grant 陈明 delete customer)\n")
        let roles = try run("tester", "access roles")
        XCTAssertTrue(roles.stdout.contains("credit_officer,banking,all,\"none + customer.id_number, customer.loan_balance\""), roles.stdout)
        // Logged: the officer was shown ID numbers unmasked.
        let log = try run("tester", "access log user 陈明")
        XCTAssertTrue(log.stdout.contains(",陈明,list,customer,,2,\"id_number, loan_balance\""), log.stdout)
    }

    func testTotalsOfMaskedBalances_areMasked_forTheAuditor() throws {
        let query = "= crm.query('select sum(balance) s, avg(balance) a, count(*) n from deposit_account')[1]"
        let auditor = try run("周杰", query, "= crm.sum('deposit_account', 'balance')", "= crm.aggregate('customer', 'sum', 'loan_balance')")
        XCTAssertEqual(auditor.status, 0, auditor.description)
        XCTAssertEqual(auditor.stdout, "{\n  a = \"****\",\n  n = 2,\n  s = \"****\"\n}\n\"****\"\n\"****\"\n")
        let admin = try run("tester", query, "= crm.sum('deposit_account', 'balance')")
        XCTAssertEqual(admin.stdout, "{\n  a = 6000.0,\n  n = 2,\n  s = 12000.0\n}\n12000.0\n")
    }

    func testARestrictedRole_booksALoan_whileRulesReadThroughThePolicy() throws {
        // The banking rules read (crm.query) inside the write, and the rollup sums loans:
        // the policy's SQL functions were once defined during such reads, which SQLite
        // refuses while a statement runs (the process stopped).
        XCTAssertEqual(try run("tester", "grant 王建国 role manager").status, 0)
        for user in ["陈明", "王建国"] {
            let contract = user == "陈明" ? "XD0009" : "XD0010"
            let r = try sandbox.crm(["--user", user, "--format", "csv", "-c", "= crm.query('select sum(balance) s from deposit_account')[1].s",
                                     "-c", "add loan contract=\(contract) borrower=李四 manager=王建国 principal=1000 rate=0.06 disbursed=2026-01-17 maturity=2027-01-17"],
                                    environment: ["CRM_NOW": "2026-01-17T09:00:00Z"])
            XCTAssertEqual(r.status, 0, "\(user): \(r.description)")
        }
        let balance = try run("tester", "list customer columns loan_balance where id = 2")
        XCTAssertEqual(lines(balance).last, "2,2000.00", balance.description)
    }

    func testABadRole_failsNamingTheFileAndLine() throws {
        try sandbox.write("return { name = \"grid\", version = \"1.0\", description = \"t\" }\n",
                          to: sandbox.configHome + "/crm/plugins/grid/plugin.lua")
        try sandbox.write("-- the dispatcher\ncrm.role \"dispatcher\" {\n  rights = { crew = \"read\" },\n}\n",
                          to: sandbox.configHome + "/crm/plugins/grid/entities.lua")
        let r = try sandbox.crm(commands: "plugin enable grid")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("-c:1: grid/entities.lua:2: loading (plugin grid): crm.role \"dispatcher\": unknown entity 'crew'"), r.stderr)
    }
}
