@testable import CRMShell
import XCTest

final class LexerTests: XCTestCase {
    /// (kind, text) pairs, the part of a token most tests care about.
    func shape(_ line: String) throws -> [String] {
        try Lexer.tokenize(line).map { t in
            switch t.kind {
            case .word: return "w:" + t.text
            case .quoted: return "q:" + t.text
            case .symbol: return "s:" + t.text
            }
        }
    }

    // MARK: words

    func testWords_splitOnWhitespace() throws {
        XCTAssertEqual(try shape("list   customer\tlimit 5"), ["w:list", "w:customer", "w:limit", "w:5"])
    }

    func testWords_emptyAndBlankLinesGiveNoTokens() throws {
        XCTAssertEqual(try Lexer.tokenize(""), [])
        XCTAssertEqual(try Lexer.tokenize("   \t  "), [])
    }

    func testWords_dashesAtSignsAndDotsStayInOneWord() throws {
        XCTAssertEqual(try shape("due > -7d email ~ a.b@example.com"),
                       ["w:due", "s:>", "w:-7d", "w:email", "s:~", "w:a.b@example.com"])
    }

    func testWords_chineseWordsAreWords() throws {
        XCTAssertEqual(try shape("find 王芳"), ["w:find", "w:王芳"])
        XCTAssertEqual(try shape("add customer name=王芳 city=上海"),
                       ["w:add", "w:customer", "w:name", "s:=", "w:王芳", "w:city", "s:=", "w:上海"])
    }

    func testWords_fullWidthSpaceSeparatesWords() throws {
        // U+3000 IDEOGRAPHIC SPACE is whitespace, as typed by Chinese input methods.
        XCTAssertEqual(try shape("find\u{3000}王芳"), ["w:find", "w:王芳"])
    }

    func testWords_lonelyBangIsPartOfAWord() throws {
        XCTAssertEqual(try shape("a!b !x"), ["w:a!b", "w:!x"])
    }

    // MARK: symbols

    func testSymbols_everyOperatorAlone() throws {
        XCTAssertEqual(try shape("= != < <= > >= ~ ( ) ,"),
                       ["s:=", "s:!=", "s:<", "s:<=", "s:>", "s:>=", "s:~", "s:(", "s:)", "s:,"])
    }

    func testSymbols_splitWordsWithoutSpaces() throws {
        XCTAssertEqual(try shape("a=1"), ["w:a", "s:=", "w:1"])
        XCTAssertEqual(try shape("a!=1"), ["w:a", "s:!=", "w:1"])
        XCTAssertEqual(try shape("a<=1"), ["w:a", "s:<=", "w:1"])
        XCTAssertEqual(try shape("a>=1"), ["w:a", "s:>=", "w:1"])
        XCTAssertEqual(try shape("a<1"), ["w:a", "s:<", "w:1"])
        XCTAssertEqual(try shape("a>1"), ["w:a", "s:>", "w:1"])
        XCTAssertEqual(try shape("a~x"), ["w:a", "s:~", "w:x"])
        XCTAssertEqual(try shape("city in(上海,北京)"),
                       ["w:city", "w:in", "s:(", "w:上海", "s:,", "w:北京", "s:)"])
    }

    func testSymbols_doubleEqualsIsTwoSymbols() throws {
        XCTAssertEqual(try shape("a==1"), ["w:a", "s:=", "s:=", "w:1"])
    }

    // MARK: quotes

    func testQuoted_singleAndDoubleKeepSpaces() throws {
        XCTAssertEqual(try shape("name='王 芳' city=\"New York\""),
                       ["w:name", "s:=", "q:王 芳", "w:city", "s:=", "q:New York"])
    }

    func testQuoted_emptyQuotesGiveAnEmptyQuotedToken() throws {
        let tokens = try Lexer.tokenize("notes=''")
        XCTAssertEqual(tokens.count, 3)
        XCTAssertEqual(tokens[2].kind, .quoted)
        XCTAssertEqual(tokens[2].text, "")
    }

    func testQuoted_symbolsAndKeywordsInsideStayText() throws {
        XCTAssertEqual(try shape("x = 'a = b, (c) or d'"), ["w:x", "s:=", "q:a = b, (c) or d"])
    }

    func testQuoted_escapesAreDecoded() throws {
        XCTAssertEqual(try Lexer.tokenize(#"'it\'s' "say \"hi\"" 'a\\b' 'l1\nl2\tx'"#).map(\.text),
                       ["it's", "say \"hi\"", "a\\b", "l1\nl2\tx"])
    }

    func testQuoted_otherQuoteKindNeedsNoEscape() throws {
        XCTAssertEqual(try Lexer.tokenize(#""it's" 'say "hi"'"#).map(\.text), ["it's", "say \"hi\""])
    }

    func testQuoted_unknownEscapeKeepsTheBackslash() throws {
        XCTAssertEqual(try Lexer.tokenize(#"'C:\data\x'"#).map(\.text), [#"C:\data\x"#])
    }

    func testQuoted_apostropheInsideAWordIsLiteral() throws {
        XCTAssertEqual(try shape("name=O'Brien"), ["w:name", "s:=", "w:O'Brien"])
    }

    func testQuoted_quotedWordIsNeverAKeywordOrSymbol() throws {
        let tokens = try Lexer.tokenize("'and' '='")
        XCTAssertEqual(tokens.map(\.kind), [.quoted, .quoted])
    }

    // MARK: positions

    func testPositions_areCharacterOffsetsNotBytes() throws {
        // 王芳 is 6 UTF-8 bytes but 2 characters.
        let tokens = try Lexer.tokenize("find 王芳 x")
        XCTAssertEqual(tokens.map(\.position), [0, 5, 8])
        XCTAssertEqual(tokens.map(\.end), [4, 7, 9])
    }

    func testPositions_quotedTokenStartsAtTheQuoteAndEndsPastIt() throws {
        let tokens = try Lexer.tokenize("a='王 芳' b")
        XCTAssertEqual(tokens[2].position, 2)
        XCTAssertEqual(tokens[2].end, 7)
        XCTAssertEqual(tokens[3].position, 8)
    }

    func testPositions_emojiAndCombiningMarksCountAsOneCharacter() throws {
        // "e\u{301}" is one Character (é as e + combining acute); 👍🏽 is one Character.
        let tokens = try Lexer.tokenize("e\u{301} 👍🏽 z")
        XCTAssertEqual(tokens.map(\.position), [0, 2, 4])
    }

    func testPositions_symbolsHaveTheirOwnSpan() throws {
        let tokens = try Lexer.tokenize("ab<=cd")
        XCTAssertEqual(tokens.map(\.position), [0, 2, 4])
        XCTAssertEqual(tokens.map(\.end), [2, 4, 6])
    }

    func testSpaceBefore_marksGluedTokens() throws {
        let tokens = try Lexer.tokenize("tags=vip,new x")
        XCTAssertEqual(tokens.map(\.spaceBefore), [true, false, false, false, false, true])
    }

    // MARK: errors

    func testUnterminatedQuote_throwsAtTheOpeningQuote() throws {
        XCTAssertThrowsError(try Lexer.tokenize("add customer name='王芳")) { error in
            XCTAssertEqual(error as? SyntaxError, SyntaxError(message: "unterminated quote", position: 18))
        }
        XCTAssertThrowsError(try Lexer.tokenize("王芳 \"abc")) { error in
            XCTAssertEqual((error as? SyntaxError)?.position, 3)
        }
    }

    func testUnterminatedQuote_escapedClosingQuoteDoesNotClose() throws {
        XCTAssertThrowsError(try Lexer.tokenize(#"x='abc\'"#)) { error in
            XCTAssertEqual((error as? SyntaxError)?.position, 2)
        }
    }

    // MARK: comments and continuation

    func testComment_atTokenStartRunsToLineEnd() throws {
        XCTAssertEqual(try shape("list customer # all of them\nlimit 2"),
                       ["w:list", "w:customer", "w:limit", "w:2"])
        XCTAssertEqual(try shape("# only a comment"), [])
    }

    func testComment_hashInsideAWordOrAfterASymbolIsText() throws {
        XCTAssertEqual(try shape("a=b#c"), ["w:a", "s:=", "w:b#c"])
        XCTAssertEqual(try shape("ref=#12"), ["w:ref", "s:=", "w:#12"])
        XCTAssertEqual(try shape("x='# not a comment'"), ["w:x", "s:=", "q:# not a comment"])
    }

    func testHashBeforeADigitIsAnID_notAComment() throws {
        XCTAssertEqual(try shape("show customer #12"), ["w:show", "w:customer", "w:#12"])
        XCTAssertEqual(try shape("list deal where customer = #1 # the first"), ["w:list", "w:deal", "w:where", "w:customer", "s:=", "w:#1"])
        XCTAssertTrue(Lexer.needsContinuation("add task title='x' customer= #1 notes='open"))
    }

    func testBackslashNewline_joinsLinesAsWhitespace() throws {
        XCTAssertEqual(try shape("list customer \\\nlimit 5"), ["w:list", "w:customer", "w:limit", "w:5"])
        XCTAssertEqual(try shape("list customer\\\nlimit 5"), ["w:list", "w:customer", "w:limit", "w:5"])
    }

    func testBackslashCRLF_joinsLinesAsWhitespace() throws {
        // In Swift "\r\n" is one Character; a script saved with Windows line ends must still join.
        XCTAssertEqual(try shape("list customer \\\r\nlimit 5"), ["w:list", "w:customer", "w:limit", "w:5"])
        XCTAssertEqual(try shape("list customer\\\r\nlimit 5"), ["w:list", "w:customer", "w:limit", "w:5"])
    }

    func testTrailingBackslash_isDropped() throws {
        XCTAssertEqual(try shape("list customer \\"), ["w:list", "w:customer"])
        // needsContinuation treats both spellings alike, so the lexer must too (`crm -c 'list customer\'`).
        XCTAssertEqual(try shape("list customer\\"), ["w:list", "w:customer"])
    }

    func testBackslashInsideAWord_isLiteral() throws {
        XCTAssertEqual(try shape(#"path=C:\data\x y"#), ["w:path", "s:=", #"w:C:\data\x"#, "w:y"])
    }

    func testNeedsContinuation_trailingBackslash() {
        XCTAssertTrue(Lexer.needsContinuation("list customer \\"))
        XCTAssertTrue(Lexer.needsContinuation("list customer\\"))
        XCTAssertTrue(Lexer.needsContinuation("list customer \\\nwhere city = 上海 \\"))
        XCTAssertFalse(Lexer.needsContinuation("list customer \\\nwhere city = 上海"))
        XCTAssertFalse(Lexer.needsContinuation("list customer"))
        XCTAssertFalse(Lexer.needsContinuation(""))
    }

    func testNeedsContinuation_trailingBackslashBeforeALineEnd() {
        // A line read from a CRLF file may still carry its line end.
        XCTAssertTrue(Lexer.needsContinuation("list customer \\\r\n"))
        XCTAssertTrue(Lexer.needsContinuation("list customer \\\n"))
        XCTAssertTrue(Lexer.needsContinuation("list customer \\\r"))
    }

    func testNeedsContinuation_openQuote() {
        XCTAssertTrue(Lexer.needsContinuation("add customer notes='first line"))
        XCTAssertTrue(Lexer.needsContinuation("add customer notes=\"王"))
        XCTAssertTrue(Lexer.needsContinuation(#"add customer notes='it\'s"#))
        XCTAssertFalse(Lexer.needsContinuation("add customer notes='first line\nsecond'"))
        XCTAssertFalse(Lexer.needsContinuation(#"add customer notes='a\\'"#))
    }

    func testNeedsContinuation_backslashInsideOpenQuoteIsNotAJoin() {
        // Still open either way; what matters is that the quote, not the backslash, decides.
        XCTAssertTrue(Lexer.needsContinuation("x='abc \\"))
        XCTAssertFalse(Lexer.needsContinuation("x='abc \\\\'"))
    }

    func testNeedsContinuation_apostropheInsideAWordIsNotAQuote() {
        XCTAssertFalse(Lexer.needsContinuation("add customer name=O'Brien"))
    }

    func testNeedsContinuation_commentsHideQuotesAndBackslashes() {
        XCTAssertFalse(Lexer.needsContinuation("list customer # don't"))
        XCTAssertFalse(Lexer.needsContinuation("list customer # ends with \\"))
    }

    func testNeedsContinuation_hashAfterASymbolIsNotAComment() {
        // The lexer reads `name=#1` as a word, so a quote opened after it is still open.
        XCTAssertThrowsError(try Lexer.tokenize("add customer name=#1 notes='open"))
        XCTAssertTrue(Lexer.needsContinuation("add customer name=#1 notes='open"))
        XCTAssertTrue(Lexer.needsContinuation("list customer where (#x = 'a"))
    }

    func testNeedsContinuation_agreesWithTokenizeOnCompleteText() throws {
        let lines = ["list customer", "add customer name='王 芳'", "x=O'Brien", "a # b 'c", "x='a\\'b'",
                     "x=\"it's\"", "ref=#1 y='z'"]
        for line in lines {
            XCTAssertFalse(Lexer.needsContinuation(line), line)
            XCTAssertNoThrow(try Lexer.tokenize(line), line)
        }
    }

    // MARK: joinedText

    func testJoinedText_gluesAdjacentTokens() throws {
        let tokens = try Lexer.tokenize("tags=vip,new")
        XCTAssertEqual(Lexer.joinedText(tokens[2...]), "vip,new")
        XCTAssertEqual(Lexer.joinedText(tokens[...]), "tags=vip,new")
    }

    func testJoinedText_quotedTokensGiveTheirContent() throws {
        let quoted = try Lexer.tokenize("x='a b',\"c\"")
        XCTAssertEqual(Lexer.joinedText(quoted[2...]), "a b,c")
    }

    func testJoinedText_emptySliceIsEmpty() {
        XCTAssertEqual(Lexer.joinedText([]), "")
    }

    func testGluedValue_stopsAtASpace() throws {
        let line = "add customer tags=vip,new name=王芳"
        var cursor = TokenCursor(tokens: try Lexer.tokenize(line), endPosition: line.count)
        _ = cursor.next(); _ = cursor.next()
        let pairs = try cursor.assignments()
        XCTAssertEqual(pairs.map(\.value), ["vip,new", "王芳"])
        XCTAssertEqual(pairs.map(\.position), [18, 31])
    }
}
