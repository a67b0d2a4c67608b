import CRMCore
import Foundation

/// The psql-style conveniences of one run: `timing`, `output to FILE`, the destructive-command
/// guard, and the hooks only an interactive prompt provides (an editor, a y/N question).
///
/// Batch runs leave `confirm` and `edit` nil: nothing ever waits for an answer there.
public final class PromptState {
    /// `timing on`: print how long each command took (on stderr).
    public var timing = false
    /// How long the last command took to run, in seconds (set by `Session.execute`).
    public var lastDuration: Double = 0
    /// `confirm N`: at the prompt, `update … where` and `delete … where` touching more than
    /// this many records ask first; nil never asks.
    public var confirmAbove: Int? = PromptState.defaultConfirmAbove
    /// The threshold a new shell starts with.
    public static let defaultConfirmAbove = 20
    /// Asks the user a yes/no question and returns the answer; nil outside the prompt.
    public var confirm: ((String) -> Bool)?
    /// Adds a command to the prompt's history (what `edit` ran); nil outside the prompt.
    public var history: ((String) -> Void)?
    /// Shows one result as soon as it is ready (a `run FILE`'s commands, one by one).
    public var emit: ((Output) -> Void)?
    /// The last command typed at the prompt, which `edit` starts from.
    public var lastCommand: String?
    /// How many `run FILE` are running inside each other (a file that runs itself stops).
    public var runDepth = 0
    public static let maxRunDepth = 16

    /// Where results go after `output to FILE`, nil for standard output.
    public private(set) var outputPath: String?
    private var outputDescriptor: Int32 = -1

    public init() {}

    /// Sends results to `path` from now on (created or emptied, mode 0600).
    public func redirect(to path: String) throws {
        let fd = try PrivateFile.create(path)
        closeOutput()
        outputDescriptor = fd
        outputPath = path
    }

    /// Results go back to standard output.
    public func closeOutput() {
        if outputDescriptor >= 0 { close(outputDescriptor) }
        outputDescriptor = -1
        outputPath = nil
    }

    /// True while results go to a file rather than the terminal.
    public var isRedirected: Bool { outputDescriptor >= 0 }

    /// Writes rendered results: to the `output` file when there is one, else to stdout.
    public func writeResult(_ text: String) {
        Terminal.write(text, to: isRedirected ? outputDescriptor : STDOUT_FILENO)
    }

    /// `Time: 1.234 ms`, psql's wording, for the last command.
    public var timingLine: String {
        "Time: " + String(format: "%.3f", lastDuration * 1000) + " ms"
    }

    /// Asks before a command that would touch `count` records, when that is more than the
    /// threshold and someone is there to answer. Throws when the answer is no.
    public func guardDestructive(_ action: String, count: Int, entity: String) throws {
        guard let limit = confirmAbove, count > limit, let confirm else { return }
        let question = "\(action) \(count) \(entity) records (more than \(limit))? [y/N] "
        guard confirm(question) else {
            throw ScriptError("\(action) cancelled; nothing was changed (confirm N sets when to ask)")
        }
    }
}
