import CRMTestSupport
import Foundation
import XCTest

/// The real estate plugin through the built binary: its own tests, the reserve race
/// between two shells, a refused deposit leaving nothing, and the reports.
final class RealEstatePluginTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A database with the plugin, a building with unit 1-101, two salespeople and two customers.
    func office() throws {
        let r = try sandbox.crm(commands: "plugin enable realestate",
                                "add user name=张伟 role=sales", "add user name=李娜 role=sales",
                                "add customer name=王芳", "add customer name=李强",
                                "add project name=阳光花园", "add building project=1 name=1 floors=6",
                                "add unit building=1 number=101 floor=1 area=89 price=1000000")
        XCTAssertEqual(r.status, 0, "\(r)")
    }

    func testPluginTestsPass() throws {
        let r = try sandbox.run(["test", Self.repositoryRoot + "/plugins/realestate"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.range(of: #"^[1-9][0-9]* passed, 0 failed\n$"#, options: .regularExpression) != nil, "\(r)")
    }

    func testRefusedDepositLeavesNothingWritten() throws {
        try office()
        XCTAssertEqual(try sandbox.crm(commands: "add deposit kind=small customer=王芳 unit=1-101 salesperson=张伟 amount=5000 receipt=CW1").status, 0)
        let refused = try sandbox.crm(commands: "add deposit kind=small customer=李强 unit=1-101 salesperson=李娜 amount=5000 receipt=CW2")
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("rule 'sales control' (plugin realestate) refused create deposit: unit 1-101 is reserved (held by 王芳, salesperson 张伟)"), refused.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count deposit").stdout, "1\n")
        XCTAssertEqual(try sandbox.crm(commands: "count deposit where customer = 2").stdout, "0\n")
        let unit = try sandbox.crm(commands: "show unit 1", options: ["--format", "json"])
        XCTAssertTrue(unit.stdout.contains("\"status\":\"reserved\"") || unit.stdout.contains("\"status\": \"reserved\""), unit.stdout)
    }

    /// Two shells take a deposit on the same unit at the same moment: exactly one gets it.
    func testReserveRace_twoShellsOneUnit() throws {
        try office()
        let binary = try CRMBinary.path()
        for round in 1...3 {
            if round > 1 {
                // Free the unit again for the next round.
                let reset = try sandbox.crm(commands: "update deposit where unit = 1 set status=void",
                                            "update unit 1 set status=available holder= salesperson=")
                XCTAssertEqual(reset.status, 0, "\(reset)")
            }
            let before = Int(try sandbox.crm(commands: "count deposit").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            let start = Date().addingTimeInterval(0.4)
            let results = Shared([CommandResult?](repeating: nil, count: 2))  // the two threads store into one array
            let group = DispatchGroup()
            for (i, who) in [(0, ("王芳", "张伟")), (1, ("李强", "李娜"))] {
                group.enter()
                DispatchQueue.global().async {
                    Thread.sleep(until: start)
                    let result = try? CommandRunner.run(
                        executable: binary,
                        arguments: ["--db", self.sandbox.database, "-c",
                                    "add deposit kind=small customer=\(who.0) unit=1-101 salesperson=\(who.1) amount=5000 receipt=R\(round)-\(i)"],
                        environment: self.sandbox.environment, workingDirectory: self.sandbox.workingDirectory,
                        stdin: nil, scratch: self.sandbox.root)
                    results.update { $0[i] = result }
                    group.leave()
                }
            }
            group.wait()
            let done = results.value.compactMap { $0 }
            XCTAssertEqual(done.count, 2)
            // Writes take the write lock up front (BEGIN IMMEDIATE): a crm starting while the
            // other writes waits for it, loads its plugins and then sees the unit reserved.
            for r in done { XCTAssertFalse(r.stderr.contains("skipped"), "round \(round): \(r.stderr)") }
            let won = done.filter { $0.status == 0 }, lost = done.filter { $0.status != 0 }
            XCTAssertEqual(won.count, 1, "round \(round): exactly one succeeds: \(done)")
            XCTAssertEqual(lost.count, 1, "round \(round): the other is refused: \(done)")
            if let loser = lost.first {
                XCTAssertTrue(loser.stderr.contains("unit 1-101 is reserved"), "the refusal names the unit and its holder: \(loser.stderr)")
            }
            let after = Int(try sandbox.crm(commands: "count deposit").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            XCTAssertEqual(after, before + 1, "round \(round): the refused deposit left nothing")
            let held = try sandbox.crm(commands: "count unit where status = reserved").stdout
            XCTAssertEqual(held, "1\n")
        }
    }

    func testDemoAndReports() throws {
        XCTAssertEqual(try sandbox.crm(commands: "plugin enable realestate").status, 0)
        let demo = try sandbox.crm(["run", Self.repositoryRoot + "/plugins/realestate/demo.lua"])
        XCTAssertEqual(demo.status, 0, "\(demo)")
        XCTAssertTrue(demo.stdout.hasPrefix("demo: 48 units, 4 salespeople"), demo.stdout)
        let again = try sandbox.run(["--db", sandbox.path("second.sqlite"), "-c", "plugin enable realestate"])
        XCTAssertEqual(again.status, 0)
        let demo2 = try sandbox.run(["--db", sandbox.path("second.sqlite"), "run", Self.repositoryRoot + "/plugins/realestate/demo.lua"])
        XCTAssertEqual(demo2.stdout, demo.stdout, "the demo is deterministic")
        for report in ["board", "daily day=2026-11-21", "weekly", "monthly by=source", "prospects", "small_deposits",
                       "large_deposits", "contracts", "commissions", "commissions salesperson=张伟", "overdue"] {
            for format in ["table", "csv", "json"] {
                let r = try sandbox.crm(commands: "report \(report)", options: ["--format", format])
                XCTAssertEqual(r.status, 0, "report \(report) --format \(format): \(r)")
                XCTAssertFalse(r.stdout.isEmpty, "report \(report) --format \(format)")
            }
        }
        let board = try sandbox.crm(commands: "report board")
        XCTAssertTrue(board.stdout.contains("○ 可售") && board.stdout.contains("● 签约"), board.stdout)
        let overdue = try sandbox.crm(commands: "report overdue", options: ["--format", "csv"])
        XCTAssertTrue(overdue.stdout.contains("钱多多"), overdue.stdout)
        let next = try sandbox.crm(commands: "rotation next")
        XCTAssertTrue(next.stdout.hasPrefix("next: "), "\(next)")
    }

    func testDemoFollowsTheDayItIsMade_reportsShowDataOnAnyDay() throws {
        let later = ["CRM_NOW": "2027-06-10T10:00:00Z"]
        XCTAssertEqual(try sandbox.crm(commands: "plugin enable realestate").status, 0)
        let demo = try sandbox.crm(["run", Self.repositoryRoot + "/plugins/realestate/demo.lua"], environment: later)
        XCTAssertEqual(demo.status, 0, "\(demo)")
        let daily = try sandbox.crm(["-c", "report estate-daily day=-1d", "--format", "csv"], environment: later)
        XCTAssertEqual(daily.status, 0, "\(daily)")
        XCTAssertGreaterThan(daily.stdoutLines.count, 2, "yesterday has visitors: \(daily.stdout)")
        let weekly = try sandbox.crm(["-c", "report estate-weekly", "--format", "json"], environment: later)
        let rows = try JSONSerialization.jsonObject(with: Data(weekly.stdout.utf8)) as? [[String: Any]]
        let total = rows?.last?["visits"] as? Int ?? 0
        XCTAssertGreaterThan(total, 0, "this week has visits: \(weekly.stdout)")
        let contracts = try sandbox.crm(["-c", "list contract order by signed_on desc limit 1", "--format", "csv"], environment: later)
        XCTAssertTrue(contracts.stdout.contains("2027-0"), "contracts are signed in the month before the day: \(contracts.stdout)")
    }

    func testReportNames_followOneConventionAndOldNamesStillWork() throws {
        XCTAssertEqual(try sandbox.crm(commands: "plugin enable realestate").status, 0)
        XCTAssertEqual(try sandbox.crm(["run", Self.repositoryRoot + "/plugins/realestate/demo.lua"]).status, 0)
        for (new, old) in [("estate-daily day=2026-11-21", "daily day=2026-11-21"), ("estate-small-deposits", "small_deposits"),
                           ("estate-board", "board")] {
            let a = try sandbox.crm(commands: "report \(new)", options: ["--format", "csv"])
            let b = try sandbox.crm(commands: "report \(old)", options: ["--format", "csv"])
            XCTAssertEqual(a.status, 0, "\(a)")
            XCTAssertEqual(a.stdout, b.stdout, "\(old) is \(new)")
        }
        let list = try sandbox.crm(commands: "reports", options: ["--format", "csv"]).stdoutLines
        XCTAssertEqual(list.dropFirst().first?.hasPrefix("estate-daily,"), true, "new names first: \(list)")
        XCTAssertTrue(list.contains { $0.hasPrefix("daily,realestate,old name of estate-daily") }, "\(list)")
    }

    /// The commission shares as CSV lines (commission,salesperson,percent,amount,role,on), without the ids.
    func shares() throws -> [String] {
        try sandbox.crm(commands: "list commission_share order by id", options: ["--format", "csv"]).stdoutLines.dropFirst()
            .map { String($0.drop { $0 != "," }.dropFirst()) }
    }

    /// Runs commands at another moment than the sandbox's pinned clock.
    func at(_ moment: String, _ commands: String...) throws -> CommandResult {
        try sandbox.crm(commands.flatMap { ["-c", $0] }, environment: ["CRM_NOW": moment])
    }

    /// 李娜 registers 王芳; later 王芳 says 李娜 served her before and insists on 张伟, who
    /// signs: `commission` reads case (2) from the registers, shows the evidence, writes
    /// nothing until confirmed; a typed case is an override recorded with who typed it.
    func testCommission_proposedFromTheRegisters_confirmedOrOverridden() throws {
        try office()
        XCTAssertEqual(try at("2026-10-01T10:00:00Z", "add visit customer=王芳 salesperson=李娜 kind=first").status, 0)
        XCTAssertEqual(try at("2026-11-10T10:00:00Z", "add visit customer=王芳 salesperson=张伟 said=insisted prior=李娜").status, 0)
        XCTAssertEqual(try sandbox.crm(commands: "add contract customer=王芳 unit=1-101 salesperson=张伟 price=1000000").status, 0)

        let shown = try sandbox.crm(commands: "commission HT0001")
        XCTAssertEqual(shown.status, 0, "\(shown)")
        XCTAssertEqual(shown.stdout, """
            contract HT0001 (王芳, unit 1-101), signed 2026-11-22, salesperson 张伟; pool 5000.00
            case: insisted (2), read from the records
            split: 张伟 80% / 李娜 20%; b's registration valid until 2026-12-01
            evidence:
              registration: visit 1 2026-10-01 10:00, 李娜 received 王芳 first (protected until 2026-12-01)
              visit 2 2026-11-10 10:00 (visit 2 of the customer): 张伟 received them; the customer said 李娜 served them before, and insisted on this salesperson
              contract HT0001 signed 2026-11-22, salesperson 张伟
            to write it: commission HT0001 confirm

            """)
        XCTAssertEqual(try sandbox.crm(commands: "count commission").stdout, "0\n", "showing writes nothing")

        let confirmed = try sandbox.crm(commands: "commission HT0001 confirm")
        XCTAssertEqual(confirmed.stdout, "commission 1 written HT0001: insisted from the records, 张伟 80% / 李娜 20%; b's registration valid until 2026-12-01\n", "\(confirmed)")
        XCTAssertEqual(try shares(), ["1,1,80.00,4000.00,served,2026-11-22", "1,2,20.00,1000.00,registered,2026-11-22"])

        let preview = try sandbox.crm(commands: "commission HT0001 case=forgot a=张伟 b=李娜")
        XCTAssertEqual(preview.status, 0, "\(preview)")
        XCTAssertTrue(preview.stdout.contains("case: forgot (7), typed by tester; the records propose insisted: 张伟 80% / 李娜 20%\nsplit: 张伟 50% / 李娜 50%"), preview.stdout)
        XCTAssertTrue(preview.stdout.contains("written now: commission 1, insisted from the records"), preview.stdout)
        XCTAssertEqual(try shares().count, 2, "a preview writes nothing")
        XCTAssertEqual(try shares().last, "1,2,20.00,1000.00,registered,2026-11-22", "a preview writes nothing")

        let overridden = try sandbox.crm(commands: "commission HT0001 confirm case=forgot a=张伟 b=李娜")
        XCTAssertEqual(overridden.stdout, "commission 1 rewritten HT0001: forgot typed by tester, 张伟 50% / 李娜 50%; b's registration valid until 2026-12-01\n", "\(overridden)")
        let record = try sandbox.crm(commands: "show commission 1", options: ["--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(record.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(json?["basis"] as? String, "override", record.stdout)
        XCTAssertEqual(json?["overridden_by"] as? String, "tester", record.stdout)
        XCTAssertEqual(json?["proposed"] as? String, "insisted: 张伟 80% / 李娜 20%", record.stdout)
        XCTAssertEqual(try shares(), ["1,1,50.00,2500.00,rotation,2026-11-22", "1,2,50.00,2500.00,registered,2026-11-22"])

        let back = try sandbox.crm(commands: "commission HT0001 confirm")
        XCTAssertEqual(back.stdout, "commission 1 rewritten HT0001: insisted from the records, 张伟 80% / 李娜 20%; b's registration valid until 2026-12-01\n", "\(back)")
        let help = try sandbox.crm(commands: "help commission")
        XCTAssertTrue(help.stdout.contains("confirm   write the commission"), help.stdout)
    }

    /// A deal with no registration, a typo in the case, and two registrations at the very
    /// same moment: one clear line and nothing written, or the manager asked.
    func testCommission_badInput_noRegistrationAndConflictingRegistrations() throws {
        try office()
        XCTAssertEqual(try sandbox.crm(commands: "add user name=赵经理 role=manager",
                                       "add unit building=1 number=102 floor=1 area=89 price=1000000",
                                       "add contract customer=李强 unit=1-101 salesperson=张伟 price=1000000").status, 0)
        for command in ["commission HT0001", "commission HT0001 confirm", "add commission contract=HT0001"] {
            let r = try sandbox.crm(commands: command)
            XCTAssertEqual(r.status, 1, "\(command): \(r)")
            XCTAssertEqual(r.stdout, "", command)
            XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains("contract HT0001: 李强 has no registration (no first visit in the visitor register, no registered_by)"), r.stderr)
        }
        XCTAssertEqual(try sandbox.crm(commands: "count commission").stdout, "0\n")
        let typo = try sandbox.crm(commands: "commission HT0001 case=insistd")
        XCTAssertEqual(typo.status, 1)
        XCTAssertTrue(typo.stderr.contains("case=insistd: no such case; the cases are assisted, complaint,"), typo.stderr)

        // Both registered 王芳 at 10:00 on 2026-10-01 (the second visit was edited into a first one).
        XCTAssertEqual(try at("2026-10-01T10:00:00Z", "add visit customer=王芳 salesperson=李娜 kind=first",
                              "add visit customer=王芳 salesperson=张伟 kind=return", "update visit 2 set kind=first").status, 0)
        XCTAssertEqual(try sandbox.crm(commands: "add contract customer=王芳 unit=1-102 salesperson=李娜 price=1000000").status, 0)
        let tie = try sandbox.crm(commands: "commission HT0002")
        XCTAssertTrue(tie.stdout.contains("case: dispute (a crossing for the manager), read from the records"), tie.stdout)
        XCTAssertTrue(tie.stdout.contains("registration: visit 2 2026-10-01 10:00, 张伟 received 王芳 first (protected until 2026-12-01): at the very same moment, so the register cannot say who was first"), tie.stdout)
        XCTAssertTrue(tie.stdout.contains("asks: the manager decides: commission HT0002 confirm decided_by=<manager>"), tie.stdout)
        let waiting = try sandbox.crm(commands: "commission HT0002 confirm")
        XCTAssertTrue(waiting.stdout.contains("dispute from the records, no shares; awaiting the manager's decision"), "\(waiting)")
        XCTAssertEqual(try sandbox.crm(commands: "count commission_share").stdout, "0\n")
        let decided = try sandbox.crm(commands: "commission HT0002 confirm decided_by=赵经理 reason=同时登记 shares=[[1,50],[2,50]]")
        XCTAssertEqual(decided.stdout, "commission 1 rewritten HT0002: dispute from the records, 张伟 50% / 李娜 50%; decided by 赵经理: 同时登记\n", "\(decided)")
        let refused = try sandbox.crm(commands: "commission HT0002 confirm decided_by=张伟 reason=mine shares=[[1,100]]")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("case dispute is decided by a manager"), refused.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count commission_share").stdout, "2\n", "the refused decision left the manager's")
    }

    func testReport_unknownKeySaysSoInsteadOfAnEmptyBoard() throws {
        XCTAssertEqual(try sandbox.crm(commands: "plugin enable realestate").status, 0)
        XCTAssertEqual(try sandbox.crm(["run", Self.repositoryRoot + "/plugins/realestate/demo.lua"]).status, 0)
        for (report, message) in [("estate-board building=99", "building=99: there is no building 99"),
                                  ("board building=99", "building=99: there is no building 99"),
                                  ("estate-prospects salesperson=99", "salesperson=99: there is no user 99"),
                                  ("estate-commissions salesperson=99", "salesperson=99: there is no user 99")] {
            let r = try sandbox.crm(commands: "report \(report)")
            XCTAssertEqual(r.status, 1, "\(report): \(r)")
            XCTAssertEqual(r.stdout, "", "\(report) printed a report: \(r.stdout)")
            XCTAssertTrue(r.stderr.contains(message), "\(report): \(r.stderr)")
            XCTAssertEqual(r.stderrLines.count, 1, r.stderr)
        }
        XCTAssertEqual(try sandbox.crm(commands: "report estate-board building=1").status, 0)
    }
}
