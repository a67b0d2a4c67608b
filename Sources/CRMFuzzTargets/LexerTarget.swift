import CRMShell

/// The command lexer and the parsers built on it.
enum LexerTarget {
    static func run(_ bytes: [UInt8]) throws {
        let line = text(bytes)
        let count = line.count
        _ = Lexer.needsContinuation(line)
        do {
            let tokens = try Lexer.tokenize(line)
            var previousEnd = 0
            for t in tokens {
                try check(t.position >= previousEnd && t.position < t.end && t.end <= count,
                          "token '\(t.text)' at \(t.position)..<\(t.end) is out of order or outside 0..<\(count)")
                if t.kind == .word { try check(!t.text.isEmpty, "empty word at \(t.position)") }
                previousEnd = t.end
            }
            _ = Lexer.joinedText(tokens[...])
        } catch let e as SyntaxError {
            try check(e.position >= 0 && e.position <= count, "syntax error position \(e.position) outside 0...\(count)")
        }
        // The same text as a filter and as an `order by` tail, the way plugins pass them.
        _ = try? Session.parseFilter(line)
        _ = try? Session.parseOrder(line)
    }
}
