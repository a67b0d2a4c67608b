import CRMTestSupport
import Foundation
import XCTest

/// Roles, ownership and masking through the binary on the demo data (issue 20): what an
/// admin, a manager, an agent, a service desk and an auditor each see in list, find,
/// show, count, reports and exports, masked exactly where expected, and the attacks.
final class AccessEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        // The demo, access on (tester becomes admin) and overrides allowed so the test
        // can act as each user with --user.
        let r = try sandbox.crm(commands: "demo", "access on", "access overrides on")
        XCTAssertEqual(r.status, 0, r.description)
    }
    override func tearDown() { sandbox?.remove() }

    func run(_ user: String, _ commands: String..., format: String = "csv") throws -> CommandResult {
        try sandbox.crm(["--user", user, "--format", format] + commands.flatMap { ["-c", $0] })
    }

    func lines(_ r: CommandResult) -> [String] { r.stdoutLines }

    func testACopy_isAnAdminsWork_andTakesTheGrantsAlong() throws {
        let target = sandbox.path("copied.db")
        let agent = try sandbox.run(["--user", "李娜", "copy", sandbox.database, target])
        XCTAssertEqual(agent.status, 1, agent.description)
        XCTAssertEqual(agent.stderr, "crm: copy: only an admin may copy the source database; you are 李娜 (agent); nothing was copied\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target), "a refused copy leaves no file behind")

        _ = try run("tester", "show customer 2")  // an admin's private read: a row of the access log
        let admin = try sandbox.run(["--user", "tester", "copy", sandbox.database, target])
        XCTAssertEqual(admin.status, 0, admin.description)
        XCTAssertTrue(admin.stdoutLines.contains { $0.hasPrefix("grants ") && $0.contains(" = ") }, admin.stdout)
        // In the copy 李娜 is still an agent: her customers only, and the log came along.
        let inCopy = try sandbox.run(["--db", target, "--user", "李娜", "--format", "csv", "-c", "count customer"])
        XCTAssertEqual(inCopy.status, 0, inCopy.description)
        XCTAssertEqual(inCopy.stdoutLines, lines(try run("李娜", "count customer")))
        XCTAssertNotEqual(inCopy.stdoutLines, ["300"])
        let log = try sandbox.run(["--db", target, "--user", "tester", "--format", "csv", "-c", "access log user tester"])
        XCTAssertTrue(log.stdout.contains("show,customer,2"), log.description)
    }

    func testEachRole_seesItsCustomers() throws {
        let admin = try run("tester", "count customer")
        XCTAssertEqual(admin.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "300")
        // 李娜 is an agent (role sales in the demo): her customers only.
        let mine = try run("李娜", "count customer", "count customer where owner = 2", "count deal")
        XCTAssertEqual(mine.status, 0, mine.description)
        let counts = lines(mine)
        XCTAssertEqual(counts[0], counts[1])
        XCTAssertNotEqual(counts[0], "300")
        let theirs = try run("tester", "= crm.query('select count(*) n from deal d join customer c on c.id = d.customer where c.owner = 2')[1].n")
        XCTAssertEqual(counts[2], lines(theirs).last, theirs.description)
        // 张伟 manages 销售一组 (users 1–3).
        let team = try run("张伟", "count customer", "count customer where owner in (1, 2, 3)")
        XCTAssertEqual(lines(team)[0], lines(team)[1])
        let service = try run("赵敏", "count customer")
        XCTAssertEqual(lines(service), ["300"])
    }

    func testAgent_getsNoCustomerForOthers_inEveryVerb() throws {
        // Customer 2 belongs to 张伟 (user 1) in the demo.
        let owner = try run("tester", "list customer columns owner where id = 2")
        XCTAssertEqual(lines(owner).last, "2,1")
        for command in ["show customer 2", "history customer 2", "update customer 2 set city=北京", "delete customer 2",
                        "add deal customer=2 title=x"] {
            let r = try run("李娜", command)
            XCTAssertNotEqual(r.status, 0, command)
            XCTAssertTrue(r.stderr.contains("customer 2 does not exist") || r.stderr.contains("no customer 2"), "\(command): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("forbidden"))
        }
    }

    func testMasking_inListShowFindExportAndQueries() throws {
        // Customer 2: 王芳芳, phone 15051255942, owned by 张伟.
        let manager = try run("张伟", "list customer columns phone where id = 2")
        XCTAssertEqual(lines(manager).last, "2,15051255942")
        let service = try run("赵敏", "list customer columns phone, email where id = 2", "show customer 2",
                              "find 王芳芳", "= crm.query('select phone from customer where id = 2')[1].phone",
                              format: "table")
        XCTAssertEqual(service.status, 0, service.description)
        XCTAssertTrue(service.stdout.contains("150****5942"), service.stdout)
        XCTAssertTrue(service.stdout.contains("j***@163.com"), service.stdout)
        XCTAssertFalse(service.stdout.contains("15051255942"), service.stdout)
        XCTAssertFalse(service.stdout.contains("james932"), service.stdout)
        for format in ["json", "csv"] {
            let r = try run("赵敏", "list customer where id = 2", format: format)
            XCTAssertTrue(r.stdout.contains("150****5942") && !r.stdout.contains("15051255942"), r.stdout)
        }
        let auditor = try run("tester", "grant 周杰 role auditor")
        XCTAssertEqual(auditor.status, 0, auditor.description)
        let export = try run("周杰", "export customer where id = 2 to out.csv")
        XCTAssertEqual(export.status, 0, export.description)
        let file = sandbox.read("out.csv") ?? ""
        XCTAssertTrue(file.contains("150****5942") && !file.contains("15051255942"), file)
    }

    func testAttacks_revealNothing() throws {
        let r = try run("赵敏", "count customer where phone = '15051255942'", "count customer where phone ~ '1505125'",
                        "= crm.query('select count(*) n from customer where phone = ? or 1=1', '15051255942')[1].n")
        XCTAssertEqual(lines(r), ["0", "0", "300"], r.description)
        // The schema behind the policy: SQLite's main, PostgreSQL's public.
        let schema = PostgresPass.isActive ? "public" : "main"
        let bypass = try run("李娜", "= crm.query('select count(*) n from \(schema).customer')[1].n")
        XCTAssertNotEqual(bypass.status, 0)
        XCTAssertTrue(bypass.stderr.contains("schema name '\(schema)' is not allowed"), bypass.stderr)
        let grantSelf = try run("李娜", "grant 李娜 export customer")
        XCTAssertNotEqual(grantSelf.status, 0)
        XCTAssertTrue(grantSelf.stderr.contains("only an admin may grant rights"), grantSelf.stderr)
        let adminSelf = try run("tester", "grant tester private")
        XCTAssertTrue(adminSelf.stderr.contains("nobody can grant their own rights"), adminSelf.stderr)
    }

    func testImportAndExport_withoutTheRight_areRefusedBeforeTheFile() throws {
        let export = try run("李娜", "export customer to mine.csv")
        XCTAssertNotEqual(export.status, 0)
        XCTAssertTrue(export.stderr.contains("李娜 (agent) may not export customer records"), export.stderr)
        XCTAssertFalse(sandbox.exists("mine.csv"))
        // The file does not exist: the refusal comes before anything reads it.
        let imp = try run("李娜", "import customer no-such-file.csv")
        XCTAssertTrue(imp.stderr.contains("may not import customer records"), imp.stderr)
        XCTAssertEqual(try run("tester", "grant 李娜 export customer").status, 0)
        XCTAssertEqual(try run("李娜", "export customer to mine.csv").status, 0)
        let log = try run("tester", "access log user 李娜")
        XCTAssertTrue(log.stdout.contains("export,customer"), log.stdout)
    }

    func testAnImport_givesCustomersOnlyWhereTheImporterMay() throws {
        // 张伟 manages 销售一组 (users 1–3) and may import: user 4 is not in his team, and a
        // row giving a customer to user 4 stops the import with nothing written.
        try sandbox.write("name,phone,owner\n团队客户,13900000001,2\n别组客户,13900000002,4\n", to: "bad.csv")
        let r = try run("张伟", "import customer bad.csv")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("may only give customers to their team, not to user 4"), r.description)
        XCTAssertEqual(lines(try run("tester", "count customer where name ~ '客户'")), ["0"])
        // Within the team it goes in; a customer with no owner is the importer's.
        try sandbox.write("name,phone,owner\n团队客户,13900000001,2\n无主客户,13900000003,\n", to: "good.csv")
        XCTAssertEqual(try run("张伟", "import customer good.csv").status, 0)
        let owners = try run("tester", "list customer columns name, owner where name ~ '客户' order by name")
        XCTAssertEqual(Array(lines(owners).dropFirst().map { $0.split(separator: ",").dropFirst().joined(separator: ",") }),
                       ["团队客户,2", "无主客户,1"], owners.stdout)
    }

    func testAccessLog_keepsWhatWasShown_whenTheUserRollsBack() throws {
        // One of 李娜's own customers (she sees its private fields: the show is logged).
        let mine = try run("李娜", "list customer columns id order by id limit 1")
        let id = lines(mine).last!
        let r = try run("李娜", "begin", "update customer \(id) set city=北京", "show customer \(id)", "rollback")
        XCTAssertEqual(r.status, 0, r.description)
        let city = try run("tester", "list customer columns city where id = \(id)")
        XCTAssertFalse(city.stdout.contains("北京"), city.stdout)
        let log = try run("tester", "access log user 李娜 customer \(id)")
        XCTAssertEqual(log.status, 0, log.description)
        XCTAssertTrue(log.stdout.contains(",李娜,show,customer,\(id),1,"), log.stdout)
    }

    func testAnalyses_runOverTheCustomersTheCallerSees() throws {
        // 李娜 (user 2) sees her own customers: abc adds up their won deals only.
        let truth = try run("tester", "= crm.query(\"select count(distinct d.customer) n, sum(d.amount) s from deal d join customer c on c.id = d.customer where c.owner = 2 and d.stage = 'won' and d.closed is not null\")[1].s")
        let total = try XCTUnwrap(lines(truth).last)
        let abc = try run("李娜", "abc", "rfm", "loyalty", "satisfaction")
        XCTAssertEqual(abc.status, 0, abc.description)
        let head = try XCTUnwrap(abc.stdoutLines.first)
        XCTAssertTrue(head.contains("net value \(Double(total).map { String(format: "%.2f", $0) } ?? total)"), "\(head) vs \(total)")
        let all = try run("tester", "abc")
        XCTAssertNotEqual(all.stdoutLines.first, head, "the admin's ABC covers every customer")
        // Writing classes computed over some customers onto customers is refused.
        let apply = try run("李娜", "abc --apply")
        XCTAssertEqual(apply.status, 1)
        XCTAssertTrue(apply.stderr.contains("customer.value_class writes every customer's class; 李娜 (agent) sees their own customers only"), apply.stderr)
    }

    func testIdentity_isTheOSUserOnceOverridesAreOff() throws {
        XCTAssertEqual(try run("tester", "access overrides off").status, 0)
        let r = try run("李娜", "whoami")
        XCTAssertTrue(r.stderr.contains("--user/CRM_USER '李娜' ignored"), r.stderr)
        XCTAssertFalse(r.stdout.contains("李娜"), r.stdout)
    }

    func testWhoamiAndUsers() throws {
        let me = try run("李娜", "whoami")
        XCTAssertTrue(me.stdout.hasPrefix("user,role,team,sees,customers"), me.stdout)
        XCTAssertTrue(lines(me)[1].hasPrefix("李娜,agent,销售一组,own,"), me.stdout)
        let users = try run("tester", "users")
        XCTAssertTrue(users.stdout.contains("1,张伟,manager,销售一组,team,"), users.stdout)
        XCTAssertTrue(users.stdout.contains("tester,admin"), users.stdout)
    }
}
