/// A piece of a command line: a bare word, a quoted string, or a symbol.
public struct Token: Equatable {
    public enum Kind: Equatable { case word, quoted, symbol }
    public var kind: Kind
    /// The text; for a quoted token, the unescaped content without the quotes.
    public var text: String
    /// Character offset of the token's first character (the quote for a quoted token).
    public var position: Int
    /// Character offset just past the token.
    public var end: Int
    /// True when whitespace or the line start precedes the token.
    public var spaceBefore: Bool

    public init(kind: Kind, text: String, position: Int, end: Int, spaceBefore: Bool) {
        self.kind = kind
        self.text = text
        self.position = position
        self.end = end
        self.spaceBefore = spaceBefore
    }
}
