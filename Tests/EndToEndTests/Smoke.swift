import CRMCore
import XCTest

final class EndToEndSmoke: XCTestCase {
    func testDisplayText() {
        XCTAssertEqual(Value.bool(true).displayText, "yes")
        XCTAssertEqual(Value.null.displayText, "")
        XCTAssertEqual(Value.decimal(Fixed(units: 5, scale: 2)).displayText, "0.05")
    }
}
