import CRMCore

/// One command of the shell: its help text, how to complete it, and how it runs.
///
/// A verb parses its own arguments from the cursor (throwing `SyntaxError` before it has
/// any effect) and returns data; it never prints. Built-in verbs and plugin verbs are
/// registered in the same `VerbRegistry`.
public protocol Verb {
    var name: String { get }
    /// Other names the verb answers to (`exit` for `quit`).
    var aliases: [String] { get }
    /// One line for the `help` overview.
    var summary: String { get }
    /// The syntax, one form per line.
    var usage: [String] { get }
    /// A paragraph or two and examples, shown by `help <verb>`.
    var details: String { get }
    /// What Tab completes after the verb.
    var completion: CompletionShape { get }
    /// True for verbs that write: the batch runner counts them for `--dry-run`.
    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output
}

extension Verb {
    public var aliases: [String] { [] }
    public var usageLine: String { usage.joined(separator: " | ") }
}

/// The shape of a verb's arguments, as far as completion needs to know.
public enum CompletionShape: Sendable {
    case nothing
    /// `<entity>`
    case entity
    /// `<entity> <id>`
    case entityAndID
    /// `<entity> field=value …`
    case entityAndAssignments
    /// `<entity> [where …] [order by …] [limit N]`, and `set` for update.
    case entityAndQuery
    /// `<verb>`
    case verb
    /// `<format>`
    case format
    /// `<entity> <file> [map …]`
    case entityAndFile
    /// A plugin command's parameters: name, the values it takes (enums), the entity it refers to.
    case parameters([(name: String, choices: [String], entity: String?)])
    /// `<name>` of a plugin report, then its `param=value`s.
    case report
    /// One of these words, then a file name (`backup to FILE`).
    case keywordThenFile([String])
}
