import CRMCore

/// Splits a command line into tokens.
///
/// Whitespace separates tokens; `= != < <= > >= ~ ( ) ,` are symbols; anything else is a
/// word (`name=王芳` is `name`, `=`, `王芳`; `-7d` and `a@b.com` are single words). Quotes
/// ('…' or "…") start a quoted token only at the start of a token and decode `\\ \' \" \n \t`.
/// `#` at the start of a token begins a comment (but `#12` is an id); a backslash before a
/// newline joins lines.
public enum Lexer {
    static let symbolStarts: Set<Character> = ["=", "!", "<", ">", "~", "(", ")", ","]

    public static func tokenize(_ line: String) throws -> [Token] {
        try checkIsText(line)
        let chars = Array(line)
        var tokens: [Token] = []
        var i = 0
        var spaceBefore = true
        while i < chars.count {
            let c = chars[i]
            // "\r\n" is a single Character in Swift, so `isNewline` covers CRLF files too.
            if c == "\\", i + 1 < chars.count, chars[i + 1].isNewline {
                i += 2
                spaceBefore = true
                continue
            }
            if c == "\\", i + 1 == chars.count {
                i += 1
                continue
            }
            if c.isWhitespace {
                i += 1
                spaceBefore = true
                continue
            }
            if c == "#" && spaceBefore && !Lexer.startsID(chars, i) {
                while i < chars.count, chars[i] != "\n" { i += 1 }
                continue
            }
            let start = i
            if c == "'" || c == "\"" {
                var text = ""
                i += 1
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    if d == c { closed = true; i += 1; break }
                    if d == "\\", i + 1 < chars.count {
                        let e = chars[i + 1]
                        switch e {
                        case "\\", "'", "\"": text.append(e)
                        case "n": text.append("\n")
                        case "t": text.append("\t")
                        default: text.append(d); text.append(e)
                        }
                        i += 2
                        continue
                    }
                    text.append(d)
                    i += 1
                }
                guard closed else { throw SyntaxError(message: "unterminated quote", position: start) }
                tokens.append(Token(kind: .quoted, text: text, position: start, end: i, spaceBefore: spaceBefore))
            } else if let symbol = symbol(chars, at: i) {
                i += symbol.count
                tokens.append(Token(kind: .symbol, text: symbol, position: start, end: i, spaceBefore: spaceBefore))
            } else {
                var text = ""
                while i < chars.count {
                    let d = chars[i]
                    if d.isWhitespace || symbol(chars, at: i) != nil { break }
                    if d == "\\", i + 1 == chars.count || chars[i + 1].isNewline { break }
                    text.append(d)
                    i += 1
                }
                tokens.append(Token(kind: .word, text: text, position: start, end: i, spaceBefore: spaceBefore))
            }
            spaceBefore = false
        }
        return tokens
    }

    /// Refuses a line over `LineReader.maxLineBytes` (before it is split into characters,
    /// which takes many times its size) and a line with a NUL byte, pointing at it: a NUL
    /// is never part of a command, and C code would silently cut the text there.
    static func checkIsText(_ line: String) throws {
        if line.utf8.count > LineReader.maxLineBytes {
            throw SyntaxError(message: "the line is longer than the limit of \(LineReader.maxLineBytes >> 20) MiB", position: 0)
        }
        guard line.utf8.contains(0) else { return }
        let offset = line.firstIndex(where: { $0.unicodeScalars.contains("\0") }).map { line.distance(from: line.startIndex, to: $0) } ?? 0
        throw SyntaxError(message: "a NUL byte at column \(offset + 1): a command line must be text", position: offset)
    }

    /// `#12` is an id, not a comment: a `#` with a digit right after it.
    static func startsID(_ chars: [Character], _ i: Int) -> Bool {
        i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber
    }

    static func symbol(_ chars: [Character], at i: Int) -> String? {
        let c = chars[i]
        guard symbolStarts.contains(c) else { return nil }
        let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
        switch c {
        case "!": return next == "=" ? "!=" : nil
        case "<", ">": return next == "=" ? "\(c)=" : String(c)
        default: return String(c)
        }
    }

    /// True when the text needs another line before it can run: it ends with a `\`
    /// outside quotes, or a quote is still open.
    public static func needsContinuation(_ text: String) -> Bool {
        // Too long to run anyway: `tokenize` refuses it; don't split it into characters here.
        if text.utf8.count > LineReader.maxLineBytes { return false }
        var quote: Character?
        var escaped = false
        var tokenStart = true   // a quote may open here (after whitespace or a symbol)
        var afterSpace = true   // a comment may open here (after whitespace only, as in `tokenize`)
        var comment = false
        let chars = Array(text)
        for (i, c) in chars.enumerated() {
            if comment {
                if c.isNewline { comment = false; tokenStart = true; afterSpace = true }
                continue
            }
            if let q = quote {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { quote = nil }
                continue
            }
            if afterSpace && c == "#" && !startsID(chars, i) { comment = true; continue }
            if tokenStart && (c == "'" || c == "\"") { quote = c; tokenStart = false; afterSpace = false; continue }
            afterSpace = c.isWhitespace
            tokenStart = afterSpace || symbolStarts.contains(c)
        }
        if quote != nil { return true }
        if comment { return false }
        var trimmed = Substring(text)
        while let last = trimmed.last, last.isNewline { trimmed = trimmed.dropLast() }
        return trimmed.last == "\\"
    }

    /// The source text of adjacent tokens glued back together (quoted tokens give their content).
    public static func joinedText(_ tokens: ArraySlice<Token>) -> String {
        tokens.map(\.text).joined()
    }
}
