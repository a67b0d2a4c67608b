import CRMTestSupport
import Foundation
import XCTest

/// Lifecycle, churn risk, satisfaction and the agenda through the binary, on six customers
/// whose histories are built around the pinned today (2026-11-22), with hand-worked stages:
/// 1 steady every ~100 days (maturity), 2 speeding up (growth), 3 silent 500 days after a
/// 100-day rhythm (termination, at risk), 4 one purchase (development), 5 none (potential),
/// 6 bought every 20 days for two years, then once in the last 180 days (at risk: fewer).
final class AnalyticsStagesEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        var deals = "customer,title,amount,stage,closed\n"
        let histories: [Int: [String]] = [
            1: ["2026-01-26", "2026-05-06", "2026-08-14", "2026-11-12"],
            2: ["2025-10-18", "2026-05-06", "2026-08-14", "2026-10-13"],
            3: ["2024-12-22", "2025-04-01", "2025-07-10"],
            4: ["2026-10-23"],
        ]
        for (c, days) in histories.sorted(by: { $0.key < $1.key }) { for d in days { deals += "\(c),d,100,won,\(d)\n" } }
        let start = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
                                   year: 2024, month: 12, day: 2).date!
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.timeZone = TimeZone(identifier: "UTC")
        for k in 0..<27 { deals += "6,d,100,won,\(f.string(from: start.addingTimeInterval(Double(k * 20) * 86400)))\n" }
        deals += "6,d,100,won,2026-11-12\n"
        _ = try sandbox.write(deals, to: "deals.csv")
        let r = try sandbox.crm(commands:
            "add user name=李娜", "add user name=王强",
            "add customer name=稳 owner=李娜", "add customer name=升 owner=王强", "add customer name=停 owner=王强",
            "add customer name=新 owner=李娜", "add customer name=潜 owner=李娜 birthday=1980-11-25",
            "add customer name=减 owner=李娜 source=web",
            "import deal deals.csv",
            "add task title=回访 customer=减 assignee=李娜 due=2026-11-21",
            "add task title=报价 customer=稳 assignee=李娜 due=2026-11-22",
            "add task title=later customer=稳 assignee=李娜 due=2026-11-23",
            "add ticket customer=稳 kind=complaint title=漏水 opened=\"2026-11-17 09:00\"",
            "add ticket customer=新 kind=request title=fresh",
            "add ticket customer=升 kind=complaint title=x opened=\"2026-11-01 09:00\" status=closed satisfaction=2",
            "add ticket customer=升 kind=complaint title=y opened=\"2026-11-02 09:00\" status=closed satisfaction=4",
            "add ticket customer=升 kind=request title=z opened=\"2026-10-02 09:00\" status=closed satisfaction=5")
        XCTAssertEqual(r.status, 0, "\(r)")
    }

    override func tearDown() { sandbox?.remove() }

    func testLifecycle_stagesFromOwnHistory_andApplyWritesStage() throws {
        let r = try sandbox.crm(["--format", "csv", "-c", "lifecycle"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("stage,customers,share\npotential,1,16.7\ndevelopment,1,16.7\ngrowth,1,16.7\nmaturity,2,33.3\ntermination,1,16.7"),
                      r.stdout)
        let applied = try sandbox.crm(commands: "lifecycle --apply")
        XCTAssertTrue(applied.stdout.contains("stage written: 5 customers changed"), applied.stdout)
        XCTAssertEqual(try sandbox.crm(commands: "list customer where stage = maturity order by id", options: ["--format", "csv"]).stdout
                           .split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }, ["稳", "减"])
        XCTAssertEqual(try sandbox.crm(commands: "count customer where stage = termination").stdout, "1\n")
    }

    func testLifecycle_settingsMoveTheThresholds() throws {
        XCTAssertEqual(try sandbox.crm(commands: "setting analytics.lifecycle_silence 6").status, 0)
        let r = try sandbox.crm(["--format", "csv", "-c", "lifecycle"])
        // 停 is silent 500 days: under 6 × its 100-day rhythm, so still growing (3 purchase days).
        XCTAssertTrue(r.stdout.contains("growth,2,33.3\nmaturity,2,33.3\ntermination,0,0.0"), r.stdout)
    }

    func testChurnRisk_listsTheSlippingOnes_largestValueFirst() throws {
        let r = try sandbox.crm(["--format", "csv", "-c", "churn-risk"])
        XCTAssertEqual(r.status, 0, "\(r)")
        let rows = r.stdout.split(separator: "\n").filter { $0.first?.isNumber == true }.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows.map { $0[1] }, ["减", "停"], r.stdout)
        XCTAssertEqual(rows[0][2], "李娜")
        XCTAssertEqual(rows[0][4], "2800.00")
        XCTAssertEqual(rows[0][10], "fewer")
        XCTAssertEqual(rows[1][10], "silent+fewer")
        XCTAssertEqual(rows[1][6], "500", "days silent")
        let mine = try sandbox.crm(["--format", "csv", "-c", "churn-risk owner=王强"])
        XCTAssertEqual(mine.stdout.split(separator: "\n").filter { $0.first?.isNumber == true }.count, 1, mine.stdout)
    }

    func testSatisfaction_gapPerTouchpointAndMonth() throws {
        let r = try sandbox.crm(["--format", "csv", "-c", "satisfaction"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("ticket,complaint,2,4.00,3.00,-1.00\nticket,request,1,4.00,5.00,1.00"), r.stdout)
        XCTAssertTrue(r.stdout.contains("2026-10,1,4.00,5.00,1.00\n2026-11,2,4.00,3.00,-1.00"), r.stdout)
        let empty = try sandbox.crm(commands: "satisfaction from=2027-01-01 to=2027-02-01")
        XCTAssertTrue(empty.stdout.hasPrefix("satisfaction: no answers 2027-01-01 to 2027-02-01"), empty.stdout)
    }

    func testAgenda_givesTheSalespersonTheirDay() throws {
        let r = try sandbox.crm(["--format", "csv", "-c", "agenda 李娜"])
        XCTAssertEqual(r.status, 0, "\(r)")
        let out = r.stdout
        XCTAssertTrue(out.contains("2026-11-21,overdue,回访,减"), out)
        XCTAssertTrue(out.contains("2026-11-22,today,报价,稳"), out)
        XCTAssertFalse(out.contains("later"), "a task due tomorrow is not today's")
        XCTAssertTrue(out.contains(",潜,2026-11-25,3,46,1980-11-25"), out)
        XCTAssertTrue(out.contains("减,李娜"), "her customer at risk: \(out)")
        XCTAssertFalse(out.contains("停,王强"), "not someone else's")
        XCTAssertTrue(out.contains(",漏水,稳"), "a ticket open five days: \(out)")
        XCTAssertFalse(out.contains("fresh"), "a ticket opened today is not late")
        let unknown = try sandbox.crm(commands: "agenda 无名")
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("agenda: no user is named '无名'"), unknown.stderr)
    }
}
