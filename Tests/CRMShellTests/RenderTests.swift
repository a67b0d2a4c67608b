import CRMCore
@testable import CRMShell
import Foundation
import XCTest

final class RenderTests: XCTestCase {
    // MARK: helpers

    func render(_ output: Output, _ format: OutputFormat, width: Int? = nil, color: Bool = false) -> String {
        Renderer.render(output, options: RenderOptions(format: format, terminalWidth: width, color: color))
    }

    func lines(_ text: String) -> [String] {
        var parts = text.components(separatedBy: "\n")
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    /// Display columns (0-based) at which `mark` occurs in a line.
    func columns(of mark: Character, in line: String) -> [Int] {
        var result: [Int] = []
        var column = 0
        for c in line {
            if c == mark { result.append(column) }
            column += DisplayWidth.of(c)
        }
        return result
    }

    static let money = Column("amount", label: "Amount", numeric: true)

    /// Customers with Chinese, English and mixed names.
    let customers = ResultTable(
        columns: [Column("id", numeric: true), Column("name", label: "姓名"), Column("city", label: "City"), money],
        rows: [
            [.integer(1), .text("王芳"), .text("上海"), .decimal(Fixed(units: 10, scale: 2))],
            [.integer(22), .text("Alice Smith"), .text("New York"), .decimal(Fixed(units: 123_456_789, scale: 2))],
            [.integer(333), .text("欧阳娜娜 Nana"), .text("北京市海淀区"), .null],
            [.integer(4), .text("Zoë"), .text("東京"), .decimal(Fixed(units: -5, scale: 2))],
        ])

    // MARK: DisplayWidth

    func testDisplayWidth_asciiIsOneColumnEach() {
        XCTAssertEqual(DisplayWidth.of("abc 123"), 7)
        XCTAssertEqual(DisplayWidth.of(""), 0)
    }

    func testDisplayWidth_cjkIsTwoColumns() {
        XCTAssertEqual(DisplayWidth.of("王芳"), 4)
        XCTAssertEqual(DisplayWidth.of("北京市海淀区"), 12)
        XCTAssertEqual(DisplayWidth.of("東京"), 4)
        XCTAssertEqual(DisplayWidth.of("한국"), 4)
        XCTAssertEqual(DisplayWidth.of("カタカナ"), 8)
        XCTAssertEqual(DisplayWidth.of("王芳 Wang"), 9)
    }

    func testDisplayWidth_cjkPunctuationAndFullWidthFormsAreTwoColumns() {
        XCTAssertEqual(DisplayWidth.of("，。、"), 6)
        XCTAssertEqual(DisplayWidth.of("ＡＢ"), 4)
        XCTAssertEqual(DisplayWidth.of("\u{3000}"), 2)
    }

    func testDisplayWidth_halfWidthKatakanaIsOneColumn() {
        XCTAssertEqual(DisplayWidth.of("ｱｲ"), 2)
    }

    func testDisplayWidth_combiningMarksTakeNoColumn() {
        XCTAssertEqual(DisplayWidth.of("e\u{301}"), 1)
        XCTAssertEqual(DisplayWidth.of("Zoe\u{308}"), 3)
        XCTAssertEqual(DisplayWidth.of("a\u{301}\u{302}\u{303}"), 1)
        XCTAssertEqual(DisplayWidth.of("\u{301}"), 0)
    }

    func testDisplayWidth_zeroWidthAndControlCharacters() {
        XCTAssertEqual(DisplayWidth.of("a\u{200B}b"), 2)
        XCTAssertEqual(DisplayWidth.of("\u{1B}"), 0)
    }

    func testDisplayWidth_emojiIsTwoColumns() {
        XCTAssertEqual(DisplayWidth.of("👍"), 2)
        XCTAssertEqual(DisplayWidth.of("🚀"), 2)
        XCTAssertEqual(DisplayWidth.of("🥰"), 2)
        XCTAssertEqual(DisplayWidth.of("👍🏽"), 2, "skin tone modifier joins the emoji")
        XCTAssertEqual(DisplayWidth.of("👨‍👩‍👧"), 2, "ZWJ family sequence is one glyph")
        XCTAssertEqual(DisplayWidth.of("❤️"), 2, "VS16 asks for emoji presentation")
        XCTAssertEqual(DisplayWidth.of("🇨🇳"), 2, "a flag")
        XCTAssertEqual(DisplayWidth.of("ok👍"), 4)
    }

    func testDisplayWidth_textPresentationSymbolsAreOneColumn() {
        XCTAssertEqual(DisplayWidth.of("☃"), 1)
        XCTAssertEqual(DisplayWidth.of("…"), 1)
        XCTAssertEqual(DisplayWidth.of("é"), 1)
    }

    func testTruncate_cutsToWidthWithEllipsis() {
        XCTAssertEqual(DisplayWidth.truncate("abcdef", to: 4), "abc…")
        XCTAssertEqual(DisplayWidth.truncate("abcdef", to: 6), "abcdef")
        XCTAssertEqual(DisplayWidth.truncate("abc", to: 10), "abc")
        XCTAssertEqual(DisplayWidth.truncate("abcdef", to: 1), "…")
        XCTAssertEqual(DisplayWidth.truncate("abcdef", to: 0), "")
    }

    func testTruncate_neverSplitsAWideCharacterOrOverflows() {
        XCTAssertEqual(DisplayWidth.truncate("王芳芳芳", to: 5), "王芳…")
        XCTAssertEqual(DisplayWidth.truncate("王芳芳芳", to: 4), "王…")
        XCTAssertEqual(DisplayWidth.truncate("王芳", to: 1), "…")
        for width in 0...12 {
            for s in ["北京市海淀区中关村", "a王b芳c", "👍🏽👍🏽👍🏽👍🏽", "e\u{301}e\u{301}e\u{301}e\u{301}"] {
                XCTAssertLessThanOrEqual(DisplayWidth.of(DisplayWidth.truncate(s, to: width)), width, "\(s) to \(width)")
            }
        }
    }

    func testTruncate_keepsCombiningMarksWithTheirLetter() {
        XCTAssertEqual(DisplayWidth.truncate("e\u{301}e\u{301}e\u{301}", to: 2), "e\u{301}…")
    }

    func testPad_usesDisplayWidth() {
        XCTAssertEqual(DisplayWidth.pad("王", to: 4), "王  ")
        XCTAssertEqual(DisplayWidth.pad("王", to: 4, right: true), "  王")
        XCTAssertEqual(DisplayWidth.pad("abcdef", to: 3), "abcdef")
    }

    // MARK: table

    func testTable_bordersLineUpWithChineseCells() {
        let out = render(.table(customers), .table)
        let body = lines(out)
        XCTAssertEqual(body.count, 1 + 1 + 4 + 1)
        let expected = columns(of: "+", in: body[1])
        XCTAssertEqual(expected.count, 3)
        for line in [body[0]] + body[2...5] {
            XCTAssertEqual(columns(of: "|", in: line), expected, "misaligned: \(line)")
        }
    }

    func testTable_exactLayout() {
        let t = ResultTable(columns: [Column("name", label: "姓名"), Column("n", label: "N", numeric: true)],
                            rows: [[.text("王芳"), .integer(7)], [.text("Li"), .integer(123)]])
        XCTAssertEqual(render(.table(t), .table), """
             姓名 | N
            ------+-----
             王芳 |   7
             Li   | 123
            (2 rows)

            """)
    }

    func testTable_footerCountsRows() {
        let one = ResultTable(columns: [Column("a")], rows: [[.text("x")]])
        let none = ResultTable(columns: [Column("a")], rows: [])
        XCTAssertEqual(lines(render(.table(customers), .table)).last, "(4 rows)")
        XCTAssertEqual(lines(render(.table(one), .table)).last, "(1 row)")
        XCTAssertEqual(lines(render(.table(none), .table)), [" a", "---", "(0 rows)"])
    }

    func testTable_titleComesFirst() {
        let t = ResultTable(title: "Open deals", columns: [Column("a")], rows: [[.text("x")]])
        XCTAssertEqual(lines(render(.table(t), .table)).first, "Open deals")
    }

    func testTable_numericColumnsAlignRight() {
        let out = lines(render(.table(customers), .table))
        // The id column is right-aligned: "  1" and "333" end in the same column.
        XCTAssertTrue(out[2].hasPrefix("   1 |"), out[2])
        XCTAssertTrue(out[4].hasPrefix(" 333 |"), out[4])
    }

    func testTable_newlinesAndTabsInCellsStayOnOneLine() {
        let t = ResultTable(columns: [Column("notes")], rows: [[.text("a\nb\r\nc\td")]])
        XCTAssertEqual(lines(render(.table(t), .table))[2], " a b c d")
    }

    func testTable_linesHaveNoTrailingSpaces() {
        for line in lines(render(.table(customers), .table)) {
            XCTAssertFalse(line.hasSuffix(" "), "trailing space: '\(line)'")
        }
    }

    func testTable_truncatesToTheTerminalWidth() {
        let long = String(repeating: "很长的备注", count: 20)
        let t = ResultTable(columns: [Column("id", numeric: true), Column("name"), Column("notes")],
                            rows: [[.integer(1), .text("王芳"), .text(long)],
                                   [.integer(2), .text("Alice"), .text("short")]])
        let out = lines(render(.table(t), .table, width: 40))
        for line in out {
            XCTAssertLessThanOrEqual(DisplayWidth.of(line), 40, line)
        }
        XCTAssertTrue(out[2].hasSuffix("…"), out[2])
        XCTAssertTrue(out[2].contains("王芳"), "short cells are not cut: \(out[2])")
        let expected = columns(of: "+", in: out[1])
        for line in [out[0], out[2], out[3]] {
            XCTAssertEqual(columns(of: "|", in: line), expected, "misaligned: \(line)")
        }
    }

    func testTable_truncationKeepsChineseAlignedAtOddWidths() {
        let t = ResultTable(columns: [Column("a"), Column("b")],
                            rows: [[.text("北京市海淀区中关村大街"), .text("x")], [.text("abcdefghijklmnopqrstu"), .text("y")]])
        for width in [20, 21, 22, 23, 24] {
            let out = lines(render(.table(t), .table, width: width))
            let expected = columns(of: "+", in: out[1])
            for line in [out[0], out[2], out[3]] {
                XCTAssertEqual(columns(of: "|", in: line), expected, "width \(width): \(line)")
                XCTAssertLessThanOrEqual(DisplayWidth.of(line), width, "width \(width): \(line)")
            }
        }
    }

    func testTable_withoutTerminalWidthNothingIsCut() {
        let long = String(repeating: "x", count: 500)
        let t = ResultTable(columns: [Column("notes")], rows: [[.text(long)]])
        XCTAssertTrue(render(.table(t), .table).contains(long))
    }

    func testTable_colorOnlyWhenAsked() {
        XCTAssertFalse(render(.table(customers), .table).contains("\u{1B}"))
        XCTAssertTrue(render(.table(customers), .table, color: true).contains("\u{1B}[1m"))
    }

    // MARK: machine formats never cut

    func testMachineFormats_neverTruncate() {
        let long = String(repeating: "很长的备注", count: 40)
        let t = ResultTable(columns: [Column("notes")], rows: [[.text(long)]])
        for format in [OutputFormat.csv, .json, .ndjson, .markdown] {
            let out = render(.table(t), format, width: 20)
            XCTAssertTrue(out.contains(long), "\(format) cut the value")
            XCTAssertFalse(out.contains("…"), "\(format) added an ellipsis")
        }
        let record = RecordView(fields: [(name: "notes", label: "Notes", value: .text(long))])
        for format in [OutputFormat.csv, .json, .ndjson] {
            XCTAssertTrue(render(.record(record), format, width: 20).contains(long), "\(format) cut the record")
        }
    }

    // MARK: csv

    func testCSV_headerUsesFieldNamesAndQuotesWhatNeedsIt() {
        let t = ResultTable(columns: [Column("name", label: "姓名"), Column("notes")],
                            rows: [[.text("王芳"), .text("a,b")],
                                   [.text("say \"hi\""), .text("line1\nline2")],
                                   [.text(" padded "), .text("cr\rhere")],
                                   [.text("plain"), .null]])
        XCTAssertEqual(render(.table(t), .csv), """
            name,notes
            王芳,"a,b"
            "say ""hi""\","line1
            line2"
            " padded ","cr\rhere"
            plain,

            """)
    }

    func testCSV_valuesAreMachineReadable() {
        let t = ResultTable(columns: [Column("active"), Column("at"), Column("amount")],
                            rows: [[.bool(true), .datetime("2026-11-22T10:00:00Z"), .decimal(Fixed(units: 10, scale: 2))]])
        XCTAssertEqual(lines(render(.table(t), .csv))[1], "true,2026-11-22T10:00:00Z,0.10")
    }

    func testCSV_roundTripsThroughTheReader() throws {
        let tricky = ["a,b", "say \"hi\"", "l1\nl2", "王芳", "", " x "]
        let t = ResultTable(columns: tricky.indices.map { Column("c\($0)") }, rows: [tricky.map { .text($0) }])
        let reader = CSVReader(data: Array(render(.table(t), .csv).utf8))
        _ = try reader.next()
        XCTAssertEqual(try reader.next()?.fields, tricky)
    }

    // MARK: json and ndjson

    func testJSON_moneyIsExact() {
        let t = ResultTable(columns: [Column("amount", numeric: true)],
                            rows: [[.decimal(Fixed(units: 10, scale: 2))],
                                   [.decimal(Fixed(units: 123_456_789_012_345_678, scale: 2))],
                                   [.decimal(Fixed(units: -5, scale: 2))]])
        XCTAssertEqual(render(.table(t), .json), """
            [
              {"amount":0.10},
              {"amount":1234567890123456.78},
              {"amount":-0.05}
            ]

            """)
        XCTAssertEqual(render(.table(t), .ndjson), """
            {"amount":0.10}
            {"amount":1234567890123456.78}
            {"amount":-0.05}

            """)
    }

    func testJSON_isValidAndTyped() throws {
        let t = ResultTable(columns: [Column("id"), Column("name"), Column("active"), Column("due"), Column("extra"), Column("nothing")],
                            rows: [[.integer(7), .text("王\"芳\"\n\\"), .bool(false), .date("2026-11-22"), .json("{\"k\":[1,2]}"), .null]])
        let data = Data(render(.table(t), .json).utf8)
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        XCTAssertEqual(parsed.count, 1)
        XCTAssertEqual(parsed[0]["id"] as? Int, 7)
        XCTAssertEqual(parsed[0]["name"] as? String, "王\"芳\"\n\\")
        XCTAssertEqual(parsed[0]["active"] as? Bool, false)
        XCTAssertEqual(parsed[0]["due"] as? String, "2026-11-22")
        XCTAssertEqual((parsed[0]["extra"] as? [String: Any])?["k"] as? [Int], [1, 2])
        XCTAssertTrue(parsed[0]["nothing"] is NSNull)
    }

    func testJSON_controlCharactersAreEscaped() {
        let t = ResultTable(columns: [Column("s")], rows: [[.text("a\u{1}b\u{2028}c")]])
        XCTAssertEqual(lines(render(.table(t), .ndjson)), [#"{"s":"a\u0001b\u2028c"}"#])
    }

    func testJSON_emptyTableIsAnEmptyArray() {
        XCTAssertEqual(render(.table(ResultTable(columns: [Column("a")], rows: [])), .json), "[]\n")
        XCTAssertEqual(render(.table(ResultTable(columns: [Column("a")], rows: [])), .ndjson), "")
    }

    func testJSON_keysAreFieldNamesInColumnOrder() {
        let t = ResultTable(columns: [Column("z", label: "Zed"), Column("a", label: "姓名")], rows: [[.integer(1), .integer(2)]])
        XCTAssertEqual(render(.table(t), .ndjson), "{\"z\":1,\"a\":2}\n")
    }

    func testJSON_recordIsOneObject() throws {
        let r = RecordView(title: "customer 1", fields: [(name: "name", label: "Name", value: .text("王芳")),
                                                          (name: "amount", label: "Amount", value: .decimal(Fixed(units: 10, scale: 2)))])
        XCTAssertEqual(render(.record(r), .json), "{\n  \"name\": \"王芳\",\n  \"amount\": 0.10\n}\n")
        XCTAssertEqual(render(.record(r), .ndjson), "{\"name\":\"王芳\",\"amount\":0.10}\n")
    }

    func testJSON_sectionsAreOneValidObject() throws {
        let r = RecordView(title: "profile", fields: [(name: "name", label: "Name", value: .text("王芳"))])
        let t = ResultTable(title: "deals", columns: [Column("amount")], rows: [[.decimal(Fixed(units: 10, scale: 2))]])
        let out = render(.sections([.record(r), .table(t), .message("no open tickets"), .none]), .json)
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], out)
        XCTAssertEqual((parsed["profile"] as? [String: Any])?["name"] as? String, "王芳")
        XCTAssertEqual((parsed["deals"] as? [[String: Any]])?.count, 1)
        XCTAssertEqual(parsed["section3"] as? String, "no open tickets")
        XCTAssertTrue(parsed["section4"] is NSNull)
        XCTAssertTrue(out.contains("\"amount\":0.10"), out)
    }

    // MARK: markdown

    func testMarkdown_escapesPipesAndAlignsNumbers() {
        let t = ResultTable(title: "Deals", columns: [Column("name", label: "姓名"), Self.money],
                            rows: [[.text("a|b"), .decimal(Fixed(units: 10, scale: 2))],
                                   [.text("two\nlines"), .null]])
        XCTAssertEqual(render(.table(t), .markdown), """
            **Deals**

            | 姓名 | Amount |
            |---|---:|
            | a\\|b | 0.10 |
            | two<br>lines |  |

            """)
    }

    // MARK: vertical and records

    func testVertical_oneBlockPerRowWithAlignedLabels() {
        let t = ResultTable(columns: [Column("id"), Column("name", label: "姓名"), Column("city", label: "所在城市")],
                            rows: [[.integer(1), .text("王芳"), .text("上海")], [.integer(2), .text("Li"), .null]])
        let out = lines(render(.table(t), .vertical))
        XCTAssertEqual(out, [
            "-[ RECORD 1 ]---",
            "id       | 1",
            "姓名     | 王芳",
            "所在城市 | 上海",
            "-[ RECORD 2 ]---",
            "id       | 2",
            "姓名     | Li",
            "所在城市 |",
        ])
        for line in out where !line.hasPrefix("-[") {
            XCTAssertEqual(columns(of: "|", in: line), [9], line)
        }
    }

    func testVertical_emptyTableSaysSo() {
        XCTAssertEqual(render(.table(ResultTable(columns: [Column("a")], rows: [])), .vertical), "(0 rows)\n")
    }

    func testVertical_truncatesLongValuesToTheTerminal() {
        let long = String(repeating: "很长", count: 50)
        let t = ResultTable(columns: [Column("notes")], rows: [[.text(long)]])
        for line in lines(render(.table(t), .vertical, width: 30)) {
            XCTAssertLessThanOrEqual(DisplayWidth.of(line), 30, line)
        }
    }

    func testRecord_tableModeLabelsPaddedByDisplayWidth() {
        let r = RecordView(title: "customer 1", fields: [(name: "name", label: "姓名", value: .text("王芳")),
                                                          (name: "city", label: "City", value: .text("上海")),
                                                          (name: "phone", label: "电话号码", value: .null)])
        XCTAssertEqual(render(.record(r), .table), """
            customer 1
            姓名      王芳
            City      上海
            电话号码

            """)
    }

    func testRecord_csvHasFieldAndValueColumns() {
        let r = RecordView(fields: [(name: "name", label: "姓名", value: .text("王, 芳")), (name: "active", label: "Active", value: .bool(true))])
        XCTAssertEqual(render(.record(r), .csv), "field,value\nname,\"王, 芳\"\nactive,true\n")
    }

    func testMessage_isOneLine() {
        XCTAssertEqual(render(.message("42"), .table), "42\n")
        XCTAssertEqual(render(.message("42"), .csv), "42\n")
        XCTAssertEqual(render(.none, .table), "")
    }

    func testMessage_inJSONIsAnObject() throws {
        XCTAssertEqual(render(.message("42"), .json), "{\"value\": 42}\n")
        XCTAssertEqual(render(.message("imported 3 customer"), .ndjson), "{\"message\": \"imported 3 customer\"}\n")
        let quoted = render(.message("say \"hi\"\n王芳"), .json)
        let parsed = try JSONSerialization.jsonObject(with: Data(quoted.utf8)) as? [String: String]
        XCTAssertEqual(parsed?["message"], "say \"hi\"\n王芳")
    }

    func testOutputFormat_namesIgnoreCase() {
        XCTAssertEqual(OutputFormat(text: "NDJSON"), .ndjson)
        XCTAssertEqual(OutputFormat(text: "Markdown"), .markdown)
        XCTAssertNil(OutputFormat(text: "xml"))
    }

    // MARK: fitting the terminal

    /// A deal list as wide as the real one: text, money and a date in each row.
    func wideDeals() -> ResultTable {
        ResultTable(columns: [Column("id", numeric: true), Column("customer"), Column("title"), Column("stage"),
                              Column("amount", numeric: true), Column("expected_close"), Column("owner"), Column("notes")],
                    rows: [[.integer(1), .text("12 上海恒通国际贸易有限公司"), .text("年度框架协议续签与扩容"), .text("negotiation"),
                            .decimal(Fixed(units: 2322045, scale: 2)), .date("2026-12-31"), .text("3 李娜"),
                            .text("客户要求在年底前完成合同签署，并希望增加售后服务条款")],
                           [.integer(2), .text("7 Alice"), .text("Pilot"), .text("won"),
                            .decimal(Fixed(units: 150000, scale: 2)), .date("2027-01-15"), .text("4 王强"), .null]])
    }

    func testTable_rowThatCannotFitGoesVerticalWithNothingCut() {
        let out = render(.table(wideDeals()), .table, width: 60)
        XCTAssertTrue(out.contains("-[ RECORD 1 ]"), out)
        XCTAssertTrue(out.contains("23220.45"), "money is whole: \(out)")
        XCTAssertTrue(out.contains("2026-12-31"), "the date is whole: \(out)")
        for line in lines(out) { XCTAssertLessThanOrEqual(DisplayWidth.of(line), 60, line) }
    }

    func testTable_cutsOnlyTextToFit() {
        let out = lines(render(.table(wideDeals()), .table, width: 100))
        XCTAssertTrue(out[1].hasPrefix("----"), "still a table at 100 columns: \(out)")
        for line in out { XCTAssertLessThanOrEqual(DisplayWidth.of(line), 100, line) }
        XCTAssertTrue(out[2].contains("23220.45") && out[2].contains("2026-12-31"), out[2])
        XCTAssertTrue(out[2].contains("…"), "long text is cut: \(out[2])")
        let expected = columns(of: "+", in: out[1])
        for line in [out[0], out[2], out[3]] {
            XCTAssertEqual(columns(of: "|", in: line), expected, "misaligned: \(line)")
        }
    }

    func testTable_phoneNumbersAndShortTextStayWhole() {
        let t = ResultTable(columns: [Column("name"), Column("phone"), Column("stage"), Column("notes")],
                            rows: [[.text("王芳"), .text("+86 138-0013-8000"), .text("development"),
                                    .text(String(repeating: "很长的备注", count: 20))]])
        let out = lines(render(.table(t), .table, width: 70))
        XCTAssertTrue(out[1].hasPrefix("---"), "a table: \(out)")
        XCTAssertTrue(out[2].contains("+86 138-0013-8000") && out[2].contains("development"), out[2])
        XCTAssertTrue(out[2].hasSuffix("…"), out[2])
    }

    func testTable_expandedOffStaysATableAndOnIsAlwaysVertical() {
        let off = Renderer.render(.table(wideDeals()), options: RenderOptions(format: .table, terminalWidth: 60, expanded: .off))
        XCTAssertFalse(off.contains("RECORD"), off)
        XCTAssertTrue(off.contains("23220.45") && off.contains("2026-12-31"), "a table too wide still cuts no number: \(off)")
        XCTAssertTrue(off.contains("客户要求在年底前完成合同签署，并希望增加售后服务条款"), "nor any text: \(off)")
        let small = ResultTable(columns: [Column("id", numeric: true), Column("name")], rows: [[.integer(1), .text("王芳")]])
        let on = Renderer.render(.table(small), options: RenderOptions(format: .table, terminalWidth: 120, expanded: .on))
        XCTAssertTrue(on.hasPrefix("-[ RECORD 1 ]"), on)
        XCTAssertTrue(render(.table(small), .table, width: 120).hasPrefix(" id | name"), "auto keeps a table that fits")
    }

    func testTable_withoutATerminalNeverGoesVertical() {
        let out = render(.table(wideDeals()), .table)
        XCTAssertFalse(out.contains("RECORD"), out)
        XCTAssertTrue(out.contains("客户要求在年底前完成合同签署，并希望增加售后服务条款"), out)
    }

    func testVerticalAndRecord_cutTextButNeverDates() {
        let long = String(repeating: "很长的备注", count: 40)
        let t = ResultTable(columns: [Column("due"), Column("notes")], rows: [[.date("2026-12-31"), .text(long)]])
        let out = render(.table(t), .vertical, width: 12)
        XCTAssertTrue(out.contains("2026-12-31"), out)
        XCTAssertTrue(out.contains("…"), out)
        let r = RecordView(fields: [(name: "when", label: "A rather long label", value: .datetime("2026-11-22T10:00:00Z"))])
        XCTAssertTrue(render(.record(r), .table, width: 20).contains("2026-11-22 10:00"), render(.record(r), .table, width: 20))
    }

    // MARK: sections

    func testSections_csvKeepsTheSectionNames() {
        let profile = RecordView(title: "customer 1: 王芳", fields: [(name: "name", label: "Name", value: .text("王芳"))])
        let contacts = ResultTable(title: "Contacts (1)", columns: [Column("id"), Column("name")], rows: [[.integer(4), .text("李娜")]])
        let tasks = ResultTable(title: "Open tasks (0)", columns: [Column("id"), Column("title")], rows: [])
        XCTAssertEqual(render(.sections([.record(profile), .table(contacts), .table(tasks)]), .csv), """
            customer 1: 王芳
            field,value
            name,王芳

            Contacts (1)
            id,name
            4,李娜

            Open tasks (0)
            id,title

            """)
    }
}
