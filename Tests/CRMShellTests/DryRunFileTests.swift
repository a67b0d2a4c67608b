import CRMCore
@testable import CRMShell
import CRMTestSupport
import Foundation
import XCTest

/// The dry-run paths of the vCard and iCalendar writers: counted, nothing written.
/// (`FileWrites.suppressed` turns them on under `--dry-run`.)
final class DryRunFileTests: XCTestCase {
    var folder: String!

    override func setUp() { folder = TestSupport.temporaryFolder() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    func store() throws -> SQLiteStore {
        let s = try TestSupport.memoryStore()
        let customer = try s.create("customer", values: ["name": .text("华联超市")])
        _ = try s.create("contact", values: ["customer": .integer(customer), "name": .text("王芳")])
        _ = try s.create("task", values: ["title": .text("回访"), "due": .date("2026-11-25")])
        _ = try s.create("deal", values: ["customer": .integer(customer), "title": .text("年度采购"), "expected_close": .date("2026-12-15")])
        return s
    }

    func testDryRunExportsCountAndWriteNothing() throws {
        let s = try store()
        XCTAssertEqual(try ContactCards.export(Query(entity: "contact"), store: s, to: folder + "/c.vcf", dryRun: true), 1)
        XCTAssertEqual(try TaskCalendar.exportTasks(Query(entity: "task"), store: s, to: folder + "/t.ics", dryRun: true), 1)
        XCTAssertEqual(try TaskCalendar.exportDeals(Query(entity: "deal"), store: s, to: folder + "/d.ics", dryRun: true).written, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
        XCTAssertEqual(try ContactCards.export(Query(entity: "contact"), store: s, to: folder + "/c.vcf"), 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/c.vcf"))
    }

    func testDryRunCardImportWritesNoRejectFile() throws {
        let s = try store()
        let path = folder + "/in.vcf"
        try Data("BEGIN:VCARD\nFN:李娜\nORG:华联超市\nEND:VCARD\nBEGIN:VCARD\nFN:Bob\nORG:Nowhere\nEND:VCARD\n".utf8).write(to: URL(fileURLWithPath: path))
        var rejected: [Int] = []
        let result = try ContactCards.importCards(from: path, store: s, atomic: false, writeRejects: false) { line, _ in rejected.append(line) }
        XCTAssertEqual(result.imported, 1)
        XCTAssertEqual(result.rejected, 1)
        XCTAssertNil(result.rejectPath)
        XCTAssertEqual(rejected, [7])
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/in.rejects.vcf"))
    }
}
