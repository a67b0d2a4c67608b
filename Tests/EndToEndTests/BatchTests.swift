import CRMTestSupport
import Foundation
import XCTest

/// The headless `crm`: `-c`, `run FILE`, stdin, the batch flags, database locations, bad
/// input, import/export and the read verbs, checked through the built binary's stdout,
/// stderr, exit status and what the database holds afterwards.
final class BatchTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    static let coreEntities = ["user", "customer", "contact", "interaction", "task", "deal", "ticket"]
    static let stageValues = "potential, development, growth, maturity, termination"

    // MARK: Helpers

    /// Runs `crm --db <sandbox db> -c …` and asserts it succeeded with nothing on stderr.
    @discardableResult
    func ok(_ commands: String..., options: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let r = try sandbox.crm(options + commands.flatMap { ["-c", $0] })
        XCTAssertEqual(r.status, 0, r.description, file: file, line: line)
        XCTAssertEqual(r.stderr, "", r.description, file: file, line: line)
        return r
    }

    /// `count <entity> [where …]` as a number.
    func count(_ entity: String, where filter: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let r = try sandbox.crm(commands: "count \(entity)" + (filter.map { " where " + $0 } ?? ""))
        XCTAssertEqual(r.status, 0, r.description, file: file, line: line)
        guard let n = Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            XCTFail("count printed no number: \(r)", file: file, line: line)
            return -1
        }
        return n
    }

    /// Everything the database holds that a test could disturb: every record of every core
    /// entity with all its fields (through `export … to FILE.json`) and the audit history of
    /// the given records. Two equal snapshots mean nothing was written in between.
    func snapshot(history records: [(String, Int)] = [], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        var commands: [String] = []
        for e in Self.coreEntities { commands += ["-c", "export \(e) order by id to .snapshot-\(e).json"] }
        for (e, id) in records { commands += ["-c", "history \(e) \(id)"] }
        let r = try sandbox.crm(["--format", "csv"] + commands)
        XCTAssertEqual(r.status, 0, r.description, file: file, line: line)
        var text = ""
        for e in Self.coreEntities {
            text += "== \(e)\n" + (sandbox.read(".snapshot-\(e).json") ?? "<missing>") + "\n"
            try? FileManager.default.removeItem(atPath: sandbox.path(".snapshot-\(e).json"))
        }
        // Drop the "exported N …" lines; keep the history tables.
        text += r.stdoutLines.filter { !$0.hasPrefix("exported ") }.joined(separator: "\n")
        return text
    }

    /// A small data set: two staff, three customers, a contact, a task, a deal, a ticket.
    func seed() throws {
        try ok("add user name=张伟 role=sales",
               "add user name=李娜 role=manager",
               "add customer name=王芳 phone=13800001111 city=上海 stage=growth",
               "add customer name=\"Alice Wang\" email=alice@example.com city=Boston",
               "add customer name=欧阳娜娜 phone=13900002222 city=乌鲁木齐",
               "add contact customer=1 name=王小明 title=采购经理 phone=13700003333",
               "add task customer=1 title=回访报价 due=+3d assignee=张伟",
               "add deal customer=1 title=年度合同 amount=12345.67 stage=proposal",
               "add ticket customer=2 kind=complaint title=\"late delivery\"")
    }

    /// Splits simple CSV (no quoted commas) into rows of cells.
    func cells(_ r: CommandResult) -> [[String]] {
        r.stdoutLines.map { $0.components(separatedBy: ",") }
    }

    /// Columns a string takes on a terminal: CJK ideographs and full-width forms take two.
    func displayWidth(_ s: Substring) -> Int {
        s.unicodeScalars.reduce(0) { w, u in
            switch u.value {
            case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                 0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
                return w + 2
            case 0x0300...0x036F, 0x200B...0x200F:
                return w
            default:
                return w + 1
            }
        }
    }

    /// The display columns at which `separators` occur in a line.
    func borderColumns(_ line: String, separators: Set<Character>) -> [Int] {
        var result: [Int] = []
        for i in line.indices where separators.contains(line[i]) {
            result.append(displayWidth(line[..<i]))
        }
        return result
    }

    func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    // MARK: -c, stdin, run FILE

    func testRepeatedDashCRunsEveryCommandInOrder() throws {
        let r = try ok("add customer name=王芳 city=上海",
                       "add customer name=\"Alice Wang\"",
                       "count customer",
                       "count customer where city = 上海")
        XCTAssertEqual(r.stdout, "1\n2\n2\n1\n")
        // The runs share one file: a second process sees what the first wrote.
        XCTAssertEqual(try count("customer"), 2)
    }

    func testCommandsOnStandardInput() throws {
        let script = """
            add customer name=王芳

            # a comment line is skipped
            add customer name="Alice Wang" \\
              city=Boston
            count customer
            """
        let r = try sandbox.crm([], stdin: script + "\n")
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stderr, "")
        XCTAssertEqual(r.stdout, "1\n2\n2\n")
        XCTAssertEqual(try count("customer", where: "city = Boston and name = \"Alice Wang\""), 1)
    }

    func testStandardInputErrorNamesStdinAndLine() throws {
        let r = try sandbox.crm([], stdin: "add customer name=A\nadd customer name=\nadd customer name=C\n")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stdout, "1\n")
        XCTAssertEqual(r.stderrLines, ["<stdin>:2: customer.name is required"])
        XCTAssertEqual(try count("customer"), 1, "the run must stop at the first error")
    }

    func testRunFileStopsAtFirstErrorWithFileAndLine() throws {
        try sandbox.write("""
            add customer name=A
            # comment
            add customer name=B stage=nope
            add customer name=C
            """, to: "load.crm")
        let r = try sandbox.crm(["run", "load.crm"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stdout, "1\n")
        XCTAssertEqual(r.stderrLines,
                       ["load.crm:3: customer.stage: 'nope' is not allowed, expected one of: \(Self.stageValues)"])
        XCTAssertEqual(try count("customer"), 1)
        XCTAssertEqual(try count("customer", where: "name = C"), 0, "nothing after the error may run")
    }

    func testRunFileLineNumbersCountContinuationLines() throws {
        try sandbox.write("""
            add customer \\
              name=A
            add customer name="two
            lines"
            add customer name=B bogus=1
            """, to: "multi.crm")
        let r = try sandbox.crm(["run", "multi.crm"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stdout, "1\n2\n")
        XCTAssertEqual(r.stderrLines, ["multi.crm:5: customer has no field 'bogus'"])
        let json = try sandbox.crm(["--format", "json", "-c", "list customer order by id"])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: json.stdoutData) as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["name"] as? String }, ["A", "two\nlines"])
    }

    func testRunFileThatDoesNotExist() throws {
        let r = try sandbox.crm(["run", "missing.crm"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(r.stderr.hasPrefix("crm: cannot read missing.crm"), r.description)
    }

    func testDashCErrorNamesWhichDashC() throws {
        let r = try sandbox.crm(commands: "add customer name=A", "add customer name=B", "add custmer name=C")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stdout, "1\n2\n")
        XCTAssertEqual(r.stderrLines, ["-c:3: unknown entity 'custmer' (did you mean 'customer'?)"])
    }

    func testUnknownCommandIsACommandErrorNotAUsageError() throws {
        let r = try sandbox.crm(commands: "lsit customer")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stderrLines.count, 1, r.description)
        XCTAssertTrue(r.stderr.hasPrefix("-c:1: unknown command 'lsit'"), r.description)
        XCTAssertTrue(r.stderr.contains("list"), "should suggest list: \(r.stderr)")
    }

    func testQuitEndsTheRun() throws {
        let r = try sandbox.crm(commands: "add customer name=A", "quit", "add customer name=B")
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdout, "1\n")
        XCTAssertEqual(try count("customer"), 1)
    }

    func testTransactionLeftOpenIsRolledBackAndFails() throws {
        let r = try sandbox.crm(commands: "begin", "add customer name=A")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("transaction was left open"), r.description)
        XCTAssertEqual(try count("customer"), 0)
    }

    func testBeginCommitInsideARun() throws {
        try ok("begin", "add customer name=A", "rollback", "begin", "add customer name=B", "commit")
        let r = try ok("list customer", options: ["--format", "csv"])
        XCTAssertEqual(cells(r).dropFirst().map { $0[1] }, ["B"])
    }

    // MARK: --keep-going, --atomic, --dry-run

    func testKeepGoingRunsEverythingAndExitsOne() throws {
        try sandbox.write("""
            add customer name=A
            add customer name=B stage=nope
            add customer name=C
            add custmer name=D
            add customer name=E
            """, to: "load.crm")
        let r = try sandbox.crm(["run", "load.crm", "--keep-going"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stdout, "1\n2\n3\n")
        XCTAssertEqual(r.stderrLines, [
            "load.crm:2: customer.stage: 'nope' is not allowed, expected one of: \(Self.stageValues)",
            "load.crm:4: unknown entity 'custmer' (did you mean 'customer'?)",
        ])
        let list = try ok("list customer order by id", options: ["--format", "csv"])
        XCTAssertEqual(cells(list).dropFirst().map { $0[1] }, ["A", "C", "E"])
    }

    func testKeepGoingWithoutFailuresExitsZero() throws {
        let r = try sandbox.crm(["--keep-going", "-c", "add customer name=A", "-c", "count customer"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdout, "1\n1\n")
    }

    func testAtomicFailureLeavesDatabaseExactlyAsBefore() throws {
        try seed()
        let before = try snapshot(history: [("customer", 1), ("customer", 2), ("user", 1), ("task", 1)])
        let r = try sandbox.crm(["--atomic",
                                 "-c", "add customer name=新客户 city=杭州",
                                 "-c", "update customer 1 set city=北京 stage=maturity",
                                 "-c", "update task 1 set status=done",
                                 "-c", "delete ticket 1",
                                 "-c", "add user name=张伟"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stdout, "4\nupdated 1 customer\nupdated 1 task\ndeleted ticket 1\n")
        XCTAssertEqual(r.stderrLines, ["-c:5: user.name '张伟' is already taken by user 1",
                                       "crm: --atomic: rolled back, the database is unchanged"])
        XCTAssertEqual(try snapshot(history: [("customer", 1), ("customer", 2), ("user", 1), ("task", 1)]), before)
        // The new customer's audit rows went too.
        let h = try sandbox.crm(commands: "history customer 4")
        XCTAssertEqual(h.status, 1, h.description)
        XCTAssertEqual(h.stderrLines, ["-c:1: customer 4 does not exist"])
    }

    func testAtomicFailureInAFileWithKeepGoingStillRollsBack() throws {
        try seed()
        let before = try snapshot(history: [("customer", 1)])
        try sandbox.write("update customer 1 set city=深圳\nadd customer name=X stage=bad\nadd customer name=Y\n", to: "s.crm")
        let r = try sandbox.crm(["--atomic", "--keep-going", "run", "s.crm"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderrLines.contains("crm: --atomic: rolled back, the database is unchanged"), r.description)
        XCTAssertTrue(r.stderr.contains("s.crm:2: customer.stage: 'bad' is not allowed"), r.description)
        XCTAssertEqual(try snapshot(history: [("customer", 1)]), before)
    }

    func testAtomicSuccessKeepsEverything() throws {
        let r = try sandbox.crm(["--atomic", "-c", "add customer name=A", "-c", "add customer name=B",
                                 "-c", "update customer 1 set city=上海"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stderr, "")
        XCTAssertEqual(try count("customer"), 2)
        XCTAssertEqual(try count("customer", where: "city = 上海"), 1)
    }

    /// A `commit` in the script must not end the run's own transaction: that would write
    /// the commands before it even though a later one fails.
    func testAtomicRefusesACommitThatWouldEndTheRunTransaction() throws {
        try seed()
        let before = try snapshot(history: [("customer", 1)])
        let r = try sandbox.crm(["--atomic", "--keep-going", "-c", "add customer name=X", "-c", "commit",
                                 "-c", "update customer 1 set city=深圳", "-c", "add customer name=Y stage=bad"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("-c:2: commit: no transaction is open"), r.description)
        XCTAssertTrue(r.stderrLines.contains("crm: --atomic: rolled back, the database is unchanged"), r.description)
        XCTAssertEqual(try snapshot(history: [("customer", 1)]), before)
    }

    func testAtomicRefusesARollbackThatWouldEndTheRunTransaction() throws {
        let r = try sandbox.crm(["--atomic", "-c", "add customer name=P", "-c", "rollback", "-c", "add customer name=Q"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("-c:2: rollback: no transaction is open"), r.description)
        XCTAssertEqual(try count("customer"), 0, r.description)
    }

    func testAtomicAllowsTheScriptsOwnBeginAndCommit() throws {
        let r = try sandbox.crm(["--atomic", "-c", "begin", "-c", "add customer name=A", "-c", "commit",
                                 "-c", "add customer name=B"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(try count("customer"), 2)
    }

    func testDryRunRunsEverythingThenRollsBackAndSaysWhatWouldChange() throws {
        try seed()
        let before = try snapshot(history: [("customer", 1), ("ticket", 1)])
        let r = try sandbox.crm(["--dry-run",
                                 "-c", "add customer name=Z",
                                 "-c", "add customer name=Y",
                                 "-c", "update customer 1 set city=北京",
                                 "-c", "delete ticket 1",
                                 "-c", "count customer"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdout, "4\n5\nupdated 1 customer\ndeleted ticket 1\n5\n")
        XCTAssertEqual(r.stderrLines,
                       ["dry run: would create 2 customer, update 1 customer, delete 1 ticket; nothing was written"])
        XCTAssertEqual(try snapshot(history: [("customer", 1), ("ticket", 1)]), before)
    }

    func testDryRunWithNoWrites() throws {
        let r = try sandbox.crm(["--dry-run", "-c", "count customer"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdout, "0\n")
        XCTAssertEqual(r.stderrLines, ["dry run: no changes; nothing was written"])
    }

    func testDryRunWithAFailureExitsOneAndWritesNothing() throws {
        let r = try sandbox.crm(["--dry-run", "-c", "add customer name=A", "-c", "add customer name=B stage=x"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stderrLines.first,
                       "-c:2: customer.stage: 'x' is not allowed, expected one of: \(Self.stageValues)")
        XCTAssertEqual(try count("customer"), 0)
    }

    /// A stray `commit` in a rehearsed script must not write for real.
    func testDryRunRefusesACommitThatWouldWriteForReal() throws {
        let r = try sandbox.crm(["--dry-run", "-c", "add customer name=X", "-c", "commit", "-c", "add customer name=Y"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("-c:2: commit: no transaction is open"), r.description)
        XCTAssertTrue(r.stderr.contains("nothing was written"), r.description)
        XCTAssertEqual(try count("customer"), 0, "a dry run wrote to the database")
    }

    func testDryRunOfImportAndDemoWritesNothing() throws {
        try sandbox.write("name,city\nA,x\nB,y\n", to: "good.csv")
        let r = try sandbox.crm(["--dry-run", "-c", "demo 5", "-c", "import customer good.csv"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(r.stdout.hasPrefix("demo data: "), r.description)
        XCTAssertTrue(r.stdout.hasSuffix("\nimported 2 customer\n"), r.description)
        XCTAssertTrue(r.stderr.hasPrefix("dry run: would create "), r.description)
        XCTAssertTrue(r.stderr.contains("7 customer"), r.description)
        for e in Self.coreEntities { XCTAssertEqual(try count(e), 0, e) }
    }

    // MARK: Usage errors and clean stdout

    func testUsageErrorsExitTwoAndTouchNothing() throws {
        let cases: [[String]] = [
            ["--bogus"],
            ["-c"],
            ["--format", "xml", "-c", "count customer"],
            ["run"],
            ["-c", "count customer", "run", "x.crm"],
            ["list", "customer"],
            ["--db"],
            ["demo", "0"],
        ]
        for args in cases {
            let r = try sandbox.crm(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r)")
            XCTAssertEqual(r.stdout, "", "\(args): \(r)")
            XCTAssertTrue(r.stderr.hasPrefix("crm: "), "\(args): \(r)")
        }
        XCTAssertTrue(try sandbox.crm(["--bogus"]).stderr.contains("usage: crm"))
        XCTAssertTrue(try sandbox.crm(["--format", "xml", "-c", "count customer"]).stderr
            .contains("unknown format 'xml'; use one of: table, vertical, csv, json, ndjson, markdown"))
        XCTAssertFalse(sandbox.exists("test.sqlite"), "a usage error must not create the database")
    }

    func testHelpAndVersionGoToStdout() throws {
        let help = try sandbox.crm(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("--keep-going"), help.description)
        let version = try sandbox.crm(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("crm "), version.description)
    }

    func testCSVOutputIsCleanAndErrorsGoToStderr() throws {
        try ok("add customer name=\"Wang, Fang\" city=上海", "add customer name=李雷 notes=\"say \\\"hi\\\"\"")
        let r = try sandbox.crm(["--format", "csv", "--keep-going",
                                 "-c", "list customer order by id", "-c", "list custmer", "-c", "count customer"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stdout, """
            id,name,phone,email,city,stage,value_class,owner
            1,"Wang, Fang",,,上海,potential,,
            2,李雷,,,,potential,,
            2

            """)
        XCTAssertEqual(r.stderrLines, ["-c:2: unknown entity 'custmer' (did you mean 'customer'?)"])
    }

    func testJSONOutputParses() throws {
        try seed()
        let r = try ok("list customer where city in (上海, Boston) order by id", options: ["--format", "json"])
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: r.stdoutData) as? [[String: Any]], r.stdout)
        XCTAssertEqual(rows.map { $0["name"] as? String }, ["王芳", "Alice Wang"])
        XCTAssertEqual(rows.first?["id"] as? Int, 1)
        let nd = try ok("list customer order by id", options: ["--format", "ndjson"])
        XCTAssertEqual(nd.stdoutLines.count, 3)
        for line in nd.stdoutLines {
            XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
        }
    }

    // MARK: Where the database is

    func testDbFlagCreatesTheFolderAndAPrivateFile() throws {
        let path = sandbox.path("nested/deeper/shop.sqlite")
        let r = try sandbox.run(["--db", path, "-c", "add customer name=A"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(try permissions(path), 0o600)
        let again = try sandbox.run(["--db", path, "-c", "count customer"])
        XCTAssertEqual(again.stdout, "1\n")
    }

    func testDbFlagRelativePathIsInTheWorkingDirectory() throws {
        let r = try sandbox.run(["--db", "rel/x.sqlite", "-c", "count customer"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(sandbox.exists("rel/x.sqlite"))
        XCTAssertEqual(try permissions(sandbox.path("rel/x.sqlite")), 0o600)
    }

    func testCRMDBEnvironmentVariable() throws {
        let path = sandbox.root + "/from-env/env.sqlite"
        let r = try sandbox.run(["-c", "add customer name=A"], environment: ["CRM_DB": path])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(try permissions(path), 0o600)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.dataHome + "/crm/crm.sqlite"))
        // --db wins over $CRM_DB.
        let other = sandbox.path("flag.sqlite")
        let f = try sandbox.run(["--db", other, "-c", "count customer"], environment: ["CRM_DB": path])
        XCTAssertEqual(f.stdout, "0\n", f.description)
        let e = try sandbox.run(["-c", "count customer"], environment: ["CRM_DB": path])
        XCTAssertEqual(e.stdout, "1\n", e.description)
    }

    func testMemoryDatabase() throws {
        let r = try sandbox.run(["--db", ":memory:", "-c", "add customer name=A", "-c", "count customer"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdout, "1\n1\n")
        XCTAssertFalse(sandbox.exists(":memory:"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.dataHome + "/crm/crm.sqlite"))
        let again = try sandbox.run(["--db", ":memory:", "-c", "count customer"])
        XCTAssertEqual(again.stdout, "0\n", "an in-memory database starts empty every time")
    }

    func testDefaultLocationIsUnderXDGDataHome() throws {
        let r = try sandbox.run(["-c", "add customer name=A"], environment: ["CRM_DB": nil])
        XCTAssertEqual(r.status, 0, r.description)
        let path = sandbox.dataHome + "/crm/crm.sqlite"
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "expected \(path)")
        XCTAssertEqual(try permissions(path), 0o600)
        let again = try sandbox.run(["-c", "count customer"], environment: ["CRM_DB": nil])
        XCTAssertEqual(again.stdout, "1\n")
    }

    func testDefaultLocationWithoutXDGDataHomeIsInHome() throws {
        let r = try sandbox.run(["-c", "count customer"], environment: ["CRM_DB": nil, "XDG_DATA_HOME": nil])
        XCTAssertEqual(r.status, 0, r.description)
        let path = sandbox.home + "/.local/share/crm/crm.sqlite"
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "expected \(path)")
        XCTAssertEqual(try permissions(path), 0o600)
    }

    // MARK: Audit

    func testHistoryNamesTheUserFromFlagAndEnvironment() throws {
        try ok("add customer name=王芳 city=上海")                       // CRM_USER=tester from the sandbox
        let flag = try sandbox.crm(["--user", "李娜", "-c", "update customer 1 set city=北京"])
        XCTAssertEqual(flag.stdout, "updated 1 customer\n", flag.description)
        let env = try sandbox.crm(["-c", "update customer 1 set city=深圳"], environment: ["CRM_USER": "王经理"])
        XCTAssertEqual(env.stdout, "updated 1 customer\n", env.description)
        let both = try sandbox.crm(["--user=ops", "-c", "update customer 1 set stage=growth"],
                                   environment: ["CRM_USER": "ignored"])
        XCTAssertEqual(both.status, 0, both.description)

        let h = try ok("history customer 1", options: ["--format", "csv"])
        let rows = cells(h)
        XCTAssertEqual(rows.first, ["at", "user", "via", "action", "field", "old", "new"])
        let body = rows.dropFirst().map { Array($0.prefix(7)) }
        XCTAssertEqual(body.count, 4, h.description)
        XCTAssertEqual(body.map { $0[1] }, ["tester", "李娜", "王经理", "ops"])
        XCTAssertEqual(body.map { $0[3] }, ["create", "update", "update", "update"])
        XCTAssertEqual(body[1], ["2026-11-22T10:00:00Z", "李娜", "", "update", "city", "上海", "北京"])
        XCTAssertEqual(body[2], ["2026-11-22T10:00:00Z", "王经理", "", "update", "city", "北京", "深圳"])
        XCTAssertEqual(body[3], ["2026-11-22T10:00:00Z", "ops", "", "update", "stage", "potential", "growth"])
    }

    func testHistoryKeepsDeletedValues() throws {
        try ok("add customer name=A", "add task customer=1 title=call", "delete task 1")
        let h = try ok("history task 1", options: ["--format", "csv"])
        XCTAssertEqual(h.stdoutLines.count, 3, h.description)
        XCTAssertTrue(h.stdoutLines.last?.contains("delete") ?? false, h.description)
        XCTAssertTrue(h.stdoutLines.last?.contains("call") ?? false, h.description)
    }

    // MARK: Bad input: a clear error and nothing written

    func testBadInputGivesAClearErrorAndWritesNothing() throws {
        try seed()
        let audited = [("customer", 1), ("customer", 2), ("user", 1), ("ticket", 1)]
        let before = try snapshot(history: audited)
        let cases: [(String, String)] = [
            ("add custmer name=x", "unknown entity 'custmer' (did you mean 'customer'?)"),
            ("list custmer", "unknown entity 'custmer' (did you mean 'customer'?)"),
            ("add customer nmae=x", "customer has no field 'nmae' (did you mean 'name'?)"),
            ("update customer 1 set ctiy=北京", "customer has no field 'ctiy' (did you mean 'city'?)"),
            ("list customer where nmae = x", "customer has no field 'nmae' (did you mean 'name'?)"),
            ("update ticket 1 set satisfaction=abc", "ticket.satisfaction: 'abc' is not valid, expected a whole number"),
            ("add customer name=x birthday=notadate",
             "customer.birthday: 'notadate' is not valid, expected a date like 2026-11-22, today, -7d or +2w"),
            ("add deal customer=1 title=x amount=abc",
             "deal.amount: 'abc' is not valid, expected an amount with at most 2 decimal places"),
            ("add customer city=上海", "customer.name is required"),
            ("add customer name=", "customer.name is required"),
            ("add user name=张伟", "user.name '张伟' is already taken by user 1"),
            ("update user 2 set name=张伟", "user.name '张伟' is already taken by user 1"),
            ("add customer name=x stage=bogus",
             "customer.stage: 'bogus' is not allowed, expected one of: \(Self.stageValues)"),
            ("update ticket where status = open set priority=asap",
             "ticket.priority: 'asap' is not allowed, expected one of: low, normal, high, urgent"),
            ("add customer name=\"unterminated", "unterminated quote"),
            ("list customer where name = \"unterminated", "unterminated quote"),
        ]
        for (command, message) in cases {
            let r = try sandbox.crm(commands: command)
            XCTAssertEqual(r.status, 1, "\(command): \(r)")
            XCTAssertEqual(r.stdout, "", "\(command): \(r)")
            XCTAssertEqual(r.stderrLines, ["-c:1: " + message], command)
        }
        XCTAssertEqual(try snapshot(history: audited), before)
    }

    func testUnterminatedQuoteInAFileNamesTheLine() throws {
        try sandbox.write("add customer name=ok\nadd customer name=\"oops\nadd customer name=C\n", to: "u.crm")
        let r = try sandbox.crm(["run", "u.crm"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stderrLines, ["u.crm:2: unterminated quote"])
        XCTAssertEqual(try count("customer"), 1)
    }

    func testDeleteIsRefusedWhileReferencedSayingWhich() throws {
        try seed()
        let before = try snapshot(history: [("customer", 1)])
        let r = try sandbox.crm(commands: "delete customer 1")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderrLines.count, 1, r.description)
        let message = r.stderrLines.first ?? ""
        XCTAssertTrue(message.hasPrefix("-c:1: cannot delete customer 1: still referenced by "), message)
        for which in ["contact", "task", "deal"] { XCTAssertTrue(message.contains(which), "\(which) not named: \(message)") }
        XCTAssertFalse(message.contains("ticket"), "customer 1 has no ticket: \(message)")
        XCTAssertEqual(try snapshot(history: [("customer", 1)]), before)

        // A single reference, exactly.
        let one = try sandbox.crm(commands: "delete customer 2")
        XCTAssertEqual(one.stderrLines, ["-c:1: cannot delete customer 2: still referenced by 1 ticket (ticket.customer)"])
        // Unreferenced: deleted.
        let ok3 = try ok("delete customer 3")
        XCTAssertEqual(ok3.stdout, "deleted customer 3\n")
        XCTAssertEqual(try count("customer"), 2)
        let gone = try sandbox.crm(commands: "show customer 3")
        XCTAssertEqual(gone.status, 1)
        XCTAssertEqual(gone.stderrLines, ["-c:1: customer 3 does not exist"])
    }

    // MARK: Import and export

    static let mixedCSV = """
        name,phone,city,stage
        王芳,13800001111,上海,growth
        Bob,,Boston,nope
        李雷,13900002222,北京
        Carol,abc!,Paris,potential
        Dan,,,

        """

    func testImportPutsGoodRowsInAndRejectsBadRowsBesideTheInput() throws {
        try sandbox.write(Self.mixedCSV, to: "in/customers.csv")
        let r = try sandbox.crm(commands: "import customer in/customers.csv")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderrLines, [
            "in/customers.csv:3: customer.stage: 'nope' is not allowed, expected one of: \(Self.stageValues)",
            "in/customers.csv:4: expected 4 columns, found 3",
            "in/customers.csv:5: customer.phone: 'abc!' does not match the pattern [0-9+()\\- ]{3,40}",
            "-c:1: in/customers.csv: imported 2 customer, rejected 3 (written to in/customers.rejects.csv)",
        ])
        XCTAssertEqual(sandbox.read("in/customers.rejects.csv"), """
            name,phone,city,stage
            Bob,,Boston,nope
            李雷,13900002222,北京
            Carol,abc!,Paris,potential

            """)
        let list = try ok("list customer order by id", options: ["--format", "csv"])
        XCTAssertEqual(list.stdoutLines, [
            "id,name,phone,email,city,stage,value_class,owner",
            "1,王芳,13800001111,,上海,growth,,",
            "2,Dan,,,,potential,,",
        ])
    }

    func testAtomicImportIsAllOrNothing() throws {
        try sandbox.write(Self.mixedCSV, to: "customers.csv")
        let r = try sandbox.crm(["--atomic", "-c", "import customer customers.csv"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(r.stderr.contains("customers.csv:3: "), r.description)
        XCTAssertTrue(r.stderr.contains("customers.csv:4: expected 4 columns, found 3"), r.description)
        XCTAssertTrue(r.stderr.contains("customers.csv:5: "), r.description)
        XCTAssertTrue(r.stderr.contains("nothing was imported"), r.description)
        XCTAssertEqual(try count("customer"), 0)
        XCTAssertFalse(sandbox.exists("customers.rejects.csv"), "--atomic writes no reject file")

        try sandbox.write("name,city\nA,上海\nB,北京\n", to: "good.csv")
        let good = try sandbox.crm(["--atomic", "-c", "import customer good.csv"])
        XCTAssertEqual(good.status, 0, good.description)
        XCTAssertEqual(good.stdout, "imported 2 customer\n")
        XCTAssertEqual(try count("customer"), 2)
    }

    func testImportWithMap() throws {
        try sandbox.write("姓名,手机,备注\n王芳,13800001111,skip me\n", to: "leads.csv")
        let r = try ok("import customer leads.csv map 姓名=name 手机=phone 备注=-")
        XCTAssertEqual(r.stdout, "imported 1 customer\n")
        XCTAssertEqual(try count("customer", where: "name = 王芳 and phone = 13800001111 and notes is null"), 1)
    }

    func testExportToCSVAndJSON() throws {
        try seed()
        // A folder that does not exist: the error names the file asked for, and nothing is left behind.
        let noFolder = try sandbox.crm(commands: "export customer to out/sh.json")
        XCTAssertEqual(noFolder.status, 1, noFolder.description)
        XCTAssertEqual(noFolder.stderrLines, ["-c:1: cannot write out/sh.json: No such file or directory"])
        try FileManager.default.createDirectory(atPath: sandbox.path("out"), withIntermediateDirectories: true)

        let r = try ok("export customer order by id to all.csv", "export customer where city = 上海 to out/sh.json")
        XCTAssertEqual(r.stdout, "exported 3 customer to all.csv\nexported 1 customer to out/sh.json\n")
        let csv = try XCTUnwrap(sandbox.read("all.csv"))
        let lines = csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first,
                       "id,kind,name,phone,email,address,city,source,owner,stage,value_class,birthday,tier,tags,notes,created,updated")
        XCTAssertEqual(lines.count, 4, csv)
        XCTAssertTrue(lines[1].hasPrefix("1,person,王芳,13800001111,,,上海,"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("2,person,Alice Wang,,alice@example.com,,Boston,"), lines[2])

        let json = try XCTUnwrap(FileManager.default.contents(atPath: sandbox.path("out/sh.json")))
        let objects = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [[String: Any]])
        XCTAssertEqual(objects.count, 1)
        XCTAssertEqual(objects.first?["name"] as? String, "王芳")
        XCTAssertEqual(objects.first?["stage"] as? String, "growth")
        XCTAssertEqual(objects.first?["id"] as? Int, 1)

        // Money keeps its exact digits.
        try ok("export deal to deals.json")
        let deals = try XCTUnwrap(sandbox.read("deals.json"))
        XCTAssertTrue(deals.contains("12345.67"), deals)

        // What is exported imports back.
        let other = sandbox.path("copy.sqlite")
        let back = try sandbox.run(["--db", other, "-c", "import customer all.csv", "-c", "count customer where city = 乌鲁木齐"])
        XCTAssertEqual(back.status, 0, back.description)
        XCTAssertEqual(back.stdout, "imported 3 customer\n1\n")
    }

    func testExportToAnUnknownExtensionFailsAndWritesNoFile() throws {
        try seed()
        let r = try sandbox.crm(commands: "export customer to out.txt")
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertEqual(r.stderrLines, ["-c:1: cannot tell the format of 'out.txt': use a .csv, .xlsx, .json or .ndjson file"])
        XCTAssertFalse(sandbox.exists("out.txt"))
        XCTAssertFalse(sandbox.exists("out.txt.partial"))
    }

    // MARK: Reading

    func testFindTwoCharacterChineseName() throws {
        try ok("add customer name=王芳 phone=13800001111",
               "add customer name=王芳芳 email=wff@example.cn",
               "add customer name=李王 phone=13900000000",
               "add customer name=芳王",
               "add contact customer=4 name=王芳华 phone=13700000000")
        let r = try ok("find 王芳", options: ["--format", "csv"])
        XCTAssertEqual(r.stdoutLines, [
            "entity,id,name,phone,email",
            "customer,1,王芳,13800001111,",
            "customer,2,王芳芳,,wff@example.cn",
            "contact,1,王芳华,13700000000,",
        ])
        let phone = try ok("find 1380000", options: ["--format", "csv"])
        XCTAssertEqual(cells(phone).dropFirst().map { $0[2] }, ["王芳"])
        let none = try ok("find 张三", options: ["--format", "csv"])
        XCTAssertEqual(none.stdoutLines.count, 1, none.description)
    }

    func testShowCustomerIsTheWholePicture() throws {
        try seed()
        try ok("add interaction customer=1 kind=call by=张伟 summary=首次电话",
               "add task customer=1 title=已完成的任务 status=done",
               "add deal customer=1 title=丢掉的单 stage=lost",
               "add ticket customer=1 kind=fault title=打印机坏了 priority=high",
               "add ticket customer=1 kind=request title=已关闭 status=closed",
               "add customer name=别人",
               "add task customer=4 title=别人的任务")
        let r = try ok("show customer 1")
        let out = r.stdout
        XCTAssertTrue(out.hasPrefix("customer 1: 王芳\n"), out)
        for expected in ["13800001111", "上海", "growth",
                         "Contacts (1)", "王小明", "采购经理",
                         "Latest interactions (1)", "首次电话",
                         "Open tasks (1)", "回访报价",
                         "Open deals (1)", "年度合同", "12345.67",
                         "Open tickets (1)", "打印机坏了"] {
            XCTAssertTrue(out.contains(expected), "missing \(expected):\n\(out)")
        }
        for unexpected in ["已完成的任务", "丢掉的单", "已关闭", "别人的任务", "late delivery"] {
            XCTAssertFalse(out.contains(unexpected), "\(unexpected) is not open or not this customer's:\n\(out)")
        }
        let missing = try sandbox.crm(commands: "show customer 99")
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderrLines, ["-c:1: customer 99 does not exist"])
    }

    func testDemoFillsEveryEntity() throws {
        let r = try sandbox.crm(["demo"], timeout: 300)
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(r.stdout.hasPrefix("demo data: "), r.description)
        XCTAssertTrue(r.stdout.contains("300 customers"), r.description)
        for e in Self.coreEntities { XCTAssertGreaterThan(try count(e), 0, e) }
        XCTAssertEqual(try count("customer"), 300)
        // Chinese and English names both.
        let names = try ok("list customer", options: ["--format", "csv"])
        let all = cells(names).dropFirst().map { $0.count > 1 ? $0[1] : "" }
        XCTAssertTrue(all.contains { $0.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }, "no Chinese name")
        XCTAssertTrue(all.contains { $0.unicodeScalars.first.map { ("A"..."Z").contains(Character($0)) } ?? false },
                      "no English name")
        // A second demo on the same database is refused, keeping the data as it is.
        let again = try sandbox.crm(["demo"], timeout: 300)
        XCTAssertEqual(again.status, 1, again.description)
        XCTAssertTrue(again.stderr.contains("already has customers"), again.description)
        XCTAssertEqual(try count("customer"), 300)
    }

    func testCJKTableBordersLineUp() throws {
        try ok("add customer name=王芳 city=上海 phone=13800001111",
               "add customer name=\"Alice Wang\" city=Boston email=alice@example.com",
               "add customer name=欧阳娜娜 city=乌鲁木齐 email=nn@例子.cn",
               "add customer name=Ｆｕｌｌ宽 city=x")
        let r = try ok("list customer order by id", "find 王", options: ["--format", "table"])
        var tables: [[String]] = [[]]
        for line in r.stdoutLines {
            if line.hasPrefix("(") { tables.append([]) } else { tables[tables.count - 1].append(line) }
        }
        tables.removeAll { $0.isEmpty }
        XCTAssertEqual(tables.count, 2, r.stdout)
        for table in tables {
            XCTAssertGreaterThanOrEqual(table.count, 3, r.stdout)
            let header = borderColumns(table[0], separators: ["|"])
            XCTAssertFalse(header.isEmpty, r.stdout)
            XCTAssertEqual(borderColumns(table[1], separators: ["+"]), header, "separator:\n\(r.stdout)")
            XCTAssertTrue(table[1].allSatisfy { $0 == "-" || $0 == "+" }, table[1])
            for row in table.dropFirst(2) {
                XCTAssertEqual(borderColumns(row, separators: ["|"]), header, "row \(row):\n\(r.stdout)")
            }
        }
        // The widest CJK cell sets the column: 乌鲁木齐 is 8 columns wide.
        let cityHeader = try XCTUnwrap(tables[0].first)
        XCTAssertTrue(cityHeader.contains("| city     |"), cityHeader)
    }

    func testVerticalAndMarkdownFormats() throws {
        try ok("add customer name=王芳 city=上海")
        let v = try ok("list customer", options: ["--format", "vertical"])
        XCTAssertTrue(v.stdout.contains("王芳"), v.description)
        let md = try ok("list customer", options: ["--format", "markdown"])
        XCTAssertTrue(md.stdoutLines.first?.hasPrefix("|") ?? false, md.description)
        XCTAssertTrue(md.stdout.contains("| 王芳"), md.description)
    }
}
