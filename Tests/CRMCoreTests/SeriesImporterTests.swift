@testable import CRMCore
import CRMTestSupport
import Foundation
import GRDB
import XCTest

/// The readings importer: rows read in place when plain, through the general parser when
/// not (quotes, CRLF, a key title in Chinese, local times, `#id`), checked the same way
/// and stored the same way.
final class SeriesImporterTests: XCTestCase {
    var store: SQLiteStore!
    var folder: String!
    var meterA: Int64 = 0, meterB: Int64 = 0

    override func setUpWithError() throws {
        store = try TestSupport.memoryStore()
        folder = TestSupport.temporaryFolder()
        try store.install([EntityDefinition(name: "meter", label: "Meter",
                                            fields: [FieldDefinition("code", .text, required: true, unique: true),
                                                     FieldDefinition("kva", .integer)],
                                            titleField: "code")])
        meterA = try store.create("meter", values: ["code": .text("甲-1"), "kva": .integer(100)])
        meterB = try store.create("meter", values: ["code": .text("M2"), "kva": .integer(50)])
        try store.installSeries(SeriesDefinition(
            name: "reading", label: "Reading", owner: "test", key: "meter", keyEntity: "meter", time: "at", step: 900,
            fields: [FieldDefinition("kw", .decimal(scale: 3), required: true, min: "0"), FieldDefinition("kwh", .decimal(scale: 3))],
            limits: [.init(field: "kw", per: "kva", times: 10)]))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    func run(_ text: String, atomic: Bool = false) throws -> (SeriesImporter.Result, [String]) {
        let path = folder + "/r.csv"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        var importer = SeriesImporter(store: store, series: try XCTUnwrap(store.series(named: "reading")), path: path, atomic: atomic)
        var rejects: [String] = []
        importer.onReject = { rejects.append("\($0): \($1)") }
        return (try importer.run(), rejects)
    }

    func stored() throws -> [String] {
        try store.access { db in
            try Row.fetchAll(db, sql: "SELECT meter, at, kw, kwh FROM reading ORDER BY meter, at").map { row in
                "\(row[0] as Int64) \(row[1] as String) \(row[2] as Int64) \((row[3] as Int64?).map(String.init) ?? "-")"
            }
        }
    }

    func testPlainAndGeneralRows_areCheckedAndStoredAlike() throws {
        let csv = "meter,at,kw,kwh\r\n"
            + "M2,2026-08-01T00:00:00Z,12.5,3.125\r\n"      // plain
            + "M2,2026-08-01T00:15:00Z,\"12.5\",\r\n"        // quoted: the general parser
            + "甲-1,2026-08-01 08:15,999.999,\r\n"            // a Chinese title, a local time
            + "#\(meterB),2026-08-01T00:30:00Z,7,1\r\n"      // by #id
            + "M2,2026-08-01T00:00:00Z,1,\r\n"               // line 6: duplicate of line 2
            + "M2,2026-08-01T00:07:00Z,1,\r\n"               // line 7: off the grid
            + "M2,2026-08-01T00:45:00Z,500.001,\r\n"         // line 8: above 10 × 50 kVA
            + "M2,2026-08-01T01:00:00Z,-1,\r\n"              // line 9: below the minimum
            + "M3,2026-08-01T01:00:00Z,1,\r\n"               // line 10: unknown meter
            + "M2,2026-08-01T01:15:00Z,,\r\n"                // line 11: kw is required
            + "M2,2026-08-01T01:30:00Z,1\r\n"                // line 12: a column short
            + "M2,2026-08-01T01:45:00Z,500,0"                // the last line, no line end
        let (result, rejects) = try run(csv)
        XCTAssertEqual(rejects, [
            "6: duplicate: meter M2 already has a reading at \(DateCodec.localDisplay(utc: "2026-08-01T00:00:00Z")) (readings are not replaced; on conflict update replaces them)",
            "7: at \(DateCodec.localDisplay(utc: "2026-08-01T00:07:00Z")) is not on the 15-minute grid",
            "8: kw: 500.001 is above 10 × meter M2's kva (at most 500)",
            "9: kw: -1 is below the minimum 0",
            "10: meter 'M3' does not exist (no meter has that code or id)",
            "11: kw is required",
            "12: expected 4 columns, found 3",
        ])
        XCTAssertEqual(result.imported, 5)
        XCTAssertEqual(result.rejected, 7)
        let local = DateCodec.utcText(epochSeconds: try XCTUnwrap(DateCodec.parseLocalDateTime("2026-08-01 08:15")))
        XCTAssertEqual(try stored(), [
            "\(meterA) \(local) 999999 -",
            "\(meterB) 2026-08-01T00:00:00Z 12500 3125",
            "\(meterB) 2026-08-01T00:15:00Z 12500 -",
            "\(meterB) 2026-08-01T00:30:00Z 7000 1000",
            "\(meterB) 2026-08-01T01:45:00Z 500000 0",
        ].sorted())
        let rejectFile = try String(contentsOfFile: folder + "/r.rejects.csv", encoding: .utf8)
        XCTAssertTrue(rejectFile.hasPrefix("meter,at,kw,kwh\nM2,2026-08-01T00:00:00Z,1,\n"), rejectFile)
    }

    /// The key compared with the row before is its bytes: a different key of the same
    /// length right after is looked up, not taken for the last one.
    func testAKeyOfTheSameLength_isLookedUpAgain() throws {
        _ = try store.create("meter", values: ["code": .text("M3"), "kva": .integer(1)])
        let (result, rejects) = try run("meter,at,kw\nM2,2026-08-01T00:00:00Z,20\nM3,2026-08-01T00:00:00Z,20\n")
        XCTAssertEqual(result.imported, 1)
        XCTAssertEqual(rejects, ["3: kw: 20 is above 10 × meter M3's kva (at most 10)"])
    }
}
