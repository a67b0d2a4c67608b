import CRMTestSupport
import Foundation
import XCTest

/// Past pictures (`crm.get_as_of`, `crm.as_of` + `crm.query`) under the access policy:
/// a restricted caller sees of a past record exactly what they see of it now, rows out
/// of their scope absent and private fields masked (docs/access.md, "Past pictures").
final class AsOfAccessEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        let r = try sandbox.crm(commands: "demo", "access on", "access overrides on")
        XCTAssertEqual(r.status, 0, r.description)
        // Three days after the demo: customer 2 (张伟's) gets a new phone, and 李娜
        // (user 2) loses one of her customers to 张伟 (user 1).
        let later = try sandbox.crm(["-c", "update customer 2 set phone=13800001111"], environment: ["CRM_NOW": "2026-11-25T10:00:00Z"])
        XCTAssertEqual(later.status, 0, later.description)
    }
    override func tearDown() { sandbox?.remove() }

    func run(_ user: String, _ commands: String..., now: String = "2026-11-26T10:00:00Z") throws -> CommandResult {
        try sandbox.crm(["--user", user, "--format", "csv"] + commands.flatMap { ["-c", $0] }, environment: ["CRM_NOW": now])
    }

    func value(_ r: CommandResult) -> String { r.stdoutLines.last ?? "" }

    func testGetAsOf_masksPrivateFields_asNowAndThen() throws {
        let now = try run("赵敏", "= crm.get('customer', 2).phone")
        XCTAssertEqual(value(now), "\"138****1111\"", now.description)
        let future = try run("赵敏", "= crm.get_as_of('customer', 2, '2026-12-31').phone")
        XCTAssertEqual(value(future), "\"138****1111\"", future.description)
        let past = try run("赵敏", "= crm.get_as_of('customer', 2, '2026-11-23').phone")
        XCTAssertEqual(value(past), "\"150****5942\"", past.description)
        // The owner's manager sees the real numbers, then and now.
        let manager = try run("张伟", "= crm.get_as_of('customer', 2, '2026-11-23').phone")
        XCTAssertEqual(value(manager), "\"15051255942\"", manager.description)
        let admin = try run("tester", "= crm.get_as_of('customer', 2, '2026-11-23').phone")
        XCTAssertEqual(value(admin), "\"15051255942\"", admin.description)
    }

    func testAsOfTable_masksPrivateFields() throws {
        for (date, shown) in [("2026-12-31", "138****1111"), ("2026-11-23", "150****5942")] {
            let r = try run("赵敏", "= crm.query('select phone from ' .. crm.as_of('customer', '\(date)') .. ' where id = 2')[1].phone")
            XCTAssertEqual(value(r), "\"\(shown)\"", r.description)
            XCTAssertFalse(r.stdout.contains("13800001111") || r.stdout.contains("15051255942"), r.stdout)
        }
        let granted = try run("tester", "grant 赵敏 private")
        XCTAssertEqual(granted.status, 0, granted.description)
        let r = try run("赵敏", "= crm.query('select phone from ' .. crm.as_of('customer', '2026-11-23') .. ' where id = 2')[1].phone")
        XCTAssertEqual(value(r), "\"15051255942\"", r.description)
    }

    func testAsOfTable_keepsOutRowsOutOfScope() throws {
        let counts = try run("李娜", "count customer",
                             "= crm.query('select count(*) n from ' .. crm.as_of('customer', '2026-12-31'))[1].n",
                             "= crm.query('select count(*) n from ' .. crm.as_of('customer', '2026-11-23'))[1].n",
                             "= crm.get_as_of('customer', 2, '2026-11-23')")
        XCTAssertEqual(counts.status, 0, counts.description)
        let lines = counts.stdoutLines
        XCTAssertGreaterThanOrEqual(lines.count, 4, counts.description)
        XCTAssertNotEqual(lines[0], "300")
        XCTAssertEqual(lines[1], lines[0], counts.description)
        XCTAssertEqual(lines[2], lines[0], counts.description)
        XCTAssertEqual(lines[3], "nil", counts.description)
        let admin = try run("tester", "= crm.query('select count(*) n from ' .. crm.as_of('customer', '2026-11-23'))[1].n")
        XCTAssertEqual(value(admin), "300", admin.description)
    }

    func testAsOfTable_judgesScopeByTheCurrentOwner() throws {
        // 李娜's customer with the lowest id goes to 张伟: gone from her past pictures too.
        let mine = try run("tester", "= crm.query('select min(id) id from customer where owner = 2')[1].id")
        let id = value(mine)
        let moved = try sandbox.crm(["-c", "update customer \(id) set owner=1"], environment: ["CRM_NOW": "2026-11-25T11:00:00Z"])
        XCTAssertEqual(moved.status, 0, moved.description)
        let r = try run("李娜", "= crm.query('select count(*) n from ' .. crm.as_of('customer', '2026-11-23') .. ' where id = \(id)')[1].n",
                        "= crm.get_as_of('customer', \(id), '2026-11-23')")
        XCTAssertEqual(r.stdoutLines, ["0", "nil"], r.description)
    }

    func testAsOfTable_ofAnotherRun_isNotThere() throws {
        // An admin's picture made in one run is not there in the next one (temp tables).
        let made = try run("tester", "= crm.as_of('customer', '2026-11-23')")
        XCTAssertEqual(made.status, 0, made.description)
        let other = try run("赵敏", "= crm.query('select phone from asof_customer_20261123 where id = 2')")
        XCTAssertNotEqual(other.status, 0, other.description)
    }
}
