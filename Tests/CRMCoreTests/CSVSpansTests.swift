@testable import CRMCore
import CRMTestSupport
import Foundation
import XCTest

/// Reading records as byte ranges (the readings importer's path) gives the same fields,
/// lines and errors as the general parser, wherever the read chunks end.
final class CSVSpansTests: XCTestCase {
    var folder: String!

    override func setUp() { folder = TestSupport.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    struct Outcome: Equatable {
        var records: [[String]] = []
        var lines: [Int] = []
        var error: CSVError?
    }

    func read(_ path: String, chunk: Int, spans useSpans: Bool) -> Outcome {
        var out = Outcome()
        do {
            let reader = try CSVReader(path: path, chunkSize: chunk)
            if useSpans {
                var spans = CSVSpans()
                while let line = try reader.next(into: &spans) {
                    out.records.append(reader.strings(of: spans))
                    out.lines.append(line)
                }
            } else {
                while let (fields, line) = try reader.next() {
                    out.records.append(fields)
                    out.lines.append(line)
                }
            }
        } catch let e as CSVError {
            out.error = e
        } catch {
            out.error = CSVError("\(error)", line: -1)
        }
        return out
    }

    func assertSame(_ bytes: [UInt8], _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let path = folder + "/in.csv"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        for chunk in [3, 4, 5, 7, 11, 64, CSVReader.defaultChunk] {
            let expected = read(path, chunk: chunk, spans: false)
            XCTAssertEqual(read(path, chunk: chunk, spans: true), expected, "\(name), chunks of \(chunk)", file: file, line: line)
        }
    }

    func testSpans_readWhatTheParserReads() {
        let texts = [
            "account,at,kw,kwh\n3300000001,2026-08-01T00:00:00Z,401.3,100.325\n3300000001,2026-08-01T00:15:00Z,396.8,\n",
            "a,b\r\nc,d\r\n", "a,b\rc,d\r", "a,b\nc,d", "a,b\nc,", "\n\na,b\n\r\n\rc\n\n", ",,\n,\n",
            "a,\"b,c\",d\n\"x\"\"y\",z\n", "a,\"multi\nline\",b\nc,d\n", "甲-1,2026-08-01 08:15,3\nM2,x,4\n",
            "\u{FEFF}account,at\n1,2\n", "a,b\"c,d\n", "a,b\r", "a", "",
        ]
        for text in texts { assertSame(Array(text.utf8), text.debugDescription) }
        // Errors: the same message on the same line.
        assertSame(Array("a,b\nc,\u{0}d\n".utf8), "NUL")
        assertSame(Array("a,b\n\"open,c\n".utf8), "unterminated quote")
        assertSame([0x61, 0x2C, 0x62, 0x0A, 0xC3, 0x28, 0x2C, 0x63, 0x0A], "not UTF-8")
        assertSame(Array("a,b\n".utf8) + [0xBF, 0xCD, 0xBB, 0xA7, 0x2C, 0xC9, 0xCF, 0xBA, 0xA3, 0x0A], "GB18030 (客户,上海)")
    }

    /// The CSV fuzz target's corpus and regressions, read both ways.
    func testSpans_readTheFuzzCorpusAsTheParserDoes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fuzz")
        var seen = 0
        for dir in ["corpus/csv", "regressions/csv"] {
            let folder = root.appendingPathComponent(dir)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
                let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
                assertSame(bytes, "\(dir)/\(name)")
                seen += 1
            }
        }
        XCTAssertGreaterThan(seen, 0, "no fuzz inputs found under \(root.path)")
    }
}
