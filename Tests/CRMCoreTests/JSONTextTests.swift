import CRMCore
import Foundation
import XCTest

final class JSONTextTests: XCTestCase {
    func testStringsRoundTripThroughAJSONParser() throws {
        for s in ["", "plain", "王芳", "quote \" and \\ back", "line\nbreak\ttab\r", "\u{01}\u{1F}", "\u{2028}\u{2029}",
                  "– dash ‘quotes’ …", "emoji 😀", "€"] {
            let literal = JSONText.string(s)
            let decoded = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [String]
            XCTAssertEqual(decoded, [s], literal)
            XCTAssertFalse(literal.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x2028 || $0.value == 0x2029 }, literal)
        }
    }

    func testObjectKeepsOrderAndTypes() {
        let text = JSONText.object([("name", .text("王\"芳")), ("owner", .integer(7)), ("vip", .bool(true)),
                                    ("budget", .decimal(Fixed(units: 12345, scale: 2))), ("birthday", .date("1990-01-02")),
                                    ("note", .null)])
        XCTAssertEqual(text, #"{"name":"王\"芳","owner":7,"vip":true,"budget":123.45,"birthday":"1990-01-02","note":null}"#)
        XCTAssertEqual(JSONText.object([]), "{}")
    }
}
