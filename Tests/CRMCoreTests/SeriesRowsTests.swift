@testable import CRMCore
import XCTest

/// The fast paths readings are parsed with agree with the general parsers they stand in for.
final class SeriesRowsTests: XCTestCase {
    func testUnits_matchFixedParsing() {
        let texts = ["0", "1", "-1", "12.5", "12.50", "12.500", "12.5000", "0.001", ".5", "5.", "-0.125", "1234567.891",
                     "12.3456", "1,234.5", "+3", " 4", "", "-", ".", "1.2.3", "abc", "12e3", "00012.0100"]
        for text in texts {
            let fast = SeriesRows.units(text, scale: 3)
            if let fast {
                XCTAssertEqual(fast, Fixed(parsing: text, scale: 3)?.units, text)
            } else {
                // Not taken by the fast path: either invalid, or left to Fixed (commas, a plus sign, spaces).
                XCTAssertTrue(Fixed(parsing: text, scale: 3) == nil || text.contains(",") || text.hasPrefix("+") || text.hasPrefix(" "), text)
            }
        }
        XCTAssertEqual(SeriesRows.units("7", scale: 0), 7)
        XCTAssertNil(SeriesRows.units("7.5", scale: 0))
    }

    func testUTCSeconds_matchDateCodec() {
        for text in ["2026-11-01T00:15:00Z", "2024-02-29T23:45:00Z", "1970-01-01T00:00:00Z", "2026-12-31T23:59:59Z"] {
            XCTAssertEqual(SeriesRows.utcSeconds(text), DateCodec.epochSeconds(utc: text), text)
        }
        for text in ["2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-01 00:15", "2026-11-01T24:00:00Z", "2026-11-01T00:15:00"] {
            XCTAssertNil(SeriesRows.utcSeconds(text), text)
        }
    }

    func testPeriodNames() {
        XCTAssertEqual(SeriesRows.period(900), "15-minute")
        XCTAssertEqual(SeriesRows.period(3600), "1-hour")
        XCTAssertEqual(SeriesRows.period(86400), "1-day")
    }
}
