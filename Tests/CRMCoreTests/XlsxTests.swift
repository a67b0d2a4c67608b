@testable import CRMCore
import CRMTestSupport
import Foundation
import XCTest
import ZIPFoundation

/// The .xlsx writer and reader: typed cells both ways, Excel's escapes and date systems,
/// and clear errors for files that are not workbooks.
final class XlsxTests: XCTestCase {
    var folder: String!

    override func setUp() { folder = TestSupport.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    func rows(_ path: String) throws -> [([String], Int)] {
        let reader = try XlsxReader(path: path)
        var out: [([String], Int)] = []
        while let r = try reader.next() { out.append((r.fields, r.line)) }
        return out
    }

    func testWrittenCellsReadBackAsTheTextAnImportParses() throws {
        let path = folder + "/t.xlsx"
        try XlsxWriter.write(header: ["name", "n", "amount", "rate", "day", "at", "vip", "notes"], rows: [
            [.text("欧阳娜娜"), .integer(42), .decimal(Fixed(units: 123_456_789, scale: 2)), .decimal(Fixed(units: 15, scale: 3)),
             .date("2026-11-22"), .datetime("2026-11-22T09:30:00Z"), .bool(true), .text(" a <b> & \"c\"\nline 2 ")],
            [.text("x_x0041_y\u{0B}"), .null, .null, .null, .null, .null, .bool(false), .null],
        ], sheetName: "customer", to: path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial.sheet.xml"))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let rs = try rows(path)
        XCTAssertEqual(rs.map(\.1), [1, 2, 3])
        XCTAssertEqual(rs[0].0, ["name", "n", "amount", "rate", "day", "at", "vip", "notes"])
        let local = DateCodec.localDisplay(utc: "2026-11-22T09:30:00Z") + ":00"
        XCTAssertEqual(rs[1].0, ["欧阳娜娜", "42", "1234567.89", "0.015", "2026-11-22", local, "true", " a <b> & \"c\"\nline 2 "])
        XCTAssertEqual(rs[2].0, ["x_x0041_y\u{0B}", "", "", "", "", "", "false"])
    }

    func testCellsAreTyped_numbersDatesAndBooleansAreNotText() throws {
        let path = folder + "/typed.xlsx"
        try XlsxWriter.write(header: ["amount", "day", "vip"], rows: [[.decimal(Fixed(units: 150, scale: 2)), .date("2026-11-22"), .bool(true)]],
                             sheetName: "deal", to: path)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        var xml = Data()
        _ = try archive.extract(archive["xl/worksheets/sheet1.xml"]!) { xml.append($0) }
        let sheet = String(decoding: xml, as: UTF8.self)
        XCTAssertTrue(sheet.contains(#"<c r="A2" s="4"><v>1.50</v></c>"#), sheet)
        XCTAssertTrue(sheet.contains(#"<c r="B2" s="2"><v>46348</v></c>"#), sheet)  // 2026-11-22 as a 1900-system serial
        XCTAssertTrue(sheet.contains(#"<c r="C2" t="b"><v>1</v></c>"#), sheet)
        var styles = Data()
        _ = try archive.extract(archive["xl/styles.xml"]!) { styles.append($0) }
        XCTAssertTrue(String(decoding: styles, as: UTF8.self).contains(#"formatCode="yyyy-mm-dd""#))
    }

    func testTooLongText_isRefusedNamingTheRowAndColumn_andLeavesNoFile() throws {
        let path = folder + "/long.xlsx"
        XCTAssertThrowsError(try XlsxWriter.write(header: ["a", "b"], rows: [[.text("ok"), .text(String(repeating: "字", count: 40_000))]],
                                                  sheetName: "x", to: path)) { error in
            XCTAssertEqual((error as? SpreadsheetError)?.row, 2)
            XCTAssertTrue("\(error)".contains("column B"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
    }

    func testSerialDates_1900Bug_1904System_andTimes() {
        XCTAssertEqual(SpreadsheetDates.text(serial: 1, date1904: false, withTime: false), "1900-01-01")
        XCTAssertEqual(SpreadsheetDates.text(serial: 59, date1904: false, withTime: false), "1900-02-28")
        XCTAssertEqual(SpreadsheetDates.text(serial: 61, date1904: false, withTime: false), "1900-03-01")
        XCTAssertEqual(SpreadsheetDates.text(serial: 46348, date1904: false, withTime: false), "2026-11-22")
        XCTAssertEqual(SpreadsheetDates.text(serial: 0, date1904: true, withTime: false), "1904-01-01")
        XCTAssertEqual(SpreadsheetDates.text(serial: 46348.75, date1904: false, withTime: false), "2026-11-22 18:00:00")
        XCTAssertEqual(SpreadsheetDates.text(serial: 46348, date1904: false, withTime: true), "2026-11-22 00:00:00")
        XCTAssertEqual(SpreadsheetDates.serial(days: DateCodec.days(ofDate: "2026-11-22")!), 46348)
    }

    func testFormatCodes_tellDatesFromNumbers() {
        XCTAssertTrue(SpreadsheetDates.kind(ofFormat: "yyyy\\-mm\\-dd").date)
        XCTAssertTrue(SpreadsheetDates.kind(ofFormat: "[$-804]yyyy\"年\"m\"月\"d\"日\"").date)
        XCTAssertTrue(SpreadsheetDates.kind(ofFormat: "yyyy-mm-dd hh:mm").time)
        XCTAssertFalse(SpreadsheetDates.kind(ofFormat: "General").date)
        XCTAssertFalse(SpreadsheetDates.kind(ofFormat: "#,##0.00 \"days\"").date)
        XCTAssertFalse(SpreadsheetDates.kind(ofFormat: "[Red]#,##0.00").date)
    }

    func testNumbers_keepTheirDigits_floatArtefactsCutTo15() {
        XCTAssertEqual(XlsxReader.number("1234.5"), "1234.5")
        XCTAssertEqual(XlsxReader.number("13800001111"), "13800001111")
        XCTAssertEqual(XlsxReader.number("0.30000000000000004"), "0.3")
        XCTAssertEqual(XlsxReader.number("1234.5600000000001"), "1234.56")
        XCTAssertEqual(XlsxReader.number("1.5E-3"), "0.0015")
        XCTAssertEqual(XlsxReader.number("2E+3"), "2000")
    }

    func testColumnReferences() {
        XCTAssertEqual(XlsxReader.columnIndex("A1"), 0)
        XCTAssertEqual(XlsxReader.columnIndex("Z9"), 25)
        XCTAssertEqual(XlsxReader.columnIndex("AA10"), 26)
        XCTAssertEqual(XlsxWriter.columnName(27), "AB")
        XCTAssertEqual(XlsxWriter.columnName(16_383), "XFD")
    }

    /// A workbook written by hand the way Excel does: shared strings with rich runs and
    /// phonetic guides, a sparse row, a formula, a prefixed namespace, a blank row.
    func testExcelStyleWorkbook_sharedStringsSparseCellsAndFormulas() throws {
        let path = folder + "/excel.xlsx"
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        func add(_ name: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { p, n in
                data.subdata(in: Int(p)..<(Int(p) + n))
            }
        }
        try add("[Content_Types].xml", "<Types/>")
        try add("_rels/.rels", #"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)
        try add("xl/workbook.xml", #"<x:workbook xmlns:x="m" xmlns:r="r"><x:workbookPr/><x:sheets><x:sheet name="名单" sheetId="1" r:id="rId7"/><x:sheet name="other" sheetId="2" r:id="rId8"/></x:sheets></x:workbook>"#)
        try add("xl/_rels/workbook.xml.rels", #"<Relationships><Relationship Id="rId8" Type="…/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId7" Type="…/worksheet" Target="/xl/worksheets/sheet1.xml"/><Relationship Id="rId9" Type="…/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId10" Type="…/styles" Target="styles.xml"/></Relationships>"#)
        try add("xl/sharedStrings.xml", #"<sst><si><t>name</t></si><si><t>phone</t></si><si><t>city</t></si><si><r><t>张</t></r><r><rPr><b/></rPr><t>伟</t></r><rPh><t>ちょう</t></rPh></si><si><t>北京 &amp; 天津</t></si></sst>"#)
        try add("xl/styles.xml", #"<styleSheet><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>"#)
        try add("xl/worksheets/sheet1.xml", """
            <x:worksheet xmlns:x="m"><x:sheetData>
            <x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="D1" t="str"><x:v>birthday</x:v></x:c></x:row>
            <x:row r="2"><x:c r="A2" t="s"><x:v>3</x:v></x:c><x:c r="C2" t="s"><x:v>4</x:v></x:c><x:c r="D2" s="1"><x:f>DATE(1990,5,1)</x:f><x:v>32994</x:v></x:c></x:row>
            <x:row r="3"/>
            <x:row r="5"><x:c r="A5" t="inlineStr"><x:is><x:t>李娜</x:t></x:is></x:c><x:c r="B5"><x:v>13800001111</x:v></x:c></x:row>
            </x:sheetData></x:worksheet>
            """)
        try add("xl/worksheets/sheet2.xml", "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>wrong sheet</t></is></c></row></sheetData></worksheet>")
        let rs = try rows(path)
        XCTAssertEqual(rs.map(\.0), [["name", "phone", "city", "birthday"], ["张伟", "", "北京 & 天津", "1990-05-01"], ["李娜", "13800001111"]])
        XCTAssertEqual(rs.map(\.1), [1, 2, 5])
    }

    func testFilesThatAreNotWorkbooks_getClearErrors() throws {
        func error(_ bytes: [UInt8]) -> String {
            let path = folder + "/\(UUID().uuidString).xlsx"
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            do {
                _ = try XlsxReader(path: path)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(error(Array("name,phone\n".utf8)), "not an .xlsx workbook (an .xlsx is a zip file; this one is not)")
        let encrypted = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 100)
            + "EncryptionInfo".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        XCTAssertTrue(error(encrypted).contains("password-protected"), error(encrypted))
        XCTAssertTrue(error([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]).contains("(.xls)"))
        XCTAssertTrue(error([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]).contains("the zip cannot be read"))
        // A real zip that is not a workbook.
        let path = folder + "/plain.xlsx"
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        let data = Data("hello".utf8)
        try archive.addEntry(with: "hello.txt", type: .file, uncompressedSize: Int64(5), compressionMethod: .none) { (p: Int64, n: Int) in data.subdata(in: Int(p)..<(Int(p) + n)) }
        XCTAssertThrowsError(try XlsxReader(path: path)) { XCTAssertEqual("\($0)", "not an .xlsx workbook (it has no xl/workbook.xml)") }
    }
}
