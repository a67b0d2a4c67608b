import CRMFuzzTargets
import Foundation
import XCTest

/// Replays the committed seed corpus and every saved fuzzer finding through the same
/// target functions the fuzzer calls (scripts/fuzz), so a crash once found stays fixed.
final class FuzzReplayTests: XCTestCase {
    static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz").path

    /// The files in fuzz/<kind>/<target>/, sorted; none when the folder does not exist.
    func inputs(_ kind: String, _ target: FuzzTarget) -> [String] {
        let folder = "\(Self.fuzzFolder)/\(kind)/\(target.rawValue)"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\($0)" }
    }

    func replay(_ target: FuzzTarget) throws {
        let corpus = inputs("corpus", target)
        XCTAssertGreaterThan(corpus.count, 3, "fuzz/corpus/\(target.rawValue) should hold the seed inputs")
        for file in corpus + inputs("regressions", target) {
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: file), file)
            XCTAssertNoThrow(try target.run(Array(bytes)), file)
        }
    }

    func testLexerInputs() throws { try replay(.lexer) }
    func testFilterInputs() throws { try replay(.filter) }
    func testCSVInputs() throws { try replay(.csv) }
    func testValuesInputs() throws { try replay(.values) }
    func testCommandsInputs() throws { try replay(.commands) }

    /// Every target has a seed folder, and nothing sits in a folder no target reads.
    func testFoldersMatchTheTargets() throws {
        let names = Set(FuzzTarget.allCases.map(\.rawValue))
        for kind in ["corpus", "regressions"] {
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: "\(Self.fuzzFolder)/\(kind)")) ?? []
            for folder in folders where !folder.hasPrefix(".") {
                XCTAssertTrue(names.contains(folder), "fuzz/\(kind)/\(folder) is not a fuzz target")
            }
        }
    }
}
