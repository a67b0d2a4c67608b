import CRMCore

/// Walks the tokens of one command, with the small parsing steps every verb shares.
public struct TokenCursor {
    public let tokens: [Token]
    public var index: Int
    /// The character length of the line, where "at the end" errors point.
    public let endPosition: Int

    public init(tokens: [Token], index: Int = 0, endPosition: Int) {
        self.tokens = tokens
        self.index = index
        self.endPosition = endPosition
    }

    public var atEnd: Bool { index >= tokens.count }
    public var peek: Token? { atEnd ? nil : tokens[index] }
    /// Where the next token starts, or the end of the line.
    public var position: Int { peek?.position ?? endPosition }

    public mutating func next() -> Token? {
        guard let t = peek else { return nil }
        index += 1
        return t
    }

    /// True when the next token is this bare keyword (case-insensitive; never a quoted word).
    public func isKeyword(_ keyword: String) -> Bool {
        guard let t = peek, t.kind == .word else { return false }
        return t.text.lowercased() == keyword
    }

    public mutating func consumeKeyword(_ keyword: String) -> Bool {
        guard isKeyword(keyword) else { return false }
        index += 1
        return true
    }

    public mutating func expectKeyword(_ keyword: String, after what: String) throws {
        guard consumeKeyword(keyword) else {
            throw SyntaxError(message: "expected '\(keyword)' after \(what)", position: position)
        }
    }

    /// The next token as a name or value (bare word or quoted).
    public mutating func word(_ what: String) throws -> Token {
        guard let t = peek, t.kind != .symbol else {
            throw SyntaxError(message: "expected \(what)", position: position)
        }
        index += 1
        return t
    }

    /// The next token as a record id.
    public mutating func id(of entity: String) throws -> Int64 {
        let t = try word("the id of a \(entity)")
        let text = t.text.hasPrefix("#") ? String(t.text.dropFirst()) : t.text
        guard let id = Int64(text), id > 0 else {
            throw SyntaxError(message: "expected the id of a \(entity) (a whole number), got '\(t.text)'", position: t.position)
        }
        return id
    }

    /// The next token as a non-negative whole number.
    public mutating func count(_ what: String) throws -> Int {
        let t = try word("a number after \(what)")
        guard let n = Int(t.text), n >= 0 else {
            throw SyntaxError(message: "expected a whole number after \(what), got '\(t.text)'", position: t.position)
        }
        return n
    }

    /// An optional trailing `--dry-run` (a command that rehearses, like `merge … --dry-run`):
    /// true when given or when the run is a dry run anyway; anything else there is an error
    /// naming what came before it (`after 'tiers recompute'`).
    public mutating func trailingDryRun(_ inDryRun: Bool, after command: String) throws -> Bool {
        guard !atEnd else { return inDryRun }
        let glued = gluedValue()
        guard glued.text == "--dry-run" else {
            throw SyntaxError(message: "expected --dry-run or the end after '\(command)'", position: glued.position)
        }
        return true
    }

    /// The rest of a value: this token and the ones glued to it without spaces
    /// (`tags=vip,new` gives `vip,new`); empty if the value is missing.
    public mutating func gluedValue() -> (text: String, quoted: Bool, position: Int) {
        guard let first = peek else { return ("", false, position) }
        let start = index
        index += 1
        while let t = peek, !t.spaceBefore { index += 1 }
        let slice = tokens[start..<index]
        return (Lexer.joinedText(slice), slice.count == 1 && first.kind == .quoted, first.position)
    }

    /// `field=value …` pairs up to the end of the command.
    public mutating func assignments() throws -> [(field: Token, value: String, position: Int)] {
        var result: [(Token, String, Int)] = []
        while !atEnd {
            let field = try word("field=value")
            guard let eq = peek, eq.kind == .symbol, eq.text == "=" else {
                throw SyntaxError(message: "expected '=' after '\(field.text)' (write field=value)", position: position)
            }
            index += 1
            if atEnd || peek!.spaceBefore {
                // `name=` followed by a space or the end: an empty value, which clears the field.
                result.append((field, "", eq.position + 1))
                continue
            }
            let value = gluedValue()
            result.append((field, value.text, value.position))
        }
        return result
    }

    /// Fails when tokens are left over.
    public func expectEnd(_ usage: String) throws {
        if let t = peek {
            throw SyntaxError(message: "unexpected '\(t.text)' (usage: \(usage))", position: t.position)
        }
    }
}
