import CRMTestSupport
import Foundation
import XCTest

/// The utilities plugin through the built binary: its own tests, an import of 15-minute
/// readings into the load_reading series (bad rows by file:line, the reject file, the
/// import audited once, --atomic keeping nothing), the load curve drawn, and the
/// escalation job run by `crm jobs run`, once per case. The sandbox pins the clock at
/// 2026-11-22 10:00 UTC (CRM_NOW).
final class UtilitiesPluginTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A supervisor, a key-account manager, a factory on 800 kVA and a household.
    func centre() throws {
        let r = try sandbox.crm(commands: "plugin enable utilities",
                                "add user name=赵主任 role=manager", "add user name=钱经理 role=service",
                                "add customer name=华兴机械厂 kind=organisation", "add customer name=王芳",
                                "add account number=3301000100 customer=华兴机械厂 address=工业园8号 area=urban voltage=10kV "
                                    + "capacity_kva=800 tariff=large_industrial key_account=yes manager=钱经理",
                                "add account number=3301000001 customer=王芳 address=河西村3组 area=rural")
        XCTAssertEqual(r.status, 0, "\(r)")
    }

    func testPluginTestsPass() throws {
        let r = try sandbox.run(["test", Self.repositoryRoot + "/plugins/utilities"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.range(of: #"^[1-9][0-9]* passed, 0 failed\n$"#, options: .regularExpression) != nil, "\(r)")
    }

    func testImportOfReadingsRejectsBadRowsByLineAndAuditsOnce() throws {
        try centre()
        var csv = "account,at,kw,kwh\n"
        for q in 0..<96 {
            csv += String(format: "3301000100,2026-11-21T%02d:%02d:00Z,%d,\n", q / 4, q % 4 * 15, q == 41 ? 720 : (32..<72).contains(q) ? 600 : 200)
        }
        csv += "3309999999,2026-11-21T08:00:00Z,100,\n"      // line 98: unknown account
        csv += "3301000100,2026-11-21T08:00:00Z,610,\n"      // line 99: duplicate
        csv += "3301000100,2026-11-21 08:07,100,\n"          // line 100: off the grid
        csv += "3301000100,2026-11-22T00:00:00Z,-5,\n"       // line 101: negative
        csv += "3301000100,2026-11-22T00:15:00Z,8000.5,\n"   // line 102: above 10 × 800 kVA
        csv += "3301000100,2026-11-22T00:30:00Z,250,62.5\n"
        let file = try sandbox.write(csv, to: "meters.csv")

        let r = try sandbox.crm(commands: "import load_reading \(file)")
        XCTAssertEqual(r.status, 1, "\(r)")
        let lines = r.stderrLines
        XCTAssertEqual(Array(lines.prefix(5)), [
            "\(file):98: account '3309999999' does not exist (no account has that number or id)",
            "\(file):99: duplicate: account 3301000100 already has a reading at 2026-11-21 08:00 (readings are not replaced; on conflict update replaces them)",
            "\(file):100: at 2026-11-21 08:07 is not on the 15-minute grid",
            "\(file):101: kw: -5 is below the minimum 0",
            "\(file):102: kw: 8000.5 is above 10 × account 3301000100's capacity_kva (at most 8000)",
        ])
        XCTAssertTrue(r.stderr.contains("imported 97 load_reading (2026-11-21 00:00 … 2026-11-22 00:30), rejected 5 (written to "), r.stderr)
        let rejects = sandbox.read("meters.rejects.csv") ?? ""
        XCTAssertEqual(rejects.components(separatedBy: "\n").count, 7, rejects)   // header, 5 rows, final newline
        XCTAssertTrue(rejects.hasPrefix("account,at,kw,kwh\n3309999999,"), rejects)

        // The import is audited once, as one load of the series (history <series>).
        let loads = try sandbox.crm(commands: "history load_reading", options: ["--format", "csv"])
        XCTAssertEqual(loads.status, 0, "\(loads)")
        XCTAssertEqual(loads.stdoutLines.first, "at,user,via,action,source,rows,rejected,skipped,updated,from,to")
        XCTAssertEqual(loads.stdoutLines.count, 2, loads.stdout)
        XCTAssertTrue(loads.stdoutLines.last?.hasSuffix(",import,\(file),97,5,,,2026-11-21T00:00:00Z,2026-11-22T00:30:00Z") ?? false, loads.stdout)

        // The curve of the imported day, drawn.
        let curve = try sandbox.crm(commands: "report util-load-curve account=3301000100 day=2026-11-21")
        XCTAssertEqual(curve.status, 0, "\(curve)")
        XCTAssertTrue(curve.stdout.hasPrefix("Load curve 3301000100 华兴机械厂, 2026-11-21: peak 720.0 kW at 10:15, valley 200.0 kW at 00:00, "
                                             + "average 367.9 kW, load factor 0.511 (96 of 96 points)\n"), curve.stdout)
        XCTAssertTrue(curve.stdout.contains("└┬"), curve.stdout)
        XCTAssertTrue(curve.stdout.contains("00:00       06:00       12:00       18:00"), curve.stdout)
        let csvCurve = try sandbox.crm(commands: "report util-load-curve account=3301000100 day=2026-11-21", options: ["--format", "csv"])
        XCTAssertEqual(csvCurve.stdoutLines.count, 97, csvCurve.stdout)
        XCTAssertEqual(csvCurve.stdoutLines[42], "10:15,720.0")
    }

    func testAtomicImportOfReadingsKeepsNothing() throws {
        try centre()
        let file = try sandbox.write("account,at,kw\n3301000100,2026-11-21 08:00,100\n3301000100,2026-11-21 08:10,100\n", to: "bad.csv")
        let r = try sandbox.crm(["--atomic", "-c", "import load_reading \(file)"])
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("\(file):3: at 2026-11-21 08:10 is not on the 15-minute grid"), r.stderr)
        XCTAssertTrue(r.stderr.contains("1 row rejected; nothing was imported"), r.stderr)
        XCTAssertFalse(sandbox.exists("bad.rejects.csv"))
        let n = try sandbox.crm(commands: "lua return crm.query('select count(*) as n from load_reading')[1].n")
        XCTAssertEqual(n.stdout, "0\n", "\(n)")
    }

    func testEscalationJobTasksTheSupervisorOncePerCase() throws {
        try centre()
        // Reported 09:00 (urban, due 09:45) and 08:30 (rural, due 10:00); the clock says 10:00.
        let faults = try sandbox.crm(commands: "add fault account=3301000100 reported_at=\"2026-11-22 09:00\"",
                                     "add fault account=3301000001 reported_at=\"2026-11-22 08:30\" dispatched_at=\"2026-11-22 08:40\"",
                                     "add fault account=3301000100 reported_at=\"2026-11-22 09:50\"",
                                     "add complaint customer=王芳 received_at=\"2026-11-18 10:00\" category=billing")
        XCTAssertEqual(faults.status, 0, "\(faults)")
        let first = try sandbox.run(["--db", sandbox.database, "jobs", "run"])
        XCTAssertEqual(first.status, 0, "\(first)")
        XCTAssertTrue(first.stdout.contains("utilities.escalate | yes | escalated 2 faults and 1 complaint"), first.stdout)
        let tasks = try sandbox.crm(commands: "list task order by id", options: ["--format", "csv"])
        XCTAssertTrue(tasks.stdout.contains("Fault GZ20261122-001: no arrival 15 min past the urban deadline 09:45"), tasks.stdout)
        XCTAssertTrue(tasks.stdout.contains("Fault GZ20261122-002: no arrival at the rural deadline 10:00")
                      || tasks.stdout.contains("Fault GZ20261122-002: no arrival, 0 min left before the rural deadline 10:00"), tasks.stdout)
        XCTAssertTrue(tasks.stdout.contains("Complaint TS20261118-001 (billing): customer not contacted, due 2026-11-19"), tasks.stdout)
        // Later, the third fault comes within 15 minutes of its deadline; the others are not escalated again.
        let later = try sandbox.run(["--db", sandbox.database, "jobs", "run"], environment: ["CRM_NOW": "2026-11-22T10:25:00Z"])
        XCTAssertTrue(later.stdout.contains("escalated 1 fault and 0 complaints"), later.stdout)
        XCTAssertEqual(try sandbox.crm(commands: "count task").stdout, "4\n")
        XCTAssertEqual(try sandbox.crm(commands: "count task where assignee = 1").stdout, "4\n")
        let again = try sandbox.run(["--db", sandbox.database, "jobs", "run", "force"], environment: ["CRM_NOW": "2026-11-22T12:00:00Z"])
        XCTAssertTrue(again.stdout.contains("escalated 0 faults and 0 complaints"), again.stdout)
    }

    func testArrivalBeforeDispatchIsRefusedNamingBothTimes() throws {
        try centre()
        XCTAssertEqual(try sandbox.crm(commands: "add fault account=3301000100 reported_at=\"2026-11-22 09:00\" dispatched_at=\"2026-11-22 09:10\"").status, 0)
        let r = try sandbox.crm(commands: "update fault 1 set arrived_at=\"2026-11-22 09:05\"")
        XCTAssertEqual(r.status, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("rule 'fault stages in order' (plugin utilities) refused update fault 1: fault GZ20261122-001: "
                                        + "arrived_at 2026-11-22 09:05 is before dispatched_at 2026-11-22 09:10"), r.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count fault where arrived_at is null").stdout, "1\n")
    }
    /// A series is described, listed and counted at the prompt like an entity, and its
    /// import takes the entity import's options (map, from-line, on conflict).
    /// A load's counts cover every account's readings: a role that sees some customers only
    /// is refused them; one that sees all gets them.
    func testSeriesLoads_areRefusedToARoleThatSeesSomeCustomers() throws {
        try centre()
        let file = try sandbox.write("account,at,kw\n3301000100,2026-11-21T00:00:00Z,100\n", to: "m.csv")
        XCTAssertEqual(try sandbox.crm(commands: "import load_reading \(file)", "access on", "access overrides on").status, 0)
        let manager = try sandbox.crm(["--user", "赵主任", "-c", "history load_reading"])
        XCTAssertEqual(manager.status, 1, "\(manager)")
        XCTAssertTrue(manager.stderr.contains("history load_reading: its loads count the readings of every account; 赵主任 (manager) sees only some"),
                      manager.stderr)
        let service = try sandbox.crm(["--user", "钱经理", "--format", "csv", "-c", "history load_reading"])
        XCTAssertEqual(service.status, 0, "\(service)")
        XCTAssertTrue(service.stdout.contains(",import,\(file),1,0,,,2026-11-21T00:00:00Z,2026-11-21T00:00:00Z"), service.stdout)
    }

    func testReadings_ofAccountsTheWriterDoesNotSee_areRejected() throws {
        try centre()
        XCTAssertEqual(try sandbox.crm(commands: "access on", "access overrides on").status, 0)
        // 赵主任 manages no team and owns no customer: he sees no account.
        let file = try sandbox.write("account,at,kw\n3301000001,2026-11-21T00:00:00Z,100\n", to: "m.csv")
        let imported = try sandbox.crm(["--user", "赵主任", "-c", "import load_reading \(file)"])
        XCTAssertEqual(imported.status, 1, "\(imported)")
        XCTAssertTrue(imported.stderr.contains("account '3301000001' does not exist"), imported.stderr)
        let appended = try sandbox.crm(["--user", "赵主任", "-c", "= crm.append('load_reading', {{account='3301000001', at='2026-11-21T00:15:00Z', kw=5}})"])
        XCTAssertEqual(appended.status, 1, "\(appended)")
        XCTAssertTrue(appended.stderr.contains("account '3301000001' does not exist"), appended.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count load_reading").stdout, "0\n")
        // The admin's import of the same file goes in.
        XCTAssertEqual(try sandbox.crm(commands: "import load_reading \(file)", "count load_reading").stdoutLines.last, "1")
    }

    func testSeriesAtThePrompt_describeListCountAndImportOptions() throws {
        try centre()
        let file = try sandbox.write("meter,time,power,energy\n3301000100,2026-11-21T00:00:00Z,100,25\n"
                                     + "3301000100,2026-11-21T00:15:00Z,120,30\n3301000100,2026-11-21T00:30:00Z,130,\n", to: "m.csv")
        let mapped = "import load_reading \(file) map meter=account time=at power=kw energy=kwh"
        XCTAssertEqual(try sandbox.crm(commands: mapped).stdout, "imported 3 load_reading (2026-11-21 00:00 … 2026-11-21 00:30)\n")
        // The same file again: refused by default, skipped or replaced when asked (an empty value keeps the stored one).
        XCTAssertEqual(try sandbox.crm(commands: mapped).status, 1)
        XCTAssertEqual(try sandbox.crm(commands: mapped + " on conflict skip").stdout, "imported 0 load_reading, skipped 3 already there\n")
        let changed = try sandbox.write("meter,time,power,energy\n3301000100,2026-11-21T00:00:00Z,1,1\n"
                                        + "3301000100,2026-11-21T00:15:00Z,150,\n3301000100,2026-11-21T00:45:00Z,140,35\n", to: "n.csv")
        let update = try sandbox.crm(commands: "import load_reading \(changed) map meter=account time=at power=kw energy=kwh from-line 3 on conflict update")
        XCTAssertEqual(update.stdout, "imported 1 load_reading (2026-11-21 00:15 … 2026-11-21 00:45), updated 1\n", "\(update)")

        // A GB18030 file with Chinese headings (as a meter system on a Chinese Windows saves it), mapped and named.
        let gbPath = sandbox.workingDirectory + "/gb.csv"
        var gb: [UInt8] = [0xB1, 0xED, 0xBA, 0xC5, 0x2C, 0xCA, 0xB1, 0xBC, 0xE4, 0x2C, 0xD3, 0xD0, 0xB9, 0xA6, 0x0A]  // 表号,时间,有功
        gb += Array("3301000100,2026-11-21T01:00:00Z,90\n".utf8)
        XCTAssertTrue(FileManager.default.createFile(atPath: gbPath, contents: Data(gb)))
        let gbImport = try sandbox.crm(commands: "import load_reading \(gbPath) map 表号=account 时间=at 有功=kw encoding=gb18030")
        XCTAssertEqual(gbImport.stdout, "imported 1 load_reading (2026-11-21 01:00 … 2026-11-21 01:00)\n", "\(gbImport)")
        XCTAssertEqual(try sandbox.crm(commands: "count load_reading where at = \"2026-11-21 01:00\" and kw = 90").stdout, "1\n")

        let describe = try sandbox.crm(commands: "describe load_reading")
        XCTAssertTrue(describe.stdout.hasPrefix("load_reading — Load reading; a series from utilities: one reading per account and at, "
                                                + "a second one refused unless imported with on conflict skip or update; "
                                                + "5 readings of 1 account, 2026-11-21 00:00 … 2026-11-21 01:00\n"), describe.stdout)
        XCTAssertTrue(describe.stdout.contains("| required; min 0; at most 10 × the account's capacity_kva"), describe.stdout)
        XCTAssertTrue(describe.stdout.contains("| required; key, with account; on the 15-minute grid"), describe.stdout)

        // The key by its number (all digits, yet not taken for an id), the time by local day.
        let list = try sandbox.crm(commands: "list load_reading where account = 3301000100 and at >= 2026-11-21 and kw >= 130 order by kw desc limit 2",
                                   options: ["--format", "csv"])
        XCTAssertEqual(list.stdout, "account,at,kw,kwh\n1,2026-11-21T00:15:00Z,150.000,30.000\n1,2026-11-21T00:45:00Z,140.000,35.000\n", "\(list)")
        let table = try sandbox.crm(commands: "list load_reading limit 1")
        XCTAssertTrue(table.stdout.contains("1 3301000100 | 2026-11-21 00:00"), table.stdout)
        XCTAssertEqual(try sandbox.crm(commands: "count load_reading where account = 3301000100 and kwh is null").stdout, "2\n")   // 00:30 and the GB18030 row
        XCTAssertEqual(try sandbox.crm(commands: "count load_reading where account = 3301000001").stdout, "0\n")
        let wrong = try sandbox.crm(commands: "list load_reading where id = 1")
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("load_reading has no field 'id' (a series has account, at, kw, kwh)"), wrong.stderr)
    }
}
