/// A command that cannot be read as written, with where in the line it went wrong.
public struct SyntaxError: Error, Equatable, CustomStringConvertible {
    public var message: String
    /// 0-based character offset into the command line.
    public var position: Int

    public init(message: String, position: Int) {
        self.message = message
        self.position = position
    }

    public var description: String { message }
}
