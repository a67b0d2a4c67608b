import CRMCore
import Foundation

/// What the prompt lends the verbs while it runs: a y/N question, its history, and
/// showing a `run FILE`'s results as they come.
extension Repl {
    func connect(_ editor: LineEditor) {
        let state = session.prompt
        state.confirm = { question in
            // An answer, not a command: kept out of the history. Ctrl-C or Ctrl-D is no.
            guard case .line(let answer) = editor.readLine(prompt: question) else { return false }
            return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
        }
        state.history = { editor.addHistory($0) }
        state.emit = { [unowned self] output in
            self.show(output)
            if state.timing { Terminal.write(state.timingLine + "\n", to: STDERR_FILENO) }
        }
    }

    func disconnect() {
        let state = session.prompt
        state.confirm = nil
        state.history = nil
        state.emit = nil
    }

    /// `edit` and `\e` start from the last command instead of becoming it.
    static func isEdit(_ text: String) -> Bool {
        let first = text.split(whereSeparator: { $0.isWhitespace }).first.map { $0.lowercased() }
        return first == "edit" || first == "\\e"
    }
}
