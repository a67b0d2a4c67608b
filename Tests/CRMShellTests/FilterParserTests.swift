import CRMCore
@testable import CRMShell
import XCTest

final class FilterParserTests: XCTestCase {
    /// Parses a whole filter and checks that nothing is left over.
    func parse(_ text: String) throws -> Filter {
        let tokens = try Lexer.tokenize(text)
        let (filter, next) = try FilterParser.parse(tokens, from: 0)
        XCTAssertEqual(next, tokens.count, "tokens left over in \(text)")
        return filter
    }

    /// A filter as a position-free S-expression, so tree shape is easy to read and compare.
    func sexp(_ f: Filter) -> String {
        func lit(_ l: Literal) -> String { l.quoted ? "'\(l.text)'" : l.text }
        switch f {
        case .and(let a, let b): return "(and \(sexp(a)) \(sexp(b)))"
        case .or(let a, let b): return "(or \(sexp(a)) \(sexp(b)))"
        case .not(let a): return "(not \(sexp(a)))"
        case .compare(let field, let op, let value): return "(\(op.rawValue) \(field.name) \(lit(value)))"
        case .contains(let field, let value): return "(~ \(field.name) \(lit(value)))"
        case .isIn(let field, let values): return "(in \(field.name) [\(values.map(lit).joined(separator: " "))])"
        case .isNull(let field, let negated): return "(\(negated ? "notnull" : "null") \(field.name))"
        case .segment(let name, _): return "(segment \(name))"
        }
    }

    func s(_ text: String) throws -> String { sexp(try parse(text)) }

    /// The SyntaxError a filter throws.
    func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> SyntaxError? {
        do {
            let tokens = try Lexer.tokenize(text)
            let result = try FilterParser.parse(tokens, from: 0)
            XCTFail("expected an error for \(text), got \(sexp(result.0))", file: file, line: line)
            return nil
        } catch let e as SyntaxError {
            return e
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    // MARK: operators

    func testEveryComparisonOperator() throws {
        for op in CompareOp.allCases {
            XCTAssertEqual(try parse("amount \(op.rawValue) 5"),
                           .compare(FieldRef("amount", position: 0), op, Literal("5", position: 8 + op.rawValue.count)))
        }
    }

    func testOperatorsWithoutSpaces() throws {
        XCTAssertEqual(try s("amount>=5"), "(>= amount 5)")
        XCTAssertEqual(try s("amount<5"), "(< amount 5)")
        XCTAssertEqual(try s("stage!=won"), "(!= stage won)")
    }

    func testContains() throws {
        XCTAssertEqual(try parse("email ~ example.com"),
                       .contains(FieldRef("email", position: 0), Literal("example.com", position: 8)))
    }

    func testIn_listOfValues() throws {
        XCTAssertEqual(try s("city in (上海, 北京, 'New York')"), "(in city [上海 北京 'New York'])")
        XCTAssertEqual(try s("city in (上海)"), "(in city [上海])")
        XCTAssertEqual(try s("city IN(上海,北京)"), "(in city [上海 北京])")
    }

    func testInSegment_isAConditionLikeAnyOther() throws {
        XCTAssertEqual(try s("in vip-shanghai and city = 上海"), "(and (segment vip-shanghai) (= city 上海))")
        XCTAssertEqual(try s("not in fair-2026 or in vip"), "(or (not (segment fair-2026)) (segment vip))")
        XCTAssertEqual(try parse("in vip"), .segment("vip", position: 3))
        // `field in (…)` still means a list of values.
        XCTAssertEqual(try s("in vip and city in (上海)"), "(and (segment vip) (in city [上海]))")
        XCTAssertEqual(error("city = 上海 and in")?.message, "expected a segment name after 'in'")
        XCTAssertEqual(error("in (a, b)")?.message, "expected a segment name after 'in'")
    }

    func testNotIn_isNegatedIn() throws {
        XCTAssertEqual(try s("stage not in (won, lost)"), "(not (in stage [won lost]))")
    }

    func testIsNull_andIsNotNull() throws {
        XCTAssertEqual(try parse("phone is null"), .isNull(FieldRef("phone", position: 0), negated: false))
        XCTAssertEqual(try parse("phone is not null"), .isNull(FieldRef("phone", position: 0), negated: true))
        XCTAssertEqual(try s("phone IS NOT NULL"), "(notnull phone)")
    }

    // MARK: values

    func testValues_chineseAndQuoted() throws {
        XCTAssertEqual(try s("city = 上海"), "(= city 上海)")
        XCTAssertEqual(try s("name = '王 芳'"), "(= name '王 芳')")
        XCTAssertEqual(try s("name ~ 王"), "(~ name 王)")
    }

    func testValues_quotedFlagKeepsKeywordsAndDatesAsText() throws {
        guard case .compare(_, _, let quoted) = try parse("notes = 'today'"),
              case .compare(_, _, let bare) = try parse("due = today") else {
            return XCTFail("expected comparisons")
        }
        XCTAssertEqual(quoted, Literal("today", quoted: true, position: 8))
        XCTAssertEqual(bare, Literal("today", quoted: false, position: 6))
        XCTAssertEqual(try s("notes = 'and'"), "(= notes 'and')")
    }

    func testValues_relativeDatesAndNegativeNumbers() throws {
        XCTAssertEqual(try s("created > -7d and due < +2w and amount >= -1.5"),
                       "(and (and (> created -7d) (< due +2w)) (>= amount -1.5))")
    }

    func testPositions_pointIntoTheLineInCharacters() throws {
        let f = try parse("城市 = '上海' and 名字 ~ 王")
        guard case .and(.compare(let f1, _, let v1), .contains(let f2, let v2)) = f else {
            return XCTFail("unexpected shape \(sexp(f))")
        }
        XCTAssertEqual([f1.position, v1.position, f2.position, v2.position], [0, 5, 14, 19])
        XCTAssertEqual(f1.name, "城市")
    }

    // MARK: precedence

    func testAndBindsTighterThanOr() throws {
        XCTAssertEqual(try s("a = 1 or b = 2 and c = 3"), "(or (= a 1) (and (= b 2) (= c 3)))")
        XCTAssertEqual(try s("a = 1 and b = 2 or c = 3"), "(or (and (= a 1) (= b 2)) (= c 3))")
    }

    func testNotBindsTighterThanAnd() throws {
        XCTAssertEqual(try s("not a = 1 and b = 2"), "(and (not (= a 1)) (= b 2))")
        XCTAssertEqual(try s("not not a = 1"), "(not (not (= a 1)))")
    }

    func testAndOrAreLeftAssociative() throws {
        XCTAssertEqual(try s("a = 1 or b = 2 or c = 3"), "(or (or (= a 1) (= b 2)) (= c 3))")
        XCTAssertEqual(try s("a = 1 and b = 2 and c = 3"), "(and (and (= a 1) (= b 2)) (= c 3))")
    }

    func testParenthesesOverridePrecedence() throws {
        XCTAssertEqual(try s("(a = 1 or b = 2) and c = 3"), "(and (or (= a 1) (= b 2)) (= c 3))")
        XCTAssertEqual(try s("not (a = 1 or b = 2)"), "(not (or (= a 1) (= b 2)))")
        XCTAssertEqual(try s("((a = 1))"), "(= a 1)")
    }

    func testKeywordsAreCaseInsensitive() throws {
        XCTAssertEqual(try s("NOT a = 1 AND b = 2 Or c = 3"), "(or (and (not (= a 1)) (= b 2)) (= c 3))")
    }

    // MARK: where parsing stops

    func testStopsAtTheClauseThatFollows() throws {
        let tokens = try Lexer.tokenize("city = 上海 order by name limit 5")
        let (filter, next) = try FilterParser.parse(tokens, from: 0)
        XCTAssertEqual(sexp(filter), "(= city 上海)")
        XCTAssertEqual(tokens[next].text, "order")
    }

    func testStartsAtTheGivenToken() throws {
        let tokens = try Lexer.tokenize("list customer where city = 上海")
        let (filter, next) = try FilterParser.parse(tokens, from: 3)
        XCTAssertEqual(filter, .compare(FieldRef("city", position: 20), .eq, Literal("上海", position: 27)))
        XCTAssertEqual(next, tokens.count)
    }

    func testStrayClosingParen_isLeftForTheCaller() throws {
        let tokens = try Lexer.tokenize("a = 1)")
        let (_, next) = try FilterParser.parse(tokens, from: 0)
        XCTAssertEqual(next, 3)
        XCTAssertEqual(tokens[next].text, ")")
    }

    // MARK: malformed input

    func testEmptyFilter() {
        XCTAssertEqual(error(""), SyntaxError(message: "empty filter: expected a condition after 'where'", position: 0))
        let e = error("order by name")
        XCTAssertEqual(e?.position, 0)
        XCTAssertTrue(e?.message.contains("empty filter") == true, e?.message ?? "")
    }

    func testMissingValue_atTheEnd() {
        XCTAssertEqual(error("city ="), SyntaxError(message: "expected a value after '='", position: 6))
        XCTAssertEqual(error("city ~"), SyntaxError(message: "expected a value after '~'", position: 6))
        XCTAssertEqual(error("amount >= "), SyntaxError(message: "expected a value after '>='", position: 9))
    }

    func testMissingValue_beforeASymbol() {
        XCTAssertEqual(error("city = )"), SyntaxError(message: "expected a value after '='", position: 7))
        XCTAssertEqual(error("a == 1"), SyntaxError(message: "expected a value after '='", position: 3))
    }

    func testMissingOperator() {
        let e = error("city 上海")
        XCTAssertEqual(e?.position, 5)
        XCTAssertTrue(e?.message.hasPrefix("expected an operator after 'city'") == true, e?.message ?? "")
        XCTAssertEqual(error("city")?.position, 4)
    }

    func testMissingFieldName() {
        XCTAssertEqual(error("= 5"), SyntaxError(message: "expected a field name", position: 0))
        XCTAssertEqual(error("'city' = 5"), SyntaxError(message: "expected a field name", position: 0))
        XCTAssertEqual(error("a = 1 and or b = 2"), SyntaxError(message: "expected a field name", position: 10))
    }

    func testDanglingAnd_pointsPastTheEnd() {
        XCTAssertEqual(error("city = 上海 and"), SyntaxError(message: "expected a field name", position: 13))
        XCTAssertEqual(error("city = 上海 or ")?.position, 12)
        XCTAssertEqual(error("not")?.message, "expected a field name")
    }

    func testUnbalancedParen() {
        let e = error("(a = 1 or b = 2")
        XCTAssertEqual(e, SyntaxError(message: "missing ')' to close the '(' at column 1", position: 15))
        let nested = error("a = 1 and (b = 2 or (c = 3)")
        XCTAssertEqual(nested?.message, "missing ')' to close the '(' at column 11")
        XCTAssertEqual(nested?.position, 27)
        XCTAssertEqual(error("()")?.message, "expected a field name")
    }

    func testIn_withoutAList() {
        XCTAssertEqual(error("city in 上海"), SyntaxError(message: "expected '(' after 'in'", position: 8))
        XCTAssertEqual(error("city in"), SyntaxError(message: "expected '(' after 'in'", position: 7))
        XCTAssertEqual(error("city not in 上海")?.message, "expected '(' after 'in'")
    }

    func testIn_malformedLists() {
        XCTAssertEqual(error("city in ()"), SyntaxError(message: "expected a value after '('", position: 9))
        XCTAssertEqual(error("city in (上海,)"), SyntaxError(message: "expected a value after ','", position: 12))
        XCTAssertEqual(error("city in (上海 北京)"), SyntaxError(message: "missing ')' after the list of values", position: 12))
        XCTAssertEqual(error("city in (上海"), SyntaxError(message: "missing ')' after the list of values", position: 11))
    }

    func testIs_withoutNull() {
        XCTAssertEqual(error("phone is empty"), SyntaxError(message: "expected 'null' after 'is'", position: 9))
        XCTAssertEqual(error("phone is not"), SyntaxError(message: "expected 'null' after 'is'", position: 12))
        XCTAssertEqual(error("phone is"), SyntaxError(message: "expected 'null' after 'is'", position: 8))
    }

    func testNot_afterFieldNeedsIn() {
        XCTAssertEqual(error("city not 上海"), SyntaxError(message: "expected 'in' after 'not'", position: 9))
    }

    func testKeywordAsFieldName_isRefused() {
        XCTAssertEqual(error("and = 1"), SyntaxError(message: "expected a field name", position: 0))
        XCTAssertEqual(error("null is null")?.message, "expected a field name")
    }

    func testErrorsFromTheMiddleOfACommand_pointIntoTheWholeLine() throws {
        let tokens = try Lexer.tokenize("list customer where city =")
        XCTAssertThrowsError(try FilterParser.parse(tokens, from: 3)) { error in
            XCTAssertEqual(error as? SyntaxError, SyntaxError(message: "expected a value after '='", position: 26))
        }
    }
}
