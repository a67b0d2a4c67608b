@testable import CRMCore
import CRMTestSupport
import Foundation
import XCTest

final class CSVReaderTests: XCTestCase {
    var folder: String!

    override func setUp() {
        folder = TestSupport.temporaryFolder()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Every record of some CSV text as (fields, line).
    func records(_ text: String) throws -> [([String], Int)] {
        try records(CSVReader(data: Array(text.utf8)))
    }

    func records(_ reader: CSVReader) throws -> [([String], Int)] {
        var out: [([String], Int)] = []
        while let r = try reader.next() { out.append((r.fields, r.line)) }
        return out
    }

    func fields(_ text: String) throws -> [[String]] { try records(text).map(\.0) }
    func lineNumbers(_ text: String) throws -> [Int] { try records(text).map(\.1) }

    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = folder + "/" + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    // MARK: fields

    func testPlainFields() throws {
        XCTAssertEqual(try fields("name,phone\n王芳,13800001111\n"), [["name", "phone"], ["王芳", "13800001111"]])
    }

    func testEmptyFields_areKept() throws {
        XCTAssertEqual(try fields("a,,c\n,,\n"), [["a", "", "c"], ["", "", ""]])
        XCTAssertEqual(try fields("a,b,\n"), [["a", "b", ""]])
    }

    func testLastLineWithoutNewline() throws {
        XCTAssertEqual(try fields("a,b\nc,d"), [["a", "b"], ["c", "d"]])
        XCTAssertEqual(try fields("a,b\nc,"), [["a", "b"], ["c", ""]])
    }

    func testQuotedFields_withCommasAndDoubledQuotes() throws {
        XCTAssertEqual(try fields(#""Smith, John","say ""hi""","""",x"# + "\n"),
                       [["Smith, John", "say \"hi\"", "\"", "x"]])
        XCTAssertEqual(try fields("\"\"\n"), [[""]])
        XCTAssertEqual(try fields("a,\"\"\n"), [["a", ""]])
    }

    func testQuoteInsideAnUnquotedField_isLiteral() throws {
        XCTAssertEqual(try fields("O'Brien,5\" disk,a\"b\n"), [["O'Brien", "5\" disk", "a\"b"]])
    }

    func testSpacesAreKept() throws {
        XCTAssertEqual(try fields(" a , b \n"), [[" a ", " b "]])
    }

    func testChineseUTF8() throws {
        XCTAssertEqual(try fields("姓名,城市\n欧阳娜娜,北京市海淀区\n\"王,芳\",上海\n"),
                       [["姓名", "城市"], ["欧阳娜娜", "北京市海淀区"], ["王,芳", "上海"]])
    }

    func testInvalidUTF8_isAnErrorWithTheLine() throws {
        let reader = CSVReader(data: Array("a,b\n".utf8) + [0x41, 0xFF, 0x42, 0x0A])
        XCTAssertEqual(try reader.next()?.fields, ["a", "b"])
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? CSVError)?.line, 2)
            XCTAssertTrue("\(error)".contains("UTF-8"), "\(error)")
        }
    }

    // MARK: line ends and lines

    func testEmbeddedNewlines_countPhysicalLines() throws {
        let text = "name,notes\n\"王芳\",\"line 1\nline 2\nline 3\"\nAlice,ok\n"
        let rs = try records(text)
        XCTAssertEqual(rs.map(\.0), [["name", "notes"], ["王芳", "line 1\nline 2\nline 3"], ["Alice", "ok"]])
        XCTAssertEqual(rs.map(\.1), [1, 2, 5])
    }

    func testCRLF() throws {
        let rs = try records("a,b\r\nc,d\r\n\"x\r\ny\",z\r\nlast,1\r\n")
        XCTAssertEqual(rs.map(\.0), [["a", "b"], ["c", "d"], ["x\r\ny", "z"], ["last", "1"]])
        XCTAssertEqual(rs.map(\.1), [1, 2, 3, 5])
    }

    func testBareCR() throws {
        let rs = try records("a,b\rc,d\r\"x\ry\",z\rlast,1")
        XCTAssertEqual(rs.map(\.0), [["a", "b"], ["c", "d"], ["x\ry", "z"], ["last", "1"]])
        XCTAssertEqual(rs.map(\.1), [1, 2, 3, 5])
    }

    func testBlankLines_areSkippedButCounted() throws {
        let rs = try records("\n\na,b\n\n\r\nc,d\n\n")
        XCTAssertEqual(rs.map(\.0), [["a", "b"], ["c", "d"]])
        XCTAssertEqual(rs.map(\.1), [3, 6])
    }

    func testEmptyInput() throws {
        XCTAssertEqual(try fields("").count, 0)
        XCTAssertEqual(try fields("\n\n").count, 0)
    }

    // MARK: BOM

    func testBOM_isSkipped() throws {
        let reader = CSVReader(data: [0xEF, 0xBB, 0xBF] + Array("name,phone\n王芳,1\n".utf8))
        let rs = try records(reader)
        XCTAssertEqual(rs.map(\.0), [["name", "phone"], ["王芳", "1"]])
        XCTAssertEqual(rs.map(\.1), [1, 2])
    }

    func testBOM_isSkippedInFiles() throws {
        let path = file("bom.csv", [0xEF, 0xBB, 0xBF] + Array("\"name\",phone\n".utf8))
        XCTAssertEqual(try CSVReader(path: path, chunkSize: Self.smallChunk).next()?.fields, ["name", "phone"])
    }

    func testBOM_onlyAtTheStart() throws {
        let bom = String(decoding: [0xEF, 0xBB, 0xBF], as: UTF8.self)
        XCTAssertEqual(try fields("a\n\(bom)b\n"), [["a"], ["\u{FEFF}b"]])
    }

    // MARK: errors

    func testUnterminatedQuote_namesTheLineWhereTheFieldStarts() throws {
        let reader = CSVReader(data: Array("name,notes\nAlice,ok\nBob,\"never closed\nmore\nand more\n".utf8))
        XCTAssertEqual(try reader.next()?.line, 1)
        XCTAssertEqual(try reader.next()?.line, 2)
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual(error as? CSVError, CSVError("unterminated quoted field", line: 3))
            XCTAssertEqual("\(error)", "line 3: unterminated quoted field")
        }
    }

    func testMissingFile_isAnError() {
        XCTAssertThrowsError(try CSVReader(path: folder + "/nope.csv")) { error in
            XCTAssertTrue("\(error)".contains("nope.csv"), "\(error)")
        }
    }

    // MARK: files and the 1 MiB chunk boundary

    func testFile_readsTheSameAsMemory() throws {
        let text = "姓名,备注\r\n王芳,\"多行\n备注\"\r\n\r\nAlice,\"a,b\"\r\n"
        let path = file("small.csv", Array(text.utf8))
        let fromFile = try records(CSVReader(path: path, chunkSize: Self.smallChunk))
        let fromMemory = try records(text)
        XCTAssertEqual(fromFile.map(\.0), fromMemory.map(\.0))
        XCTAssertEqual(fromFile.map(\.1), fromMemory.map(\.1))
        XCTAssertEqual(fromFile.map(\.1), [1, 2, 5])
    }

    /// A small read size, so that each boundary case costs a few KiB, not a MiB.
    static let smallChunk = 4096

    /// Builds a file whose bytes up to `prefixLength` are filler rows, then `tail`.
    /// Filler rows are `x,<padding>\n`, sized so `tail` starts exactly at `prefixLength`.
    func fileWithTail(at prefixLength: Int, _ tail: [UInt8], name: String) -> (path: String, fillerRows: Int) {
        var bytes = Array("key,value\n".utf8)
        var rows = 0
        let row = Array("x,\(String(repeating: "y", count: 97))\n".utf8)  // 100 bytes
        while bytes.count + row.count * 2 <= prefixLength {
            bytes += row
            rows += 1
        }
        let gap = prefixLength - bytes.count - 3  // "x," + padding + "\n"
        bytes += Array("x,".utf8) + Array(repeating: UInt8(ascii: "z"), count: gap) + [0x0A]
        rows += 1
        precondition(bytes.count == prefixLength)
        return (file(name, bytes + tail), rows)
    }

    func testChunkBoundary_quotedFieldSpanningIt() throws {
        let chunk = Self.smallChunk
        let long = "开始" + String(repeating: "长", count: 1000) + ",\"\"\n结束"
        let encoded = "\"" + long.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let tail = Array("q,\(encoded)\nlast,1\n".utf8)
        let (path, filler) = fileWithTail(at: chunk - 10, tail, name: "span.csv")
        let rs = try records(CSVReader(path: path, chunkSize: Self.smallChunk))
        XCTAssertEqual(rs.count, 1 + filler + 2)
        XCTAssertEqual(rs[rs.count - 2].0, ["q", long])
        XCTAssertEqual(rs[rs.count - 2].1, filler + 2)
        XCTAssertEqual(rs.last?.0, ["last", "1"])
        XCTAssertEqual(rs.last?.1, filler + 4, "the embedded newline counts one physical line")
    }

    func testChunkBoundary_multibyteCharacterSplitAcrossIt() throws {
        // 王 is E7 8E 8B: put its first byte at the last position of the first chunk.
        let chunk = Self.smallChunk
        let (path, filler) = fileWithTail(at: chunk - 3, Array("a,王芳\nb,2\n".utf8), name: "utf8.csv")
        let rs = try records(CSVReader(path: path, chunkSize: Self.smallChunk))
        XCTAssertEqual(rs[1 + filler].0, ["a", "王芳"])
        XCTAssertEqual(rs[2 + filler].0, ["b", "2"])
    }

    func testChunkBoundary_everySplitOfATrickyTail() throws {
        // The tail holds each construct that looks ahead one byte (CRLF, doubled quote,
        // quote then CRLF inside a field); move it across the boundary byte by byte.
        let tail = Array("a,\"x\"\"y\"\r\nb,\"p\r\nq\"\r\n\r\nc,\"\"\"\"\r\nd,end\n".utf8)
        let chunk = Self.smallChunk
        for offset in 1...tail.count {
            let (path, filler) = fileWithTail(at: chunk - offset, tail, name: "tricky\(offset).csv")
            let rs = try records(CSVReader(path: path, chunkSize: Self.smallChunk)).suffix(4)
            XCTAssertEqual(rs.map(\.0), [["a", "x\"y"], ["b", "p\r\nq"], ["c", "\""], ["d", "end"]], "offset \(offset)")
            let first = filler + 2
            XCTAssertEqual(rs.map(\.1), [first, first + 1, first + 4, first + 5], "offset \(offset)")
        }
    }

    func testChunkBoundary_everySplitOfPlainFieldsWithCRLFAndBareCR() throws {
        let tail = Array("a,bb\r\ncc,d\re,王芳\r\n\r\nf,g\n".utf8)
        for offset in 1...tail.count {
            let (path, filler) = fileWithTail(at: Self.smallChunk - offset, tail, name: "plain\(offset).csv")
            let rs = try records(CSVReader(path: path, chunkSize: Self.smallChunk)).suffix(4)
            XCTAssertEqual(rs.map(\.0), [["a", "bb"], ["cc", "d"], ["e", "王芳"], ["f", "g"]], "offset \(offset)")
            let first = filler + 2
            XCTAssertEqual(rs.map(\.1), [first, first + 1, first + 2, first + 4], "offset \(offset)")
        }
    }

    func testChunkBoundary_crlfInsideAQuotedFieldSplitAcrossIt() throws {
        // The CR of a CRLF inside quotes is the last byte of the first chunk.
        let chunk = Self.smallChunk
        let tail = Array("a,\"p\r\nq\"\nb,2\n".utf8)  // CR at index 4
        let (path, filler) = fileWithTail(at: chunk - 4, tail, name: "crlf.csv")
        let rs = try records(CSVReader(path: path, chunkSize: Self.smallChunk))
        XCTAssertEqual(rs[1 + filler].0, ["a", "p\r\nq"])
        XCTAssertEqual(rs[1 + filler].1, filler + 2)
        XCTAssertEqual(rs[2 + filler].1, filler + 4, "CRLF is one line end even across the chunk boundary")
    }

    func testLargeFile_manyChunks() throws {
        var text = "id,name,notes\n"
        let rows = 60_000
        for i in 1...rows { text += "\(i),客户\(i),\"备注, 第\(i)行\"\n" }
        XCTAssertGreaterThan(text.utf8.count, 2 * CSVReader.defaultChunk)
        let reader = try CSVReader(path: file("large.csv", Array(text.utf8)))
        var count = 0
        while let r = try reader.next() {
            if count > 0 {
                XCTAssertEqual(r.fields, ["\(count)", "客户\(count)", "备注, 第\(count)行"])
                XCTAssertEqual(r.line, count + 1)
            }
            count += 1
        }
        XCTAssertEqual(count, rows + 1)
    }
}
