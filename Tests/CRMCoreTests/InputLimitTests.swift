@testable import CRMCore
import CRMTestSupport
import Foundation
import XCTest

/// Issue 13, item 13: NUL bytes and oversized lines, records and values are refused with
/// where they are, and reading stops at the cap instead of filling memory.
final class InputLimitTests: XCTestCase {
    /// A LineReader over bytes written to a pipe by a background thread.
    func lines(_ data: [UInt8], limit: Int = LineReader.maxLineBytes) -> [String] {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let writeEnd = fds[1]
        let writer = Thread {
            data.withUnsafeBytes { p in
                var offset = 0
                while offset < p.count {
                    let n = write(writeEnd, p.baseAddress! + offset, p.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
            close(writeEnd)
        }
        writer.start()
        let reader = LineReader(fd: fds[0], closeAtEnd: true, limit: limit)
        var out: [String] = []
        while let line = reader.next() { out.append(line) }
        return out
    }

    func testLineReader_keepsNULAndStripsLineEnds() {
        XCTAssertEqual(lines(Array("a\u{0}b\r\nc\nlast".utf8)), ["a\u{0}b", "c", "last"])
        XCTAssertEqual(lines(Array("\n\n".utf8)), ["", ""])
        XCTAssertEqual(lines([]), [])
    }

    func testLineReader_cutsALongLineOneBytePastTheLimit_andGoesOn() {
        let long = [UInt8](repeating: 0x78, count: 300_000) + Array("\nnext\n".utf8)
        let got = lines(long, limit: 1000)
        XCTAssertEqual(got.map(\.utf8.count), [1001, 4])
        XCTAssertEqual(got.last, "next")
    }

    func testCSV_NULIsAnErrorWithLineAndColumn() {
        for text in ["name,notes\nok,1\nbad,a\u{0}b\n", "name,notes\nok,1\nbad,\"a\u{0}b\"\n"] {
            let reader = CSVReader(data: Array(text.utf8))
            XCTAssertNotNil(try reader.next())
            XCTAssertNotNil(try reader.next())
            XCTAssertThrowsError(try reader.next()) { error in
                XCTAssertEqual(error as? CSVError,
                               CSVError("a NUL byte in column 2: the file is not text (save it as UTF-8 CSV)", line: 3))
            }
        }
    }

    func testCSV_recordOverTheCapIsAnError() throws {
        let folder = TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/big.csv"
        var data = Data("name,notes\nok,1\nbig,".utf8)
        data.append(Data(repeating: 0x78, count: CSVReader.maxRecordBytes + 10))
        data.append(Data("\n".utf8))
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: data))
        let reader = try CSVReader(path: path, chunkSize: 1 << 16)
        XCTAssertNotNil(try reader.next())
        XCTAssertNotNil(try reader.next())
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual(error as? CSVError, CSVError("the record is longer than the limit of 16 MiB (at column 2)", line: 3))
        }
    }

    func testStore_refusesAValueOverOneMiB_withFieldAndSize() throws {
        let store = try TestSupport.memoryStore()
        let big = String(repeating: "x", count: Validation.maxValueBytes + 1)
        XCTAssertThrowsError(try store.create("customer", values: ["name": .text("a"), "notes": .text(big)])) { error in
            XCTAssertEqual("\(error)", "customer.notes: the value is 1048577 bytes, over the limit of 1 MiB for one value")
        }
        let twenty = String(repeating: "x", count: 20 << 20)
        XCTAssertThrowsError(try store.create("customer", values: ["name": .text(twenty)])) { error in
            XCTAssertEqual("\(error)", "customer.name: the value is 20 MiB, over the limit of 1 MiB for one value")
        }
        XCTAssertEqual(try store.count("customer", where: nil), 0)
    }
}
