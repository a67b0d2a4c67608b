import CRMCore
import XCTest

final class FixedTests: XCTestCase {
    func testParsesGroupingAndFraction() {
        XCTAssertEqual(Fixed(parsing: "1,234.5", scale: 2), Fixed(units: 123450, scale: 2))
        XCTAssertEqual(Fixed(parsing: "-0.07", scale: 2), Fixed(units: -7, scale: 2))
        XCTAssertEqual(Fixed(parsing: "1.500", scale: 2)?.description, "1.50")
    }

    func testRejectsTooManyDigitsAndGarbage() {
        XCTAssertNil(Fixed(parsing: "1.234", scale: 2))
        XCTAssertNil(Fixed(parsing: "12abc", scale: 2))
        XCTAssertNil(Fixed(parsing: "", scale: 2))
        XCTAssertNil(Fixed(parsing: "99999999999999999999", scale: 2))
    }

    func testComparesAcrossScales() {
        XCTAssertLessThan(Fixed(units: 15, scale: 1), Fixed(units: 151, scale: 2))
        XCTAssertEqual(Fixed(units: -150, scale: 2).description, "-1.50")
    }
}
