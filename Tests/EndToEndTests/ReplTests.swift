import CRMTestSupport
import XCTest

/// The interactive shell driven through a pseudo-terminal, the way a user types at it.
final class ReplTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    /// Starts the shell on `name.sqlite` in the sandbox and waits for its first prompt.
    func start(_ name: String = "shop", environment: [String: String?] = [:]) throws -> PseudoTerminal {
        let t = try sandbox.terminal(["--db", sandbox.path(name + ".sqlite")], environment: environment)
        try t.expect("crm:\(name)> ")
        return t
    }

    /// Ctrl-D at an empty prompt and checks the shell left with status 0.
    func leave(_ t: PseudoTerminal, file: StaticString = #filePath, line: UInt = #line) throws {
        t.send(.ctrlD)
        XCTAssertEqual(try t.waitForExit(), 0, t.text, file: file, line: line)
    }

    func testPromptShowsTheDatabaseName() throws {
        let t = try start("shop")
        t.sendLine("count customer")
        let seen = try t.expect("crm:shop> ")
        XCTAssertTrue(seen.contains("\n0\n"), seen)
        try leave(t)
    }

    func testPromptShowsTheDefaultDatabaseName() throws {
        let t = try sandbox.terminal([])
        try t.expect("crm:crm> ")
        try leave(t)
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox.dataHome + "/crm/crm.sqlite"))
    }

    func testTabCompletesAVerb() throws {
        let t = try start()
        t.send("li")
        t.send(.tab)
        try t.expect("list ")
        // If completion had not happened the line would be "licustomer", an unknown command.
        t.sendLine("customer")
        let seen = try t.expect("crm:shop> ")
        XCTAssertTrue(seen.contains("(0 rows)"), seen)
        XCTAssertFalse(seen.contains("error"), seen)
        try leave(t)
    }

    func testTabCompletesAnEntity() throws {
        let t = try start()
        t.send("list cus")
        t.send(.tab)
        try t.expect("list customer ")
        t.send(.enter)
        let seen = try t.expect("crm:shop> ")
        XCTAssertTrue(seen.contains("(0 rows)"), seen)
        XCTAssertFalse(seen.contains("error"), seen)
        try leave(t)
    }

    func testTabCompletesAFieldAfterWhere() throws {
        let t = try start()
        t.send("count customer where pho")
        t.send(.tab)
        t.sendLine(" is null")
        let seen = try t.expect("crm:shop> ")
        XCTAssertFalse(seen.contains("error"), seen)
        XCTAssertTrue(seen.contains("\n0\n"), seen)
        try leave(t)
    }

    func testChineseLineThenFindShowsTheRow() throws {
        let t = try start()
        t.sendLine("add customer name=王芳 phone=13800000000")
        let added = try t.expect("crm:shop> ")
        XCTAssertTrue(added.contains("\n1\n"), added)
        t.sendLine("find 王芳")
        let found = try t.expect("crm:shop> ")
        XCTAssertTrue(found.contains("王芳"), found)
        XCTAssertTrue(found.contains("13800000000"), found)
        XCTAssertTrue(found.contains("(1 row)"), found)
        try leave(t)
    }

    /// libedit hands the completion hook character offsets, not byte offsets: with Chinese
    /// before the cursor the word being completed must still be found.
    func testTabCompletesAfterChineseText() throws {
        let t = try start()
        t.send("add customer name=王芳 pho")
        t.send(.tab)
        t.sendLine("13800000000")
        let added = try t.expect("crm:shop> ")
        XCTAssertFalse(added.contains("error"), added)
        t.sendLine("list customer where phone = 13800000000")
        let listed = try t.expect("crm:shop> ")
        XCTAssertTrue(listed.contains("王芳"), listed)
        XCTAssertTrue(listed.contains("(1 row)"), listed)
        try leave(t)
    }

    func testEditingChineseWithBackspace() throws {
        let t = try start()
        // Type a wrong last character, erase it (one keystroke for one wide character), fix it.
        t.send("add customer name=王明")
        t.send(.backspace)
        t.sendLine("芳")
        try t.expect("crm:shop> ")
        t.sendLine("find 王芳")
        let found = try t.expect("crm:shop> ")
        XCTAssertTrue(found.contains("(1 row)"), found)
        try leave(t)
    }

    func testCtrlCAbandonsTheLineAndTheShellStays() throws {
        let t = try start()
        t.send("add customer name=不要")
        try t.expect("不要")  // as a user does: Ctrl-C once the text is on screen
        t.send(.ctrlC)
        try t.expect("crm:shop> ")
        XCTAssertTrue(t.isRunning)
        t.sendLine("count customer")
        let seen = try t.expect("crm:shop> ")
        XCTAssertTrue(seen.contains("\n0\n"), "the abandoned line must not run: \(seen)")
        try leave(t)
    }

    /// Typed in one go, as a fast typist does: the keys after Ctrl-C belong to the next
    /// line, which must run (they used to land in the abandoned line, or be flushed).
    func testCtrlCMidLineThenTheNextLineRunsAtOnce() throws {
        let t = try start()
        // A signal would race the keys after it; twenty tries make a lost key show.
        for _ in 1...20 {
            t.send("count user")
            try t.expect("count user")
            t.send("\u{03}" + "count deal\r")
            // The abandoned line's fresh prompt, then the next line's result and prompt.
            var seen = try t.expect("crm:shop> ")
            if !seen.contains("\n0\n") { seen += try t.expect("crm:shop> ") }
            XCTAssertTrue(seen.contains("\n0\n"), seen.debugDescription)
            XCTAssertFalse(seen.contains("error"), seen)
            t.settle(milliseconds: 20)
        }
        t.send("add customer name=甲")
        try t.expect("甲")
        t.send(.ctrlC)
        try t.expect("crm:shop> ")  // a fresh prompt at once
        t.sendLine("count customer")
        let counted = try t.expect("crm:shop> ")
        XCTAssertTrue(counted.contains("\n0\n"), counted.debugDescription)
        try leave(t)
    }

    /// History is saved as each line is entered: a terminal that closes (SIGHUP), a
    /// SIGTERM or a kill -9 keeps every line typed before, and earlier sessions' lines.
    func testHistorySurvivesHangUpTerminateAndKill() throws {
        let historyFile = sandbox.stateHome + "/crm/history"
        var expected: [String] = []
        for (round, signal) in [SIGHUP, SIGTERM, SIGKILL].enumerated() {
            let t = try start()
            let line = "count customer where city = 城\(round)"
            t.sendLine(line)
            try t.expect("crm:shop> ")
            expected.append(line.replacingOccurrences(of: " ", with: "\\040"))
            kill(t.pid, signal)
            let status = try t.waitForExit()
            if signal != SIGKILL { XCTAssertEqual(status, 0, "a hang-up or terminate at the prompt leaves cleanly: \(t.text)") }
            let saved = try String(contentsOfFile: historyFile, encoding: .utf8)
            for e in expected { XCTAssertTrue(saved.contains(e), "after signal \(signal), missing \(e) in:\n\(saved)") }
        }
    }

    func testCtrlCOnAContinuationLineAbandonsTheWholeCommand() throws {
        let t = try start()
        t.sendLine("add customer \\")
        try t.expect("...> ")
        t.send("name=半截")
        try t.expect("半截")
        t.send(.ctrlC)
        try t.expect("crm:shop> ")
        t.sendLine("count customer")
        let seen = try t.expect("crm:shop> ")
        XCTAssertTrue(seen.contains("\n0\n"), seen)
        try leave(t)
    }

    func testContinuationLines() throws {
        let t = try start()
        t.sendLine("add customer \\")
        try t.expect("...> ")
        t.sendLine("name=\"李 娜\" city=上海")
        let added = try t.expect("crm:shop> ")
        XCTAssertTrue(added.contains("\n1\n"), added)
        t.sendLine("add customer name=\"open")
        try t.expect("...> ")
        t.sendLine("quote\"")
        try t.expect("crm:shop> ")
        t.sendLine("count customer")
        let seen = try t.expect("crm:shop> ")
        XCTAssertTrue(seen.contains("\n2\n"), seen)
        try leave(t)
    }

    func testCtrlDExitsWithStatusZero() throws {
        let t = try start()
        t.send(.ctrlD)
        XCTAssertEqual(try t.waitForExit(), 0)
    }

    func testQuitExitsWithStatusZero() throws {
        let t = try start()
        t.sendLine("quit")
        XCTAssertEqual(try t.waitForExit(), 0)
    }

    func testErrorsAtThePromptDoNotEndTheShell() throws {
        let t = try start()
        t.sendLine("list custmer")
        let seen = try t.expect("crm:shop> ")
        XCTAssertTrue(seen.contains("did you mean 'customer'"), seen)
        XCTAssertTrue(t.isRunning)
        try leave(t)
    }

    func testHistoryIsSavedAndLoadsOnTheNextStart() throws {
        let historyFile = sandbox.stateHome + "/crm/history"
        do {
            let t = try start()
            t.sendLine("count customer where city = 上海")
            try t.expect("crm:shop> ")
            t.sendLine("quit")
            XCTAssertEqual(try t.waitForExit(), 0)
        }
        let saved = try String(contentsOfFile: historyFile, encoding: .utf8)
        XCTAssertTrue(saved.contains("count customer where city = 上海") || saved.contains("count\\040customer"), saved)
        let mode = try FileManager.default.attributesOfItem(atPath: historyFile)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)

        let t = try start()
        t.send("\u{1B}[A") // Up: the previous session's line comes back
        try t.expect("count customer where city = 上海")
        t.send(.enter)
        let seen = try t.expect("crm:shop> ")
        XCTAssertTrue(seen.contains("\n0\n"), seen)
        t.sendLine("quit")
        XCTAssertEqual(try t.waitForExit(), 0)
        // Saved again, still loadable: both sessions' lines are there, once each.
        let again = try String(contentsOfFile: historyFile, encoding: .utf8)
        XCTAssertFalse(again.isEmpty)
        let t2 = try start()
        t2.send("\u{1B}[A")
        try t2.expect("count customer where city = 上海")
        t2.send(.ctrlU)
        try leave(t2)
    }

    /// With no locale in the environment (as under cron), a Chinese prompt and Chinese
    /// input must work, not crash libedit.
    func testNoLocaleWithAChinesePromptAndLine() throws {
        let noLocale: [String: String?] = ["LANG": nil, "LC_ALL": nil, "LC_CTYPE": nil, "LANGUAGE": nil]
        let t = try start("客户", environment: noLocale)
        t.sendLine("add customer name=王芳 city=北京")
        let added = try t.expect("crm:客户> ")
        XCTAssertTrue(added.contains("\n1\n"), added)
        t.send("find 王")
        t.send("芳")
        t.send(.enter)
        let found = try t.expect("crm:客户> ")
        XCTAssertTrue(found.contains("王芳"), found)
        XCTAssertTrue(found.contains("(1 row)"), found)
        try leave(t)
    }

    func testPosixLocaleWithAChinesePrompt() throws {
        let t = try start("客户", environment: ["LANG": "C", "LC_ALL": "C", "LC_CTYPE": nil])
        t.sendLine("add customer name=张伟")
        let added = try t.expect("crm:客户> ")
        XCTAssertTrue(added.contains("\n1\n"), added)
        try leave(t)
    }
}
