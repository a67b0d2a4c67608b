@testable import CRMCore
import Foundation
import XCTest

/// The hand-written phone and email scanners must accept exactly what the regex accepts.
final class PatternMatcherTests: XCTestCase {
    func regexMatches(_ s: String, _ pattern: String) -> Bool {
        let regex = try! NSRegularExpression(pattern: "\\A(?:\(pattern))\\z")
        return regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    func assertSame(_ samples: [String], file: StaticString = #filePath, line: UInt = #line) {
        for s in samples {
            XCTAssertEqual(PatternMatcher.isPhone(s), regexMatches(s, CoreEntities.phonePattern), "phone \(s.debugDescription)", file: file, line: line)
            XCTAssertEqual(PatternMatcher.isEmail(s), regexMatches(s, CoreEntities.emailPattern), "email \(s.debugDescription)", file: file, line: line)
        }
    }

    func testHandPickedCases() {
        assertSame(["", "1", "12", "123", "13800001111", "+86 (138) 0000-1111", String(repeating: "1", count: 40),
                    String(repeating: "1", count: 41), "138 0000 1111\n", "１３８", "138a", "12\u{3000}3",
                    "a@b.c", "a@b", "@b.c", "a@.c", "a@b.", "a@b..c", "a.b@c", "a@b.c@d", "a b@c.d", "a@b.c ",
                    "王芳@例子.中国", "a@b\u{3000}.c", "a@b\u{00A0}.c", "a@b\u{2028}.c", "a@b\u{0B}.c", "a@b\u{85}.c",
                    "a@b.c\n", "a@b\u{1680}.c", "a@b\u{200B}.c", "a@b\u{FEFF}.c", "a@@b.c", "a@b.c.", "a@.b.c", "x@y.z.w", "..@..."])
    }

    func testRandomStringsOverTheRelevantAlphabet() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["1", "9", "+", "(", ")", "-", " ", "@", ".", "a", "王", "\t", "\u{3000}", "\n"]
        var samples: [String] = []
        for _ in 0..<3000 {
            let n = Int.random(in: 0...8, using: &generator)
            samples.append(String((0..<n).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        assertSame(samples)
    }

    func testOtherPatternsMatchTheWholeText() {
        XCTAssertTrue(Validation.matches("ab12", pattern: "[a-z]+[0-9]+"))
        XCTAssertFalse(Validation.matches("ab12x", pattern: "[a-z]+[0-9]+"))
        XCTAssertFalse(Validation.matches("ab12\n", pattern: "[a-z]+[0-9]+"))
        XCTAssertFalse(Validation.matches("x", pattern: "[unclosed"))
    }
}
