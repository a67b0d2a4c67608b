import CRMCore
import CRMLua
import Foundation

/// The interactive prompt: libedit line editing, history across sessions, Tab completion,
/// continuation lines, Ctrl-C that abandons the line and Ctrl-D or `quit` to leave.
public final class Repl {
    let session: Session
    let historyPath: String?

    public init(session: Session, historyPath: String?) {
        self.session = session
        self.historyPath = historyPath
    }

    /// `$XDG_STATE_HOME/crm/history`, or `~/.local/state/crm/history`.
    public static func defaultHistoryPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/crm/history" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/state/crm/history"
    }

    /// Runs until the user leaves; returns the exit code.
    public func run() -> Int32 {
        let editor = LineEditor(name: "crm", historyPath: historyPath)
        let completer = Completer(session: session)
        editor.completer = { completer.complete($0) }
        let color = Terminal.colorAllowed(STDERR_FILENO)
        connect(editor)
        defer { disconnect() }
        Terminal.write("CRM Shell on \(session.store.displayName). Type help for commands, quit or Ctrl-D to leave.\n", to: STDOUT_FILENO)
        var pending: String?
        while !session.quitRequested {
            let prompt = pending == nil ? self.prompt() : String(repeating: " ", count: max(0, promptWidth() - 5)) + "...> "
            switch editor.readLine(prompt: prompt) {
            case .endOfInput:
                if pending != nil { pending = nil; Terminal.write("\n", to: STDOUT_FILENO); continue }
                Terminal.write("\n", to: STDOUT_FILENO)
                session.quitRequested = true
            case .interrupted:
                pending = nil
            case .line(let line):
                let text = pending.map { $0 + "\n" + line } ?? line
                if Lexer.needsContinuation(text) {
                    pending = text
                    continue
                }
                pending = nil
                guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                // Leaving is not worth recalling: Up in the next session gives the last real command.
                if !["quit", "exit", "\\q"].contains(text.trimmingCharacters(in: .whitespaces)) {
                    editor.addHistory(text)
                }
                if !Self.isEdit(text) { session.prompt.lastCommand = text }
                execute(text, color: color)
            }
        }
        editor.saveHistory()
        if session.store.transactionDepth > 0 {
            while session.store.transactionDepth > 0 { try? session.store.rollback() }
            Terminal.write("the open transaction was rolled back\n", to: STDERR_FILENO)
        }
        return 0
    }

    /// Writes one result to the screen, or to the `output to` file (never cut to the
    /// terminal's width there, and without colour).
    /// Writes a result: to the screen (fitted to the terminal, through the pager when it
    /// is taller than the screen) or, after `output to FILE`, whole into that file.
    func show(_ output: Output) {
        let state = session.prompt
        let onScreen = !state.isRedirected
        let options = RenderOptions(format: session.format, terminalWidth: onScreen ? Terminal.width() : nil,
                                    color: onScreen && Terminal.colorAllowed(STDOUT_FILENO), expanded: session.expanded)
        let text = Renderer.render(output, options: options)
        if onScreen {
            Pager.write(text, mode: session.pager)
        } else {
            state.writeResult(text)
        }
    }

    func prompt() -> String {
        "crm:\(session.store.displayName)\(session.store.transactionDepth > 0 ? "*" : "")> "
    }

    func promptWidth() -> Int { DisplayWidth.of(prompt()) }

    func execute(_ text: String, color: Bool) {
        do {
            let output = try LuaInterrupt.whileRunning { try session.execute(text) }
            show(output)
            if session.prompt.timing { Terminal.write(session.prompt.timingLine + "\n", to: STDERR_FILENO) }
        } catch {
            if session.prompt.timing { Terminal.write(session.prompt.timingLine + "\n", to: STDERR_FILENO) }
            let (message, position) = ErrorPresenter.describe(error)
            let label = color ? "\u{1B}[1;31merror:\u{1B}[0m " : "error: "
            var out = label + message + "\n"
            if let position, !text.contains("\n"), position <= text.count {
                let prefix = String(text.prefix(position))
                out += "  " + text + "\n  " + String(repeating: " ", count: DisplayWidth.of(prefix)) + "^\n"
            }
            Terminal.write(out, to: STDERR_FILENO)
        }
    }
}
