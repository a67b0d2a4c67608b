import CRMCore
import XCTest

/// Months typed as `2026-11` or relative to the clock, stored as `YYYY-MM` text.
final class MonthTests: XCTestCase {
    let january15 = DateCodec.daysFromCivil(2026, 1, 15)

    func parse(_ text: String, today: Int? = nil) -> String? {
        Month.parse(text, today: today ?? january15)?.description
    }

    func testExactMonthsAndTheirEdges() {
        XCTAssertEqual(parse("2026-11"), "2026-11")
        XCTAssertEqual(parse("0001-01"), "0001-01")
        XCTAssertEqual(parse("9999-12"), "9999-12")
        XCTAssertNil(parse("2026-13"))
        XCTAssertNil(parse("2026-00"))
        XCTAssertNil(parse("0000-01"))
        XCTAssertNil(parse("2026-1"))
        XCTAssertNil(parse("2026-11-20"))
        XCTAssertNil(parse("bogus"))
        XCTAssertNil(parse("-1d"))
        XCTAssertNil(parse("+2w"))
    }

    func testRelativeMonthsCrossYearEnds() {
        XCTAssertEqual(parse("this-month"), "2026-01")
        XCTAssertEqual(parse("last-month"), "2025-12")
        XCTAssertEqual(parse("-1m"), "2025-12")  // -1m in January is last December
        XCTAssertEqual(parse("next-month"), "2026-02")
        XCTAssertEqual(parse("+2m"), "2026-03")
        XCTAssertEqual(parse("+12m"), "2027-01")
        XCTAssertEqual(parse("-1y"), "2025-01")
        XCTAssertEqual(parse("-13m"), "2024-12")
        XCTAssertNil(parse("-1m", today: DateCodec.daysFromCivil(1, 1, 5)))
    }

    func testFirstAndLastDaysOfMonthsIncludingLeapYears() {
        func days(_ text: String) -> (String, String) {
            let m = Month(text: text)!
            return (DateCodec.dateText(days: m.firstDay), DateCodec.dateText(days: m.lastDay))
        }
        XCTAssertTrue(days("2024-02") == ("2024-02-01", "2024-02-29"))
        XCTAssertTrue(days("2026-02") == ("2026-02-01", "2026-02-28"))
        XCTAssertTrue(days("2000-02") == ("2000-02-01", "2000-02-29"))  // divisible by 400
        XCTAssertTrue(days("2100-02") == ("2100-02-01", "2100-02-28"))  // by 100, not 400
        XCTAssertTrue(days("2026-04") == ("2026-04-01", "2026-04-30"))
        XCTAssertTrue(days("2026-12") == ("2026-12-01", "2026-12-31"))
    }

    /// Adding months keeps the day of month or clamps it to the month's end.
    func testAddingAMonthToJanuary31IsTheEndOfFebruary() {
        func plus(_ date: String, _ n: Int) -> String {
            DateCodec.dateText(days: RelativeDate.apply(.months(n), to: DateCodec.days(ofDate: date)!))
        }
        XCTAssertEqual(plus("2026-01-31", 1), "2026-02-28")
        XCTAssertEqual(plus("2024-01-31", 1), "2024-02-29")
        XCTAssertEqual(plus("2026-03-31", -1), "2026-02-28")
        XCTAssertEqual(plus("2026-01-31", 3), "2026-04-30")
        XCTAssertEqual(plus("2024-02-29", 12), "2025-02-28")
        XCTAssertEqual(plus("2026-11-15", 2), "2027-01-15")
    }

    func testTheMonthFieldTypeParsesStoresAndExplains() throws {
        let parser = ValueParser(clock: .fixed(DateCodec.localMidnight(days: january15) + 3600))
        XCTAssertEqual(try parser.parse("2026-11", as: .month), .text("2026-11"))
        XCTAssertEqual(try parser.parse("-1m", as: .month), .text("2025-12"))
        XCTAssertEqual(try parser.parse(" this-month ", as: .month), .text("2026-01"))
        XCTAssertEqual(try parser.parse("", as: .month), .null)
        XCTAssertThrowsError(try parser.parse("2026-13", as: .month))
        XCTAssertEqual(FieldType.month.name, "month")
        XCTAssertEqual(FieldType.month.expectation, "a month like 2026-11, this-month, last-month, -1m or +2m")
    }
}
