import CRMCore
import Foundation
@testable import CRMShell
import XCTest

/// Issue 13, item 3: nesting and size of a filter are capped with a message at the position.
final class FilterLimitParserTests: XCTestCase {
    func syntaxError(_ text: String) -> SyntaxError? {
        do {
            _ = try FilterParser.parse(try Lexer.tokenize(text), from: 0)
            return nil
        } catch {
            return error as? SyntaxError
        }
    }

    func testDepthAtTheLimitParses() throws {
        let text = String(repeating: "(", count: 100) + "a = 1" + String(repeating: ")", count: 100)
        XCTAssertNil(syntaxError(text))
        XCTAssertNil(syntaxError(String(repeating: "not ", count: 100) + "a = 1"))
    }

    func testDepthPastTheLimitPointsAtTheFirstLevelTooMany() throws {
        let parens = String(repeating: "(", count: 101) + "a = 1" + String(repeating: ")", count: 101)
        XCTAssertEqual(syntaxError(parens), SyntaxError(message: FilterLimits.depthMessage(at: 100), position: 100))
        XCTAssertEqual(syntaxError(parens)?.message,
                       "the filter is nested too deeply at column 101: at most 100 levels of '(' and 'not'")
        XCTAssertEqual(syntaxError(String(repeating: "not ", count: 101) + "a = 1")?.position, 400)
    }

    func testHundredThousandLevelsAreRefusedNotACrash() throws {
        for opener in ["(", "not ", "not ("] {
            let text = String(repeating: opener, count: 100_000) + "a = 1"
            XCTAssertEqual(syntaxError(text)?.message.hasPrefix("the filter is nested too deeply"), true, opener)
        }
    }

    func testConditionsPastTheLimitAreRefused() throws {
        let thousand = (0..<1000).map { "a = \($0)" }.joined(separator: " or ")
        XCTAssertNil(syntaxError(thousand))
        let more = (0..<100_000).map { "a = \($0)" }.joined(separator: " or ")
        XCTAssertEqual(syntaxError(more)?.message,
                       "the filter has too many conditions at column \(thousand.count + 5): at most 1000 (each value of an 'in' list counts)")
        let list = "a in (" + (0..<1001).map(String.init).joined(separator: ",") + ")"
        XCTAssertEqual(syntaxError(list)?.message.hasPrefix("the filter has too many conditions"), true)
    }
}

/// Issue 13, item 13: a NUL or an over-long line is an error, not a silent cut.
final class LexerInputLimitTests: XCTestCase {
    func testNULIsAnErrorAtItsColumn() {
        XCTAssertThrowsError(try Lexer.tokenize("add customer name=a\u{0}b")) { error in
            XCTAssertEqual(error as? SyntaxError, SyntaxError(message: "a NUL byte at column 20: a command line must be text", position: 19))
        }
    }

    func testLineOverTheCapIsRefusedBeforeItIsSplit() {
        let line = "add customer notes=" + String(repeating: "x", count: LineReader.maxLineBytes)
        XCTAssertFalse(Lexer.needsContinuation(line + "\\"))
        XCTAssertThrowsError(try Lexer.tokenize(line)) { error in
            XCTAssertEqual((error as? SyntaxError)?.message, "the line is longer than the limit of 16 MiB")
        }
    }
}
