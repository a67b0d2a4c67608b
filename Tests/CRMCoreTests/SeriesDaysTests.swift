@testable import CRMCore
import CRMTestSupport
import Foundation
import XCTest

/// Daily figures of a series per key: one pass along (key, time), days cut at local
/// midnight, the values in their unit, days without readings left out.
final class SeriesDaysTests: XCTestCase {
    var store: SQLiteStore!
    var a: Int64 = 0, b: Int64 = 0

    override func setUpWithError() throws {
        store = try TestSupport.memoryStore()
        try store.install([EntityDefinition(name: "meter", label: "Meter",
                                            fields: [FieldDefinition("code", .text, required: true, unique: true)], titleField: "code")])
        a = try store.create("meter", values: ["code": .text("A")])
        b = try store.create("meter", values: ["code": .text("B")])
        _ = try store.create("meter", values: ["code": .text("C, no readings")])
        try store.installSeries(SeriesDefinition(name: "reading", label: "Reading", owner: "test", key: "meter", keyEntity: "meter",
                                                 time: "at", step: 900, fields: [FieldDefinition("kw", .decimal(scale: 3))], limits: []))
        func at(_ day: Int, _ minutes: Int) -> String {
            DateCodec.utcText(epochSeconds: DateCodec.localMidnight(days: DateCodec.days(ofDate: "2026-08-01")! + day) + minutes * 60)
        }
        _ = try store.appendSeries("reading", rows: [
            ["meter": "\(a)", "at": at(0, 0), "kw": "1.5"], ["meter": "\(a)", "at": at(0, 1425), "kw": "0.25"],
            ["meter": "\(a)", "at": at(1, 0), "kw": "2.125"],  // local midnight starts the next day
            ["meter": "\(a)", "at": at(3, 600), "kw": "4"],    // a day past the period
            ["meter": "\(b)", "at": at(1, 60), "kw": "7"], ["meter": "\(b)", "at": at(-1, 1425), "kw": "9"],
        ], source: "test")
    }

    func testDaysPerKey_cutAtLocalMidnight() throws {
        let days = try store.seriesDays("reading", field: "kw", from: "2026-08-01", to: "2026-08-02")
        XCTAssertEqual(days.map { "\($0.key) \($0.day) \($0.points) \($0.sum) \($0.min) \($0.max)" }, [
            "\(a) 2026-08-01 2 1.750 0.250 1.500",
            "\(a) 2026-08-02 1 2.125 2.125 2.125",
            "\(b) 2026-08-02 1 7.000 7.000 7.000",
        ])
        XCTAssertEqual(try store.seriesDays("reading", field: "kw", from: "2026-08-01", to: "2026-08-31", keys: [b]).map(\.day), ["2026-08-02"])
        XCTAssertEqual(try store.seriesDays("reading", field: "kw", from: "2026-08-02", to: "2026-08-01"), [])
    }

    func testBadArgumentsAreNamed() {
        XCTAssertThrowsError(try store.seriesDays("reading", field: "kv", from: "2026-08-01", to: "2026-08-02")) { e in
            XCTAssertEqual("\(e)", "reading has no field 'kv' (did you mean 'kw'?)")
        }
        XCTAssertThrowsError(try store.seriesDays("reading", field: "kw", from: "2026-8-1", to: "2026-08-02")) { e in
            XCTAssertEqual("\(e)", "'2026-8-1' is not a date (use 2026-08-01)")
        }
        XCTAssertThrowsError(try store.seriesDays("readings", field: "kw", from: "2026-08-01", to: "2026-08-02")) { e in
            XCTAssertEqual("\(e)", "there is no series named 'readings'")
        }
    }
}
