import CRMTestSupport
import Foundation
import XCTest

/// Output at the prompt, through a pseudo-terminal: tables that fit the window (going
/// vertical when a row cannot fit), and the pager for output taller than the screen, used
/// only when stdout is a terminal.
final class TerminalOutputTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws {
        sandbox = try CRMSandbox(for: self)
        let demo = try sandbox.crm(commands: "demo 30")
        XCTAssertEqual(demo.status, 0, demo.description)
    }
    override func tearDown() { sandbox?.remove() }

    /// Display columns of a line: CJK and full-width forms take two.
    func width(_ line: String) -> Int {
        line.unicodeScalars.reduce(0) { total, s in
            switch s.value {
            case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3,
                 0xF900...0xFAFF, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6: return total + 2
            default: return total + 1
            }
        }
    }

    func start(columns: UInt16 = 80, rows: UInt16 = 200, environment: [String: String?] = [:]) throws -> PseudoTerminal {
        let t = try sandbox.terminal(["--db", sandbox.database], environment: environment, columns: columns, rows: rows)
        try t.expect("crm:\(sandbox.promptName)> ")
        return t
    }

    func leave(_ t: PseudoTerminal, file: StaticString = #filePath, line: UInt = #line) throws {
        t.sendLine("quit")
        XCTAssertEqual(try t.waitForExit(), 0, t.text, file: file, line: line)
    }

    /// A PAGER that notes it ran (in `marker`) and shows what it was given.
    func recordingPager(_ marker: String) -> String { "echo called >> \(sandbox.path(marker)); cat" }

    // MARK: fitting the window

    func testListAt80Columns_goesVerticalWithEveryAmountAndDateWhole() throws {
        let csv = try sandbox.crm(commands: "list deal order by id limit 4", options: ["--format", "csv"])
        let header = csv.stdoutLines[0].components(separatedBy: ",")
        let amount = try XCTUnwrap(header.firstIndex(of: "amount")), close = try XCTUnwrap(header.firstIndex(of: "expected_close"))
        let t = try start()
        t.sendLine("list deal order by id limit 4")
        let seen = try t.expect("crm:\(sandbox.promptName)> ")
        XCTAssertTrue(seen.contains("-[ RECORD 1 ]"), "a deal row cannot fit 80 columns: it is shown vertically\n\(seen)")
        for line in seen.components(separatedBy: "\n") {
            XCTAssertLessThanOrEqual(width(line), 80, "wider than the window: \(line)")
        }
        for row in csv.stdoutLines.dropFirst() {
            let fields = row.components(separatedBy: ",")
            XCTAssertTrue(seen.contains("| " + fields[amount] + "\n"), "amount \(fields[amount]) whole:\n\(seen)")
            XCTAssertTrue(seen.contains("| " + fields[close] + "\n"), "date \(fields[close]) whole:\n\(seen)")
        }
        XCTAssertTrue(seen.contains("| 1 张伟") || seen.contains("owner          | "), "references read 'id title'")
        try leave(t)
    }

    func testListAt80Columns_aTableThatFitsStaysATableAndExpandedSwitches() throws {
        let t = try start()
        t.sendLine("list customer order by id limit 3")
        let table = try t.expect("crm:\(sandbox.promptName)> ")
        XCTAssertTrue(table.contains("(3 rows)") && !table.contains("RECORD"), table)
        for line in table.components(separatedBy: "\n") { XCTAssertLessThanOrEqual(width(line), 80, line) }
        t.sendLine("expanded on")
        try t.expect("crm:\(sandbox.promptName)> ")
        t.sendLine("list customer order by id limit 3")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("-[ RECORD 3 ]"))
        t.sendLine("\\x off")
        try t.expect("crm:\(sandbox.promptName)> ")
        t.sendLine("expanded")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("expanded off"))
        t.sendLine("list deal order by id limit 2")
        XCTAssertFalse(try t.expect("crm:\(sandbox.promptName)> ").contains("RECORD"), "expanded off keeps a table")
        try leave(t)
    }

    // MARK: the pager

    func testLongListAtATerminal_goesThroughThePager() throws {
        let t = try start(columns: 120, rows: 20, environment: ["PAGER": recordingPager("pager.log")])
        t.sendLine("list customer")
        let seen = try t.expect("crm:\(sandbox.promptName)> ")
        XCTAssertTrue(seen.contains("(30 rows)"), "the pager showed the whole list: \(seen)")
        XCTAssertEqual(sandbox.read("pager.log"), "called\n", "33 lines on a 20-line screen go through $PAGER")
        t.sendLine("count customer")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("30"))
        XCTAssertEqual(sandbox.read("pager.log"), "called\n", "short output is printed directly")
        try leave(t)
    }

    func testPagerOff_printsDirectlyAndOnPagesEverything() throws {
        let t = try start(columns: 120, rows: 20, environment: ["PAGER": recordingPager("pager.log")])
        t.sendLine("pager off")
        try t.expect("crm:\(sandbox.promptName)> ")
        t.sendLine("list customer")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("(30 rows)"))
        XCTAssertFalse(sandbox.exists("pager.log"), "pager off")
        t.sendLine("pager on")
        try t.expect("crm:\(sandbox.promptName)> ")
        t.sendLine("count customer")
        try t.expect("crm:\(sandbox.promptName)> ")
        XCTAssertEqual(sandbox.read("pager.log"), "called\n", "pager on pages even short output")
        t.sendLine("pager sometimes")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("pager takes auto, on or off, not 'sometimes'"))
        try leave(t)
    }

    func testPagerIsNotUsedWhenStdoutIsNotATerminal() throws {
        // The prompt with stdout redirected to a file: keys from the terminal, rows to the file.
        let out = sandbox.path("out.txt")
        var environment = sandbox.environment
        environment["TERM"] = "xterm"
        environment["PAGER"] = recordingPager("pager.log")
        let t = try PseudoTerminal(executable: "/bin/sh",
                                   arguments: ["-c", "exec '\(try CRMBinary.path())' --db '\(sandbox.database)' > '\(out)'"],
                                   environment: environment, workingDirectory: sandbox.workingDirectory, columns: 80, rows: 10)
        t.sendLine("list customer")
        t.sendLine("quit")
        XCTAssertEqual(try t.waitForExit(), 0, t.text)
        let written = sandbox.read("out.txt") ?? ""
        XCTAssertTrue(written.contains("(30 rows)"), written)
        XCTAssertFalse(written.contains("RECORD") || written.contains("…"), "piped output is neither cut nor turned: \(written)")
        XCTAssertFalse(sandbox.exists("pager.log"), "no pager when stdout is a file")
        // Nor in batch mode.
        let batch = try sandbox.crm(commands: "list customer", environment: ["PAGER": recordingPager("pager.log")])
        XCTAssertTrue(batch.stdout.contains("(30 rows)"))
        XCTAssertFalse(sandbox.exists("pager.log"), "no pager in batch mode")
    }

    func testDefaultPagerIsLess_quittingItGivesThePromptBack() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/less") else {
            throw skipTest("less is not installed (Debian package less)")
        }
        let t = try start(columns: 120, rows: 20, environment: ["PAGER": nil, "LESS": nil])
        t.sendLine("list customer")
        try t.expect(" id | name")
        t.settle(milliseconds: 300)
        XCTAssertFalse(t.pending.contains("(30 rows)"), "less shows a screenful and waits: \(t.pending)")
        // Ctrl-C belongs to the pager: the shell is still there when it is quit.
        t.send(.ctrlC)
        t.settle(milliseconds: 200)
        t.send("q")
        try t.expect("crm:\(sandbox.promptName)> ")
        t.sendLine("count customer")
        XCTAssertTrue(try t.expect("crm:\(sandbox.promptName)> ").contains("30"))
        try leave(t)
    }
}
