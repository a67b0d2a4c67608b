import CRMCore

/// Parses the filter after `where` into a `Filter`.
///
/// ```
/// expr    := and ('or' and)*
/// and     := not ('and' not)*
/// not     := 'not' not | '(' expr ')' | 'in' SEGMENT | field op value | field '~' value
///          | field ['not'] 'in' '(' value, … ')' | field 'is' ['not'] 'null'
/// ```
/// `in SEGMENT` is a condition like any other: `in vip and city = 上海`, `not in fair-2026`.
/// Keywords are case-insensitive bare words. Parsing stops at the first token that cannot
/// continue the filter (`order`, `limit`, `set`, `to`, …); the caller checks what follows.
/// Nesting and size are capped (`FilterLimits`), so no input can exhaust the stack.
public enum FilterParser {
    public static func parse(_ tokens: [Token], from start: Int) throws -> (Filter, next: Int) {
        var p = Parser(tokens: tokens, index: start)
        if p.atEnd || p.isKeyword("order") || p.isKeyword("limit") || p.isKeyword("set") || p.isKeyword("to") {
            throw SyntaxError(message: "empty filter: expected a condition after 'where'", position: p.position)
        }
        let filter = try p.orExpression()
        return (filter, p.index)
    }

    /// `in SEGMENT` alone, as the clause before `where`.
    public static func parseSegment(_ tokens: [Token], from start: Int) throws -> (Filter, next: Int) {
        var p = Parser(tokens: tokens, index: start)
        let filter = try p.notExpression()
        return (filter, p.index)
    }

    static let keywords: Set<String> = ["and", "or", "not", "in", "is", "null", "order", "limit", "offset", "set", "to"]
    static let operators: [String: CompareOp] = ["=": .eq, "!=": .ne, "<": .lt, "<=": .le, ">": .gt, ">=": .ge]

    struct Parser {
        let tokens: [Token]
        var index: Int
        /// `(` and `not` levels open around the current token.
        var depth = 0
        /// Conditions read so far (each `in` list value counts).
        var conditions = 0

        var atEnd: Bool { index >= tokens.count }
        var peek: Token? { atEnd ? nil : tokens[index] }
        var position: Int { peek?.position ?? (tokens.last?.end ?? 0) }

        func isKeyword(_ k: String) -> Bool {
            guard let t = peek, t.kind == .word else { return false }
            return t.text.lowercased() == k
        }

        func isSymbol(_ s: String) -> Bool {
            guard let t = peek, t.kind == .symbol else { return false }
            return t.text == s
        }

        mutating func orExpression() throws -> Filter {
            var left = try andExpression()
            while isKeyword("or") {
                index += 1
                left = .or(left, try andExpression())
            }
            return left
        }

        mutating func andExpression() throws -> Filter {
            var left = try notExpression()
            while isKeyword("and") {
                index += 1
                left = .and(left, try notExpression())
            }
            return left
        }

        /// One more level of `(` or `not`, refused past `FilterLimits.maxDepth`.
        mutating func enter() throws {
            depth += 1
            if depth > FilterLimits.maxDepth { throw SyntaxError(message: FilterLimits.depthMessage(at: position), position: position) }
        }

        /// Counts `n` conditions, refused past `FilterLimits.maxConditions`.
        mutating func count(_ n: Int, at position: Int) throws {
            conditions += n
            if conditions > FilterLimits.maxConditions {
                throw SyntaxError(message: FilterLimits.conditionsMessage(at: position), position: position)
            }
        }

        mutating func notExpression() throws -> Filter {
            if isKeyword("not") {
                try enter()
                defer { depth -= 1 }
                index += 1
                return .not(try notExpression())
            }
            if isSymbol("(") {
                try enter()
                defer { depth -= 1 }
                let open = position
                index += 1
                let inner = try orExpression()
                guard isSymbol(")") else {
                    throw SyntaxError(message: "missing ')' to close the '(' at column \(open + 1)", position: position)
                }
                index += 1
                return inner
            }
            if isKeyword("in") {
                let at = position
                index += 1
                guard let t = peek, t.kind != .symbol else {
                    throw SyntaxError(message: "expected a segment name after 'in'", position: position)
                }
                try count(1, at: at)
                index += 1
                return .segment(t.text, position: t.position)
            }
            return try comparison()
        }

        mutating func comparison() throws -> Filter {
            guard let t = peek, t.kind == .word, !FilterParser.keywords.contains(t.text.lowercased()) else {
                throw SyntaxError(message: "expected a field name", position: position)
            }
            try count(1, at: t.position)
            index += 1
            let field = FieldRef(t.text, position: t.position)
            if let op = peek, op.kind == .symbol {
                if let compare = FilterParser.operators[op.text] {
                    index += 1
                    return .compare(field, compare, try value(after: op.text))
                }
                if op.text == "~" {
                    index += 1
                    return .contains(field, try value(after: "~"))
                }
            }
            if isKeyword("in") {
                index += 1
                return .isIn(field, try list())
            }
            if isKeyword("not") {
                index += 1
                guard isKeyword("in") else { throw SyntaxError(message: "expected 'in' after 'not'", position: position) }
                index += 1
                return .not(.isIn(field, try list()))
            }
            if isKeyword("is") {
                index += 1
                var negated = false
                if isKeyword("not") { negated = true; index += 1 }
                guard isKeyword("null") else { throw SyntaxError(message: "expected 'null' after 'is'", position: position) }
                index += 1
                return .isNull(field, negated: negated)
            }
            throw SyntaxError(message: "expected an operator after '\(t.text)' (one of = != < <= > >= ~ in is)", position: position)
        }

        mutating func value(after op: String) throws -> Literal {
            guard let t = peek, t.kind != .symbol else {
                throw SyntaxError(message: "expected a value after '\(op)'", position: position)
            }
            index += 1
            return Literal(t.text, quoted: t.kind == .quoted, position: t.position)
        }

        mutating func list() throws -> [Literal] {
            guard isSymbol("(") else { throw SyntaxError(message: "expected '(' after 'in'", position: position) }
            index += 1
            var values: [Literal] = []
            while true {
                // The comparison counted one; each further value counts too.
                if !values.isEmpty { try count(1, at: position) }
                values.append(try value(after: values.isEmpty ? "(" : ","))
                if isSymbol(",") { index += 1; continue }
                if isSymbol(")") { index += 1; return values }
                throw SyntaxError(message: "missing ')' after the list of values", position: position)
            }
        }
    }
}
