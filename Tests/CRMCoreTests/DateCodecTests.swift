import CRMCore
import XCTest

final class DateCodecTests: XCTestCase {
    func testCivilDaysRoundTrip() {
        for days in [-1, 0, 59, 365 * 30 + 7, 20_779] {
            let (y, m, d) = DateCodec.civilFromDays(days)
            XCTAssertEqual(DateCodec.daysFromCivil(y, m, d), days)
        }
        XCTAssertEqual(DateCodec.dateText(days: 0), "1970-01-01")
    }

    /// Found by the values fuzzer: `+8000y` was stored as `10026-11-22`, which compares
    /// wrongly as text and reads back as no date.
    func testRelativeDatesStayInsideYearsOneToNineThousandNineHundredNinetyNine() throws {
        let today = DateCodec.days(ofDate: "2026-11-22")!
        XCTAssertNil(RelativeDate.day("+8000y", today: today))
        XCTAssertNil(RelativeDate.day("-2100y", today: today))
        XCTAssertEqual(RelativeDate.day("+7973y", today: today).map(DateCodec.dateText), "9999-11-22")
        let parser = ValueParser(clock: .fixed(1_795_341_600))
        XCTAssertThrowsError(try parser.parse("+8000y", as: .date))
        XCTAssertThrowsError(try parser.parse("+8000y", as: .datetime))
    }

    func testRejectsImpossibleDates() {
        XCTAssertNil(DateCodec.days(ofDate: "2026-02-30"))
        XCTAssertNil(DateCodec.days(ofDate: "2026-13-01"))
        XCTAssertNotNil(DateCodec.days(ofDate: "2024-02-29"))
        XCTAssertNil(DateCodec.days(ofDate: "2023-02-29"))
    }

    func testUTCTextRoundTrip() {
        XCTAssertEqual(DateCodec.utcText(epochSeconds: 0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(DateCodec.epochSeconds(utc: "2026-11-22T08:30:00Z").map(DateCodec.utcText), "2026-11-22T08:30:00Z")
    }
}
