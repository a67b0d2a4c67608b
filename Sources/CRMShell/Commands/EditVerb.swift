import CRMCore
import Foundation

/// `edit [FILE]` (psql's `\e`): write a long command in `$EDITOR`, then run it.
struct EditVerb: Verb {
    let name = "edit"
    let aliases = ["\\e"]
    let summary = "write a long command in your editor ($VISUAL, $EDITOR, else vi), then run it"
    let usage = ["edit", "edit <file>", "\\e [file]"]
    let details = """
        Opens the last command in your editor; when you save and leave, what you wrote runs,
        one command a line (a line ending in \\ or with an open quote goes on), and joins the
        history. Save an empty file, or leave the editor with an error (:cq in vi), to run
        nothing. With a file, edits that file and runs it. Only at the interactive prompt.

        Examples:
          edit
          \\e cleanup.crm
        """
    let completion = CompletionShape.keywordThenFile([])

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        guard session.interactive else {
            throw ScriptError("edit works at the interactive prompt only (it opens an editor)")
        }
        let state = session.prompt
        var path: String
        var temporary: String?
        if args.atEnd {
            let folder = NSTemporaryDirectory()
            path = (folder.hasSuffix("/") ? folder : folder + "/") + "crm-edit-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).crm"
            let fd = try PrivateFile.create(path)
            let initial = state.lastCommand.map { $0 + "\n" } ?? ""
            Terminal.write(initial, to: fd)
            close(fd)
            temporary = path
        } else {
            let file = args.gluedValue()
            try args.expectEnd(usageLine)
            path = expandTilde(file.text)
        }
        defer { if let temporary { unlink(temporary) } }
        try ExternalEditor.open(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScriptError("cannot read \(path) after editing")
        }
        let text = String(decoding: data, as: UTF8.self)
        var body = Substring(text)
        while let last = body.last, last.isNewline { body = body.dropLast() }
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return .message("edit: nothing to run")
        }
        let command = String(body)
        state.lastCommand = command
        state.history?(command)
        var lines = command.components(separatedBy: "\n")[...]
        let source = ScriptSource(name: temporary == nil ? path : "edit") { lines.popFirst() }
        return try RunVerb.runStatements(source, session)
    }
}
