import CRMTestSupport
import XCTest

/// What people used to psql expect: a start-up file, \timing, \o, \e, run FILE (and \i,
/// -f), and a question before an update or delete that touches many records.
final class PsqlHabitsTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    /// Writes the start-up file where crm looks for it ($XDG_CONFIG_HOME/crm/crmrc).
    func writeStartupFile(_ text: String) throws {
        try sandbox.write(text, to: sandbox.configHome + "/crm/crmrc")
    }

    /// Starts the prompt on the sandbox database and waits for it.
    func start(_ extra: [String] = [], environment: [String: String?] = [:]) throws -> PseudoTerminal {
        let t = try sandbox.terminal(["--db", sandbox.database] + extra, environment: environment)
        try t.expect("crm:\(sandbox.promptName)> ")
        return t
    }

    func leave(_ t: PseudoTerminal, file: StaticString = #filePath, line: UInt = #line) throws {
        t.send(.ctrlD)
        XCTAssertEqual(try t.waitForExit(), 0, t.text, file: file, line: line)
    }

    /// `n` customers in 上海 (one batch run).
    func addCustomers(_ n: Int, city: String = "上海") throws {
        let lines = (1...n).map { "add customer name=客户\($0) city=\(city)" }.joined(separator: "\n")
        let r = try sandbox.crm(["-X", "run", "-"], stdin: lines + "\n")
        XCTAssertEqual(r.status, 0, r.description)
    }

    // MARK: start-up file

    func testStartupFileRunsBeforeCommands_andDashXSkipsIt() throws {
        try writeStartupFile("# my settings\ntiming on\nformat csv\n")
        try addCustomers(2)
        let r = try sandbox.crm(commands: "list customer order by id limit 1")
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(r.stdout.hasPrefix("id,"), "format csv from the start-up file: \(r.stdout)")
        XCTAssertTrue(r.stderr.contains("Time: "), "timing on from the start-up file: \(r.stderr)")
        // Its own confirmations go to stderr, never into what -c prints.
        XCTAssertFalse(r.stdout.contains("timing on"), r.stdout)

        let skipped = try sandbox.crm(commands: "list customer order by id limit 1", options: ["-X"])
        XCTAssertEqual(skipped.status, 0, skipped.description)
        XCTAssertFalse(skipped.stdout.hasPrefix("id,"), skipped.stdout)
        XCTAssertFalse(skipped.stderr.contains("Time: "), skipped.stderr)
    }

    func testStartupFileErrorNamesFileAndLine_andTheRunStillSucceeds() throws {
        try writeStartupFile("timing on\ntimming off\n")
        let r = try sandbox.crm(commands: "count customer")
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdout, "0\n")
        XCTAssertTrue(r.stderr.contains("crm/crmrc:2: unknown command 'timming'"), r.stderr)
    }

    func testStartupFileRunsBeforeThePrompt() throws {
        try writeStartupFile("format vertical\nconfirm 5\n")
        let t = try start()
        t.sendLine("format")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("format vertical"))
        t.sendLine("confirm")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("confirm above 5 records"))
        try leave(t)
        let plain = try start(["-X"])
        plain.sendLine("format")
        XCTAssertTrue(try plain.expect("crm:\(sandbox.promptName)> ").contains("format table"))
        try leave(plain)
    }

    func testStartupFileWritesAreRolledBackUnderDryRun() throws {
        try writeStartupFile("add customer name=启动\n")
        let r = try sandbox.crm(commands: "count customer", options: ["--dry-run"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(try sandbox.crm(commands: "count customer", options: ["-X"]).stdout, "0\n")
    }

    // MARK: timing

    func testTimingAtThePrompt_andTheBackslashFormToggles() throws {
        let t = try start(["-X"])
        t.sendLine("\\timing")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("timing on"))
        t.sendLine("count customer")
        let timed = try t.expect("crm:\(sandbox.promptName)> ")
        XCTAssertNotNil(timed.range(of: #"Time: \d+\.\d{3} ms"#, options: .regularExpression), timed)
        t.sendLine("timing off")
        _ = try t.expect("crm:\(sandbox.promptName)> ")
        t.sendLine("count customer")
        XCTAssertFalse(try t.expect("crm:\(sandbox.promptName)> ").contains("Time:"))
        try leave(t)
    }

    func testTimingRejectsAnythingButOnOrOff() throws {
        let r = try sandbox.crm(commands: "timing maybe", options: ["-X"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "-c:1: expected on or off after timing, got 'maybe'\n")
    }

    // MARK: output to FILE

    func testOutputToFileThenOff_fileIsPrivate() throws {
        try addCustomers(3)
        let r = try sandbox.crm(commands: "output to out.csv", "format csv", "list customer order by id", "output", "output off",
                                "count customer", "output", options: ["-X"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdout, "3\n", "only what ran after output off reaches stdout")
        XCTAssertEqual(r.stderr, "results go to out.csv (output off to see them here again)\nresults go to out.csv\nresults go to standard output\n")
        let file = try XCTUnwrap(sandbox.read("out.csv"))
        XCTAssertTrue(file.hasPrefix("id,"), file)
        XCTAssertEqual(file.components(separatedBy: "\n").filter { $0.contains("客户") }.count, 3, file)
        let mode = try FileManager.default.attributesOfItem(atPath: sandbox.path("out.csv"))[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testBackslashOAtThePrompt_sendsResultsToTheFileAndBack() throws {
        try addCustomers(2)
        let t = try start(["-X"])
        t.sendLine("\\o counted.txt")
        _ = try t.expect("crm:\(sandbox.promptName)> ")
        t.sendLine("count customer where city = 上海")
        let hidden = try t.expect("crm:\(sandbox.promptName)> ")
        XCTAssertFalse(hidden.contains("\n2\n"), "the count went to the file: \(hidden)")
        t.sendLine("\\o")
        _ = try t.expect("crm:\(sandbox.promptName)> ")
        t.sendLine("count customer")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("\n2\n"))
        try leave(t)
        XCTAssertEqual(sandbox.read("counted.txt"), "2\n")
    }

    func testOutputToTheDatabaseFile_isRefusedAndTheDatabaseStays() throws {
        try addCustomers(2)
        let r = try sandbox.crm(commands: "output to ./test.sqlite", "count customer", options: ["-X"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "-c:1: output to ./test.sqlite: that is the database; results would overwrite it\n")
        XCTAssertEqual(try sandbox.crm(commands: "count customer", options: ["-X"]).stdout, "2\n")
    }

    func testOutputToAFolderThatDoesNotExist_failsNamingIt() throws {
        let r = try sandbox.crm(commands: "output to nowhere/x.txt", "count customer", options: ["-X"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "-c:1: cannot write nowhere/x.txt: No such file or directory\n")
        XCTAssertEqual(r.stdout, "")
    }

    // MARK: run FILE, \i, -f

    func testRunFileInsideACommand_stopsAtTheFirstErrorNamingFileAndLine() throws {
        try sandbox.write("add customer name=甲\nadd customer name=乙\nadd customer nmae=丙\nadd customer name=丁\n", to: "load.crm")
        let r = try sandbox.crm(commands: "run load.crm", "count customer", options: ["-X", "--keep-going"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.contains("load.crm:3: customer has no field 'nmae'"), r.stderr)
        XCTAssertEqual(r.stdoutLines, ["1", "2", "2"], "two added, the file stopped, then the count")
    }

    func testDashFIsRun() throws {
        try sandbox.write("add customer name=甲\ncount customer\n", to: "a.crm")
        try sandbox.write("count customer\n", to: "b.crm")
        let r = try sandbox.crm(["-X", "-f", "a.crm", "-f", "b.crm"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdoutLines, ["1", "1", "1"])
        let missing = try sandbox.crm(["-X", "-f", "nope.crm"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("cannot read nope.crm"), missing.stderr)
    }

    func testDashFUsageErrors() throws {
        for (args, message) in [(["-f"], "crm: -f needs a file: crm -f FILE.crm"),
                                (["-f", "fix.lua"], "crm: -f takes command files; run a Lua script with: crm run fix.lua"),
                                (["-c", "count user", "-f", "a.crm"], "crm: use either -c or run (-f), not both")] {
            let r = try sandbox.crm(args)
            XCTAssertEqual(r.status, 2, r.description)
            XCTAssertEqual(r.stderrLines.first, message)
        }
    }

    func testRunAFileThatRunsItself_stops() throws {
        try sandbox.write("run loop.crm\n", to: "loop.crm")
        let r = try sandbox.crm(commands: "run loop.crm", options: ["-X"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("more than 16 deep"), r.stderr)
    }

    func testBackslashIAtThePromptShowsEachResult() throws {
        try sandbox.write("add customer name=甲\ncount customer\n", to: "two.crm")
        let t = try start(["-X"])
        t.sendLine("\\i two.crm")
        let seen = try t.expect("crm:\(sandbox.promptName)> ")
        XCTAssertTrue(seen.contains("\n1\n1\n"), seen)
        try leave(t)
    }

    // MARK: edit

    func testEditRunsWhatTheEditorSaved_andItJoinsTheHistory() throws {
        // An "editor" that checks it was handed the last command, then writes two commands.
        let editor = try sandbox.write("""
            #!/bin/sh
            grep -q 'count customer' "$1" || exit 3
            printf 'add customer name=编辑 \\\\\\n  city=北京\\ncount customer where city = 北京\\n' > "$1"
            """, to: "editor.sh")
        chmod(editor, 0o755)
        let t = try start(["-X"], environment: ["VISUAL": nil, "EDITOR": editor])
        t.sendLine("count customer")
        _ = try t.expect("crm:\(sandbox.promptName)> ")
        t.sendLine("\\e")
        let seen = try t.expect("crm:\(sandbox.promptName)> ")
        XCTAssertTrue(seen.contains("\n1\n1\n"), "added, then counted in 北京: \(seen)")
        try leave(t)
        let history = try String(contentsOfFile: sandbox.stateHome + "/crm/history", encoding: .utf8)
        XCTAssertTrue(history.contains("北京"), history)
    }

    func testEditWhenTheEditorFails_runsNothing() throws {
        let t = try start(["-X"], environment: ["VISUAL": nil, "EDITOR": "false"])
        t.sendLine("add customer name=不要")
        _ = try t.expect("crm:\(sandbox.promptName)> ")
        t.sendLine("edit")
        let seen = try t.expect("crm:\(sandbox.promptName)> ")
        XCTAssertTrue(seen.contains("error: the editor 'false' exited with status 1; nothing was run"), seen)
        t.sendLine("count customer")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("\n1\n"))
        try leave(t)
    }

    func testEditInBatchMode_isRefused() throws {
        let r = try sandbox.crm(commands: "edit", options: ["-X"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "-c:1: edit works at the interactive prompt only (it opens an editor)\n")
    }

    // MARK: the destructive-command guard

    func testWideUpdateAtThePromptAsks_noLeavesItUnchanged_yesChangesIt() throws {
        try addCustomers(25)
        let t = try start(["-X"])
        t.sendLine("update customer where city = 上海 set city=杭州")
        try t.expect("update 25 customer records (more than 20)? [y/N] ")
        t.sendLine("n")
        let refused = try t.expect("crm:\(sandbox.promptName)> ")
        XCTAssertTrue(refused.contains("update cancelled; nothing was changed"), refused)
        t.sendLine("count customer where city = 杭州")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("\n0\n"))
        t.sendLine("update customer where city = 上海 set city=杭州")
        try t.expect("[y/N] ")
        t.sendLine("y")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("updated 25 customer"))
        // Under the threshold: no question.
        t.sendLine("update customer where name = 客户1 set city=上海")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("updated 1 customer"))
        t.sendLine("confirm 100")
        _ = try t.expect("crm:\(sandbox.promptName)> ")
        t.sendLine("update customer where city = 杭州 set city=上海")
        let unasked = try t.expect("crm:\(sandbox.promptName)> ")
        XCTAssertTrue(unasked.contains("updated 24 customer"), unasked)
        XCTAssertFalse(unasked.contains("[y/N]"), unasked)
        try leave(t)
    }

    func testWideDeleteAtThePromptAsks_ctrlCIsNo() throws {
        try addCustomers(21)
        let t = try start(["-X"])
        t.sendLine("delete customer where city = 上海")
        try t.expect("delete 21 customer records (more than 20)? [y/N] ")
        t.send(.ctrlC)
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("delete cancelled"))
        t.sendLine("count customer")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("\n21\n"))
        try leave(t)
    }

    func testBatchModeNeverAsks() throws {
        try addCustomers(25)
        let r = try sandbox.crm(commands: "update customer where city = 上海 set city=杭州", "delete customer where city = 杭州",
                                "count customer", options: ["-X"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertEqual(r.stdoutLines, ["updated 25 customer", "deleted 25 customer", "0"])
    }

    func testDeleteWhere_refusedForOneDeletesNone() throws {
        try addCustomers(3)
        let r = try sandbox.crm(commands: "add task customer=2 title=回访", "delete customer where city = 上海", options: ["-X"])
        XCTAssertEqual(r.status, 1, r.description)
        XCTAssertTrue(r.stderr.hasPrefix("-c:2: "), r.stderr)
        XCTAssertEqual(try sandbox.crm(commands: "count customer", options: ["-X"]).stdout, "3\n")
    }

    func testConfirmRejectsANonNumber() throws {
        let r = try sandbox.crm(commands: "confirm lots", options: ["-X"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "-c:1: expected a number of records or off after confirm, got 'lots'\n")
    }
}
