import CRMCore
@testable import CRMShell
import Foundation
import XCTest

/// Issue 13, item 13: control characters never reach the terminal raw; CSV exports are
/// safe to open in a spreadsheet.
final class OutputSafetyTests: XCTestCase {
    func render(_ output: Output, _ format: OutputFormat) -> String {
        Renderer.render(output, options: RenderOptions(format: format, terminalWidth: nil, color: false))
    }

    static let evil = "a\u{1B}]0;pwned\u{07}\u{1B}[31mred\u{9B}2J\u{7F}\u{00}z"
    static let shown = "a\\e]0;pwned\\x07\\e[31mred\\u{9b}2J\\x7f\\x00z"

    func testTerminalSafe_escapesC0DelAndC1() {
        XCTAssertEqual(CellText.terminalSafe(Self.evil), Self.shown)
        XCTAssertEqual(CellText.terminalSafe("上海 plain"), "上海 plain")
        XCTAssertEqual(CellText.display(.text("two\nlines\there")), "two lines here")
    }

    func testTableVerticalShowAndMarkdown_neverCarryAControlCharacter() {
        let table = ResultTable(title: "t \u{1B}[2J", columns: [Column("name")], rows: [[.text(Self.evil)]])
        let record = RecordView(title: "customer 1: \u{1B}]8;;http://x\u{07}", fields: [(name: "name", label: "Name", value: .text(Self.evil))])
        for text in [render(.table(table), .table), render(.table(table), .vertical), render(.table(table), .markdown),
                     render(.record(record), .table)] {
            XCTAssertFalse(text.unicodeScalars.contains { CellText.isControl($0.value) && $0 != "\n" }, text)
            XCTAssertTrue(text.contains(Self.shown), text)
        }
    }

    func testCSVAndJSONOutput_keepTheDataExact() {
        let table = ResultTable(columns: [Column("name")], rows: [[.text("=1+1")], [.text("x\u{1B}y")]])
        XCTAssertEqual(render(.table(table), .csv), "name\n=1+1\nx\u{1B}y\n")
        XCTAssertTrue(render(.table(table), .json).contains("x\\u001by") || render(.table(table), .json).contains("x\\u001By"))
    }

    func testSpreadsheetSafe_prefixesFormulaTextButNotNumbers() {
        for text in ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "\r\nx"] {
            XCTAssertEqual(CellText.spreadsheetSafe(.text(text)), "'" + text, text.debugDescription)
        }
        XCTAssertEqual(CellText.spreadsheetSafe(.text("plain")), "plain")
        XCTAssertEqual(CellText.spreadsheetSafe(.text("")), "")
        XCTAssertEqual(CellText.spreadsheetSafe(.decimal(Fixed(units: -1250, scale: 2))), "-12.50")
        XCTAssertEqual(CellText.spreadsheetSafe(.integer(-3)), "-3")
        let sink = TextSink()
        var writer = makeRowWriter(.csv, sink, neutraliseFormulas: true)
        writer.begin(columns: [Column("name"), Column("amount", numeric: true)])
        writer.write(row: [.text("=HYPERLINK(\"http://x\")"), .decimal(Fixed(units: -1250, scale: 2))])
        writer.finish()
        XCTAssertEqual(sink.text, "name,amount\n\"'=HYPERLINK(\"\"http://x\"\")\",-12.50\n")
    }
}
