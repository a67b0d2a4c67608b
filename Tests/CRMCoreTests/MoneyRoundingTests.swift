import CRMCore
import CRMTestSupport
import XCTest

/// One rounding rule for money and decimals: half away from zero (四舍五入), with a
/// double read as the decimal it was written as (15 significant digits).
final class MoneyRoundingTests: XCTestCase {
    func cents(_ d: Double) -> String? { Fixed(rounding: d, scale: 2)?.description }

    func testHalfCentsRoundAwayFromZero_atEveryEdge() {
        XCTAssertEqual(cents(0.005), "0.01")
        XCTAssertEqual(cents(0.015), "0.02")
        XCTAssertEqual(cents(0.025), "0.03")  // half-to-even would give 0.02
        XCTAssertEqual(cents(1.005), "1.01")  // the double is 1.00499999999999989…
        XCTAssertEqual(cents(-0.005), "-0.01")
        XCTAssertEqual(cents(-2.675), "-2.68")  // the double is -2.67499999999999982…
        XCTAssertEqual(cents(2.675), "2.68")
        XCTAssertEqual(cents(0.0049), "0.00")
        XCTAssertEqual(cents(-0.0049), "0.00")
    }

    func testComputedDoublesRoundAsTheirDecimals() {
        XCTAssertEqual(cents(100.05 * 0.3), "30.02")  // 30.014999999999997 as a double; 30.015 in decimals
        XCTAssertEqual(cents(0.1 + 0.2), "0.30")
        XCTAssertEqual(cents(1234.5 * 0.025), "30.86")  // 30.8625
        XCTAssertEqual(Fixed(rounding: 2.5, scale: 0)?.description, "3")
        XCTAssertEqual(Fixed(rounding: -2.5, scale: 0)?.description, "-3")
        XCTAssertEqual(Fixed(rounding: 123456789.125, scale: 2)?.description, "123456789.13")
        // Past 15 digits a double is read in full, so a large amount keeps its cents.
        XCTAssertEqual(cents(12345678901234.56), "12345678901234.56")
        XCTAssertEqual(cents(98765432109.875), "98765432109.88")
        XCTAssertEqual(cents(1234567890123.455), "1234567890123.46")
    }

    func testNonNumbersAndValuesPastEighteenDigitsAreNil() {
        XCTAssertNil(Fixed(rounding: .nan, scale: 2))
        XCTAssertNil(Fixed(rounding: .infinity, scale: 2))
        XCTAssertNil(Fixed(rounding: 1e30, scale: 2))
        XCTAssertEqual(Fixed(rounding: 1e-30, scale: 2)?.description, "0.00")
    }

    func testRoundingAFixedToFewerDecimals() {
        XCTAssertEqual(Fixed(units: 1005, scale: 3).rounded(toScale: 2)?.description, "1.01")
        XCTAssertEqual(Fixed(units: -2675, scale: 3).rounded(toScale: 2)?.description, "-2.68")
        XCTAssertEqual(Fixed(units: 1004, scale: 3).rounded(toScale: 2)?.description, "1.00")
        XCTAssertEqual(Fixed(units: 15, scale: 1).rounded(toScale: 3)?.description, "1.500")
    }

    func testQuotientsRoundOnceHalfAwayFromZero() {
        XCTAssertEqual(Fixed.quotient(3, numeratorScale: 2, dividedBy: 2, scale: 2)?.description, "0.02")  // 0.015
        XCTAssertEqual(Fixed.quotient(-3, numeratorScale: 2, dividedBy: 2, scale: 2)?.description, "-0.02")
        XCTAssertEqual(Fixed.quotient(5, numeratorScale: 2, dividedBy: 2, scale: 2)?.description, "0.03")  // 0.025
        XCTAssertEqual(Fixed.quotient(10, numeratorScale: 0, dividedBy: 3, scale: 2)?.description, "3.33")
        XCTAssertEqual(Fixed.quotient(20, numeratorScale: 0, dividedBy: 3, scale: 2)?.description, "6.67")
        XCTAssertNil(Fixed.quotient(1, numeratorScale: 0, dividedBy: 0, scale: 2))
        XCTAssertEqual(Fixed.quotient(.max, numeratorScale: 2, dividedBy: .max, scale: 2)?.description, "0.01")
    }

    /// avg over money is computed from the exact sum and count: 0.01 and 0.02 average
    /// 0.015, which is 0.02 (SQLite's double and half-to-even both said 0.01 or 0.02 by luck).
    func testAverageOfMoneyRoundsHalfAwayFromZero() throws {
        let store = try TestSupport.memoryStore()
        let c = try store.create("customer", values: ["name": .text("王芳")])
        for (title, amount) in [("a", 1), ("b", 2), ("c", 2), ("d", 2)] as [(String, Int64)] {
            _ = try store.create("deal", values: ["title": .text(title), "customer": .integer(c),
                                                  "amount": .decimal(Fixed(units: amount, scale: 2))])
        }
        // (1 + 2 + 2 + 2) / 4 = 1.75 cents → 0.02; of a and b alone 1.5 cents → 0.02.
        let all = try store.aggregate("deal", function: .avg, field: "amount", groupBy: nil, where: nil)
        XCTAssertEqual(all.rows.first?.first, .decimal(Fixed(units: 2, scale: 2)))
        let two = try store.aggregate("deal", function: .avg, field: "amount", groupBy: nil,
                                      where: .compare(FieldRef("title"), .le, Literal("b")))
        XCTAssertEqual(two.rows.first?.first, .decimal(Fixed(units: 2, scale: 2)))
        let integers = try store.aggregate("deal", function: .avg, field: "id", groupBy: nil, where: nil)
        XCTAssertEqual(integers.rows.first?.first?.displayText, "2.50")
    }

    /// A real computed in SQL (crm.query, the `sql` verb) is shown to 2 places, half away.
    func testSQLRealsRoundHalfAwayFromZero() throws {
        let store = try TestSupport.memoryStore()
        let r = try store.select(sql: "select 0.005 as a, -2.675 as b, 1.005 as c, 0.025 as d", arguments: [])
        XCTAssertEqual(r.rows.first?.map(\.displayText), ["0.01", "-2.68", "1.01", "0.03"])
    }
}
