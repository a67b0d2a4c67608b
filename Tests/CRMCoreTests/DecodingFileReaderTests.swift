@testable import CRMCore
import CRMTestSupport
import Foundation
import XCTest

/// CSV files in the encodings Excel and Windows save: read as UTF-8 below the parser,
/// with the file's own line numbers.
final class DecodingFileReaderTests: XCTestCase {
    var folder: String!

    override func setUp() { folder = TestSupport.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// 张伟 and 北京 in GB18030 (as `iconv -t GB18030` writes them).
    static let zhangWei: [UInt8] = [0xD5, 0xC5, 0xCE, 0xB0]
    static let beijing: [UInt8] = [0xB1, 0xB1, 0xBE, 0xA9]

    func file(_ bytes: [UInt8]) -> String {
        let path = folder + "/\(UUID().uuidString).csv"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func records(_ path: String, encoding: TextEncoding? = nil, chunk: Int = CSVReader.defaultChunk) throws -> [([String], Int)] {
        let reader = try CSVReader(path: path, encoding: encoding, chunkSize: chunk)
        var out: [([String], Int)] = []
        while let r = try reader.next() { out.append((r.fields, r.line)) }
        return out
    }

    func gb18030CSV() -> [UInt8] {
        Array("name,city\n".utf8) + Self.zhangWei + [0x2C] + Self.beijing + Array("\nAlice,Paris\n".utf8)
    }

    /// The guess reads on until the bytes settle it: a first non-ASCII byte at the very end
    /// of a chunk is guessed as it is with the whole file in hand.
    func testTheGuess_doesNotDependOnWhereAChunkEnds() throws {
        // Two bytes that pass for one UTF-8 character, ASCII past the chunk end, then 张伟 in
        // GB18030: the file is GB18030 however it is cut.
        let mixed = file(Array("name\nCaf".utf8) + [0xC3, 0xA9] + Array(" ........ ".utf8) + Self.zhangWei + [0x0A])
        let whole = try records(mixed)
        XCTAssertEqual(whole.count, 2)
        XCTAssertTrue(whole[1].0[0].hasSuffix("张伟"), "\(whole)")
        for chunk in 4...16 {
            XCTAssertEqual(try records(mixed, chunk: chunk).map(\.0), whole.map(\.0), "chunk \(chunk)")
        }
        // é, ASCII past the chunk end, then 张 in UTF-8: UTF-8 whatever the chunk.
        let utf8 = file(Array("name\nCaf\u{E9} ........................ \u{5F20}\n".utf8))
        for chunk in [4, 5, 6, 7, 64] {
            XCTAssertEqual(try records(utf8, chunk: chunk).map(\.0), [["name"], ["Caf\u{E9} ........................ \u{5F20}"]], "chunk \(chunk)")
        }
    }

    func testGB18030_isDetectedWhenTheTextIsNotUTF8() throws {
        let rs = try records(file(gb18030CSV()))
        XCTAssertEqual(rs.map(\.0), [["name", "city"], ["张伟", "北京"], ["Alice", "Paris"]])
        XCTAssertEqual(rs.map(\.1), [1, 2, 3])
    }

    func testGB18030_namedExplicitly_andAcrossTinyChunks() throws {
        for chunk in [4, 5, 7, 1 << 20] {
            let rs = try records(file(gb18030CSV()), encoding: .gb18030, chunk: chunk)
            XCTAssertEqual(rs.map(\.0), [["name", "city"], ["张伟", "北京"], ["Alice", "Paris"]], "chunk \(chunk)")
        }
    }

    func testGB18030_afterManyASCIILines_keepsLineNumbers() throws {
        var bytes = Array("name,city\n".utf8)
        for i in 0..<5000 { bytes += Array("p\(i),x\n".utf8) }
        bytes += Self.zhangWei + [0x2C] + Self.beijing + [0x0A]
        let rs = try records(file(bytes), chunk: 1000)
        XCTAssertEqual(rs.last?.0, ["张伟", "北京"])
        XCTAssertEqual(rs.last?.1, 5002)
    }

    func testUTF8_withAndWithoutBOM() throws {
        let text = Array("name,city\n张伟,北京\n".utf8)
        XCTAssertEqual(try records(file(text)).map(\.0), [["name", "city"], ["张伟", "北京"]])
        XCTAssertEqual(try records(file([0xEF, 0xBB, 0xBF] + text)).map(\.0), [["name", "city"], ["张伟", "北京"]])
    }

    func testUTF16_withBOM_littleAndBigEndian() throws {
        let text = "name,city\n张伟,北京\r\n"
        let le: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let be: [UInt8] = [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for bytes in [le, be] {
            for chunk in [5, 1 << 20] {
                let rs = try records(file(bytes), chunk: chunk)
                XCTAssertEqual(rs.map(\.0), [["name", "city"], ["张伟", "北京"]])
                XCTAssertEqual(rs.map(\.1), [1, 2])
            }
        }
    }

    func testNeitherUTF8NorGB18030_isAnErrorWithTheLine() throws {
        let bytes = gb18030CSV() + Array("bad".utf8) + [0xFF, 0xFF] + Array(",x\n".utf8)
        let reader = try CSVReader(path: file(bytes))
        for _ in 0..<3 { XCTAssertNotNil(try reader.next()) }
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? CSVError)?.line, 4, "\(error)")
            XCTAssertTrue("\(error)".contains("neither valid UTF-8 nor gb18030"), "\(error)")
        }
    }

    func testUTF8ThenGB18030_failsAtTheLineWhereItChanges() throws {
        let bytes = Array("name,city\n张伟,北京\n".utf8) + Self.zhangWei + [0x2C] + Self.beijing + [0x0A]
        let reader = try CSVReader(path: file(bytes))
        XCTAssertEqual(try reader.next()?.fields, ["name", "city"])
        XCTAssertEqual(try reader.next()?.fields, ["张伟", "北京"])
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? CSVError)?.line, 3)
            XCTAssertTrue("\(error)".contains("encoding=gb18030"), "\(error)")
        }
    }

    func testOneUTF8CJKCharacterThenABadByte_staysUTF8_soNothingIsGarbled() throws {
        // 张三 in UTF-8, then bytes that are neither: guessing GB18030 would have read 张三
        // as three wrong characters; UTF-8 fails at the line instead.
        let bytes = Array("name\n张三\n".utf8) + [0x62, 0xFF, 0xFE, 0x0A]
        let reader = try CSVReader(path: file(bytes))
        XCTAssertEqual(try reader.next()?.fields, ["name"])
        XCTAssertEqual(try reader.next()?.fields, ["张三"])
        XCTAssertThrowsError(try reader.next()) { XCTAssertEqual(($0 as? CSVError)?.line, 3) }
        XCTAssertEqual(reader.encoding, .utf8)
    }

    func testFileEndingInsideAGB18030Character_isAnError() throws {
        let bytes = Array("name\n".utf8) + Self.zhangWei + [0x0A, 0xD5]
        XCTAssertThrowsError(try records(file(bytes), encoding: .gb18030)) { error in
            XCTAssertTrue("\(error)".contains("ends in the middle"), "\(error)")
        }
    }

    func testEncodingNames() {
        XCTAssertEqual(TextEncoding(name: "GBK"), .gb18030)
        XCTAssertEqual(TextEncoding(name: "gb2312"), .gb18030)
        XCTAssertEqual(TextEncoding(name: "UTF8"), .utf8)
        XCTAssertEqual(TextEncoding(name: "utf-8-bom"), .utf8BOM)
        XCTAssertEqual(TextEncoding(name: "UTF-16"), .utf16LE)
        XCTAssertNil(TextEncoding(name: "latin1"))
    }

    func testEncoder_writesGB18030AcrossChunksThatCutACharacter() throws {
        let encoder = try TextEncoder(.gb18030)
        let utf8 = Array("张伟,北京\n".utf8)
        // Cut inside 张 (3 bytes in UTF-8).
        let out = try encoder.encode(Array(utf8[..<1])) + encoder.encode(Array(utf8[1...]))
        XCTAssertEqual(out, Self.zhangWei + [0x2C] + Self.beijing + [0x0A])
        XCTAssertEqual(try TextEncoder(.utf8BOM).preamble, [0xEF, 0xBB, 0xBF])
    }
}
