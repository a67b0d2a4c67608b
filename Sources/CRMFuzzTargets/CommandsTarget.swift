import CRMCore
import CRMShell

/// Command lines as a user types them: each line of the input runs through
/// `Session.execute` on an in-memory store, and what it returns is rendered in the
/// session's format. Verbs that reach outside the store (files, Lua, plugins) are skipped;
/// the other targets and the suite cover what they parse.
///
/// Every input must replay alone, from the same records. A fresh store per input costs
/// ~15 ms, so the store is reused inside a transaction rolled back after each input; when
/// the input's own `commit` or `rollback` ends that transaction, the store is dropped.
enum CommandsTarget {
    static let allowedVerbs: Set<String> = [
        "add", "show", "list", "count", "update", "delete", "find", "history", "entities", "describe",
        "begin", "commit", "rollback", "format", "help", "quit",
    ]
    /// Lines per input: enough for `begin … commit` sequences, few enough to stay fast.
    static let maxLines = 8

    nonisolated(unsafe) static var reusable: SQLiteStore?

    static func run(_ bytes: [UInt8]) throws {
        let store = try reusable ?? FuzzStore.make()
        reusable = nil
        try store.begin()
        var ours = true  // the transaction begun above is still open
        defer {
            while store.transactionDepth > 0 {
                do { try store.rollback() } catch { ours = false; break }
            }
            if ours { reusable = store }
        }
        let session = Session(store: store)
        for line in statements(text(bytes)).prefix(maxLines) {
            guard let verb = firstWord(line), allowedVerbs.contains(verb.lowercased()) else { continue }
            do {
                let output = try session.execute(line)
                _ = Renderer.render(output, options: RenderOptions(format: session.format, terminalWidth: 80))
            } catch {
                let message = ErrorPresenter.describe(error).message
                try check(!message.isEmpty, "'\(line)' failed with an empty message")
            }
            if store.transactionDepth < 1 { ours = false }
            if session.quitRequested { break }
        }
    }

    /// The commands of a script: lines, joined where one needs the next (as `crm run` does).
    static func statements(_ script: String) -> [String] {
        var result: [String] = []
        var lines = script.components(separatedBy: "\n")[...]
        while var text = lines.popFirst() {
            while Lexer.needsContinuation(text), let more = lines.popFirst() { text += "\n" + more }
            if !text.trimmingCharacters(in: .whitespaces).isEmpty { result.append(text) }
        }
        return result
    }

    /// The verb the shell would pick: the first word, when the line does not start with Lua.
    static func firstWord(_ line: String) -> String? {
        guard let tokens = try? Lexer.tokenize(line), let first = tokens.first, first.kind == .word else { return nil }
        return first.text
    }
}
