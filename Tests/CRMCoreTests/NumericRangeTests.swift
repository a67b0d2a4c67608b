import CRMCore
import CRMTestSupport
import XCTest

/// Issue 13, item 1: every numeric path checks overflow and refuses with the range.
final class NumericRangeTests: XCTestCase {
    func testParse_saysWhyATextIsRefused() {
        XCTAssertEqual(Fixed.parse("99999999999999999999", scale: 2), .failure(.outOfRange))
        XCTAssertEqual(Fixed.parse("10000000000000000", scale: 2), .failure(.outOfRange))
        XCTAssertEqual(Fixed.parse("9999999999999999.99", scale: 2), .success(Fixed.largest(scale: 2)))
        XCTAssertEqual(Fixed.parse("-9999999999999999.99", scale: 2), .success(Fixed(units: -Fixed.maxUnits, scale: 2)))
        XCTAssertEqual(Fixed.parse("1.234", scale: 2), .failure(.tooManyDecimals))
        XCTAssertEqual(Fixed.parse("1,2,3", scale: 2), .failure(.notANumber))
        XCTAssertEqual(Fixed.parse("1234,567", scale: 2), .failure(.notANumber))
        XCTAssertEqual(Fixed.parse(",123", scale: 2), .failure(.notANumber))
        XCTAssertEqual(Fixed.parse("1,234,567.50", scale: 2), .success(Fixed(units: 123_456_750, scale: 2)))
        XCTAssertEqual(Fixed.parse("0000000000000000000000001.5", scale: 2), .success(Fixed(units: 150, scale: 2)))
        XCTAssertEqual(Fixed.parse("1", scale: 19), .failure(.notANumber))
    }

    func testCompare_neverOverflowsAcrossScales() {
        let big = Fixed(units: .max, scale: 0)
        XCTAssertLessThan(Fixed(units: 5, scale: 4), big)
        XCTAssertLessThan(Fixed(units: .min, scale: 0), Fixed(units: 1, scale: 18))
        XCTAssertLessThan(Fixed(units: 922_337_203_685_478, scale: 2), Fixed(units: 922_337_203_685_478_1, scale: 3))
        XCTAssertFalse(big < Fixed(units: 5, scale: 18))
    }

    func testRescaleAndExactly_reportOverflow() {
        XCTAssertNil(Fixed(exactly: .max, scale: 2))
        XCTAssertNil(Fixed(exactly: 10_000_000_000_000_000, scale: 2))
        XCTAssertEqual(Fixed(exactly: 7, scale: 2), Fixed(units: 700, scale: 2))
        XCTAssertNil(Fixed(units: .max / 10 + 1, scale: 0).rescaled(to: 1))
        XCTAssertNil(Fixed(units: 1234, scale: 3).rescaled(to: 2))
        XCTAssertEqual(Fixed(units: 1230, scale: 3).rescaled(to: 2), Fixed(units: 123, scale: 2))
    }

    func testIntegerParse_isCheckedAndGrouped() throws {
        let parser = ValueParser()
        XCTAssertEqual(try parser.parse("-9223372036854775808", as: .integer), .integer(.min))
        XCTAssertEqual(try parser.parse("9,223,372,036,854,775,807", as: .integer), .integer(.max))
        XCTAssertThrowsError(try parser.parse("9223372036854775808", as: .integer)) { error in
            XCTAssertEqual((error as? ValueParser.Failure)?.range, NumericRange.text(for: .integer))
        }
        XCTAssertThrowsError(try parser.parse("1,2,3", as: .integer)) { error in
            XCTAssertEqual(error as? ValueParser.Failure, ValueParser.Failure())
        }
    }

    func testStore_refusesADecimalBuiltOutsideTheParserThatDoesNotFit() throws {
        let store = try TestSupport.memoryStore()
        let customer = try store.create("customer", values: ["name": .text("a")])
        XCTAssertThrowsError(try store.create("deal", values: ["customer": .integer(customer), "title": .text("t"),
                                                               "amount": .decimal(Fixed(units: .max, scale: 0))])) { error in
            XCTAssertEqual("\(error)", "deal.amount: 9223372036854775807 is out of range (money holds -9999999999999999.99 to 9999999999999999.99)")
        }
        XCTAssertThrowsError(try store.create("deal", values: ["customer": .integer(customer), "title": .text("t"),
                                                               "amount": .decimal(Fixed(units: 1234, scale: 3))])) { error in
            XCTAssertEqual("\(error)", "deal.amount: '1.234' is not valid, expected an amount with at most 2 decimal places")
        }
    }

    func testSum_isExactPastFloatPrecision_andOverflowIsAnError() throws {
        let store = try TestSupport.memoryStore()
        let customer = try store.create("customer", values: ["name": .text("a")])
        // 2^53 units plus one cent: a float sum (SQLite's total()) lost the cent.
        for amount in ["90071992547409.92", "0.01"] {
            _ = try store.create("deal", values: ["customer": .integer(customer), "title": .text("t"),
                                                  "amount": try store.parseValue(entity: "deal", field: "amount", text: amount)])
        }
        let sum = try store.aggregate("deal", function: .sum, field: "amount", groupBy: nil, where: nil)
        XCTAssertEqual(sum.rows[0][0], .decimal(Fixed(units: 9_007_199_254_740_993, scale: 2)))
        for _ in 0..<10 {
            _ = try store.create("deal", values: ["customer": .integer(customer), "title": .text("t"),
                                                  "amount": .decimal(Fixed.largest(scale: 2))])
        }
        XCTAssertThrowsError(try store.aggregate("deal", function: .sum, field: "amount", groupBy: nil, where: nil)) { error in
            XCTAssertEqual("\(error)", "sum of deal.amount is too large to compute exactly: it passes ±92233720368547758.07")
        }
        let avg = try store.aggregate("deal", function: .avg, field: "amount", groupBy: nil, where: nil)
        XCTAssertEqual(avg.rows.count, 1)
        let none = try store.aggregate("deal", function: .sum, field: "amount", groupBy: nil,
                                       where: .compare(FieldRef("title"), .eq, Literal("nothing")))
        XCTAssertEqual(none.rows[0][0], .decimal(Fixed(units: 0, scale: 2)))
    }
}
