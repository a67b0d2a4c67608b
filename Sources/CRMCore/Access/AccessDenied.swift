/// A command the caller's role does not allow (creating, changing, deleting, importing,
/// exporting, granting). Records the caller may not see are "not found" instead: their
/// existence is private too.
public struct AccessDenied: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
