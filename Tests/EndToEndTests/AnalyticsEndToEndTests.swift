import CRMTestSupport
import Foundation
import XCTest

/// The customer analyses through the built binary: ABC on demo-like data with `--apply`
/// (audited, filterable), an empty period explained in one line, RFM equal to the Python
/// `lifetimes` package on data of our own. The sandbox pins today at 2026-11-22.
final class AnalyticsEndToEndTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    /// Ten customers whose won deals are 500, 200, 100, 60, 40, 30, 30, 20, 10, 10 (one lost deal too).
    func setUpTen() throws {
        var commands: [String] = []
        let values = [500, 200, 100, 60, 40, 30, 30, 20, 10, 10]
        for (i, v) in values.enumerated() {
            commands.append("add customer name=c\(i + 1)")
            commands.append("add deal customer=\(i + 1) title=d amount=\(v) stage=won closed=2026-10-\(String(format: "%02d", i + 1))")
        }
        commands.append("add deal customer=10 title=lost amount=9999 stage=lost closed=2026-10-20")
        commands.append("add customer name=nobody")
        let r = try sandbox.crm(commands.flatMap { ["-c", $0] })
        XCTAssertEqual(r.status, 0, "\(r)")
    }

    func testABC_tenCustomers_tableAndApply() throws {
        try setUpTen()
        let r = try sandbox.crm(["--format", "csv", "-c", "abc"])
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("class,customers,customer_share,value,value_share\nA,3,30.0,800.00,80.0\nB,4,40.0,160.00,16.0\nC,3,30.0,40.00,4.0"), r.stdout)
        let applied = try sandbox.crm(commands: "abc --apply")
        XCTAssertEqual(applied.status, 0, "\(applied)")
        XCTAssertTrue(applied.stdout.contains("value_class written: 11 customers changed"), applied.stdout)
        XCTAssertEqual(try sandbox.crm(commands: "count customer where value_class = A").stdout, "3\n")
        XCTAssertEqual(try sandbox.crm(commands: "count customer where value_class = C").stdout, "4\n", "nobody is C")
        let history = try sandbox.crm(commands: "history customer 1")
        XCTAssertTrue(history.stdout.contains("value_class"), history.stdout)
        let again = try sandbox.crm(commands: "abc apply=yes")
        XCTAssertTrue(again.stdout.contains("value_class written: 0 customers changed"), again.stdout)
    }

    /// The analyses are reports too: `reports` lists them (plugin core) and `report abc`
    /// gives what `abc` gives, parameters and all.
    func testAnalysesAreReports() throws {
        try setUpTen()
        let list = try sandbox.crm(["--format", "csv", "-c", "reports"])
        XCTAssertEqual(list.status, 0, "\(list)")
        for name in ["abc", "rfm", "stages", "churn-risk", "loyalty", "satisfaction"] {
            XCTAssertTrue(list.stdout.contains("\n\(name),core,"), "\(name) in \(list.stdout)")
        }
        let direct = try sandbox.crm(["--format", "csv", "-c", "abc to=2026-12-31"])
        let viaReport = try sandbox.crm(["--format", "csv", "-c", "report abc to=2026-12-31"])
        XCTAssertEqual(viaReport.status, 0, "\(viaReport)")
        XCTAssertEqual(viaReport.stdout, direct.stdout)
        XCTAssertTrue(try sandbox.crm(["-c", "report lifecycle"]).stdout.contains("Lifecycle"))
        let bad = try sandbox.crm(["-c", "report abc frm=2026-01-01"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("did you mean 'from'?"), bad.stderr)
    }

    func testABC_emptyPeriod_isOneLineNotAnError() throws {
        try setUpTen()
        let r = try sandbox.crm(commands: "abc from=2027-01-01 to=2027-12-31")
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout, "abc: no purchases 2027-01-01 to 2027-12-31 (value from deal.amount on closed where stage = 'won' (core)); nothing to classify\n")
        let rfm = try sandbox.crm(commands: "rfm from=2027-01-01")
        XCTAssertEqual(rfm.status, 0, "\(rfm)")
        XCTAssertTrue(rfm.stdout.hasPrefix("rfm: no purchases"), rfm.stdout)
    }

    func testABC_badParameter_failsNamingIt() throws {
        let r = try sandbox.crm(commands: "abc frm=2026-01-01")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("abc has no parameter 'frm' (did you mean 'from'?)"), r.stderr)
    }

    func testABC_toHTMLFile_drawsThePareto() throws {
        try setUpTen()
        let r = try sandbox.crm(commands: "abc to abc.html")
        XCTAssertEqual(r.status, 0, "\(r)")
        let html = sandbox.read("abc.html") ?? ""
        XCTAssertTrue(html.contains("<svg"), "the chart is drawn")
        XCTAssertTrue(html.contains("Pareto"), html)
    }

    func testSatisfaction_readsAPluginsDeclaredSurvey() throws {
        let folder = sandbox.configHome + "/crm/plugins/poll"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "return { name = \"poll\", version = \"1.0\", description = \"a survey\" }\n"
            .write(toFile: folder + "/plugin.lua", atomically: true, encoding: .utf8)
        try """
            crm.entity "answer" { fields = { { "stage", "enum", values = { "payment", "exam" } },
              { "hoped", "integer" }, { "felt", "integer" }, { "on", "date" } } }
            crm.survey_source{ entity = "answer", touchpoint = "stage", perception = "felt", expectation = "hoped", at = "on" }
            """.write(toFile: folder + "/entities.lua", atomically: true, encoding: .utf8)
        let r = try sandbox.crm(commands: "plugin enable poll", "add answer stage=exam hoped=5 felt=3 on=2026-11-20",
                                "add answer stage=exam hoped=4 felt=4 on=2026-11-21")
        XCTAssertEqual(r.status, 0, "\(r)")
        let s = try sandbox.crm(["--format", "csv", "-c", "satisfaction"])
        XCTAssertTrue(s.stdout.contains("answer,exam,2,4.50,3.50,-1.00"), s.stdout)
        XCTAssertTrue(s.stdout.contains("answer.felt (poll)"), s.stdout)
    }

    func testRealEstateContracts_areItsValue() throws {
        let r = try sandbox.crm(commands: "plugin enable realestate", "abc")
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("contract.price on signed_on (realestate)"), r.stdout)
    }

    // MARK: RFM against lifetimes

    /// Transactions of 40 customers over two years, several on one day, from a fixed seed.
    func transactions() -> [(customer: Int, day: String, amount: String)] {
        var seed: UInt64 = 20261122
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        var out: [(Int, String, String)] = []
        let start = 20089  // 2025-01-01
        for c in 1...40 {
            let n = 1 + next(6)
            let first = start + next(600)
            for _ in 0..<n {
                let text = ISO8601.date(first + next(200))
                out.append((c, text, "\(10 + next(900)).\(String(format: "%02d", next(100)))"))
            }
        }
        return out.filter { $0.1 <= "2026-11-22" }
    }

    func testRFM_equalsLifetimesSummaryData() throws {
        guard let python = which("python3") else { throw skipTest("python3 is not installed: the lifetimes equality check did not run") }
        let probe = try runProgram(python, ["-c", "import lifetimes"])
        guard probe.status == 0 else {
            throw skipTest("the Python package lifetimes is not installed (pip install lifetimes): the RFM equality check did not run")
        }
        let tx = transactions()
        var customers = "name\n", deals = "customer,title,amount,stage,closed\n", csv = "customer,date,amount\n"
        for c in 1...40 { customers += "c\(c)\n" }
        for t in tx {
            deals += "\(t.customer),d,\(t.amount),won,\(t.day)\n"
            csv += "\(t.customer),\(t.day),\(t.amount)\n"
        }
        _ = try sandbox.write(customers, to: "customers.csv")
        _ = try sandbox.write(deals, to: "deals.csv")
        let txPath = try sandbox.write(csv, to: "tx.csv")
        let imported = try sandbox.crm(commands: "import customer customers.csv", "import deal deals.csv")
        XCTAssertEqual(imported.status, 0, "\(imported)")
        let ours = try sandbox.crm(["--format", "csv", "-c", "rfm by=customer limit=0 to=2026-11-22"])
        XCTAssertEqual(ours.status, 0, "\(ours)")
        let script = """
            import pandas as pd
            from lifetimes.utils import summary_data_from_transaction_data
            df = pd.read_csv('\(txPath)', parse_dates=['date'])
            s = summary_data_from_transaction_data(df, 'customer', 'date', monetary_value_col='amount',
                                                   observation_period_end='2026-11-22', freq='D')
            for c, r in s.iterrows():
                print(f"{c},{int(r.frequency)},{int(r.recency)},{int(r['T'])},{float(r.monetary_value)!r}")
            """
        let theirs = try runProgram(python, ["-c", script])
        XCTAssertEqual(theirs.status, 0, "\(theirs)")
        // frequency, recency and T exactly; monetary value to the cent we show (lifetimes
        // keeps a float mean, we round the exact mean to cents, half away from zero).
        var expected: [String: (String, Double)] = [:]
        for line in theirs.stdoutLines where !line.isEmpty {
            let f = line.split(separator: ",").map(String.init)
            expected[f[0]] = (f[1...3].joined(separator: ","), Double(f[4]) ?? .nan)
        }
        var got: [String: (String, Double)] = [:]
        for line in ours.stdoutLines where line.first?.isNumber == true {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 6 else { continue }
            got[f[0]] = (f[2...4].joined(separator: ","), Double(f[5]) ?? .nan)
        }
        XCTAssertEqual(expected.count, 40)
        XCTAssertEqual(Set(got.keys), Set(expected.keys))
        for (c, e) in expected {
            XCTAssertEqual(got[c]?.0, e.0, "customer \(c): frequency,recency,T")
            XCTAssertEqual(got[c]?.1 ?? -1, e.1, accuracy: 0.005 + 1e-9, "customer \(c): monetary_value")
        }
    }

    // MARK: Helpers

    func which(_ program: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin").split(separator: ":") {
            let p = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    func runProgram(_ path: String, _ args: [String]) throws -> CommandResult {
        try CommandRunner.run(executable: path, arguments: args, environment: ProcessInfo.processInfo.environment,
                              workingDirectory: sandbox.workingDirectory, stdin: nil, scratch: sandbox.root)
    }
}

/// Day numbers as `YYYY-MM-DD` (days since 1970-01-01).
enum ISO8601 {
    static func date(_ days: Int) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(days) * 86400))
    }
}
