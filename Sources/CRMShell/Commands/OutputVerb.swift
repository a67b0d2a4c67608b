import CRMCore
import Foundation

/// `output to FILE` / `output off` (psql's `\o FILE` and `\o`): where results go.
struct OutputVerb: Verb {
    let name = "output"
    let aliases = ["\\o"]
    let summary = "send results to a file instead of the screen: output to FILE, output off"
    let usage = ["output to <file>", "output off", "output", "\\o <file>", "\\o"]
    let details = """
        After `output to FILE` the results of the commands that follow (tables, records,
        counts, messages) are written to FILE instead of the screen, in the current format
        and never cut to the terminal's width; errors and notes still come to the screen.
        The file is created, or emptied if it exists, private to you (mode 0600).
        `output off` (or `\\o` alone) sends results to the screen again; `output` alone
        says where they go.

        Examples:
          output to big-customers.txt
          list customer where value_class = A
          output off
          \\o deals.csv
        """
    let completion = CompletionShape.keywordThenFile(["to", "off"])

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        let state = session.prompt
        let backslash = args.tokens.first?.text == "\\o"
        if args.atEnd {
            if backslash {
                state.closeOutput()
                return .none
            }
            // A note, not a result: it belongs on the screen, not in the file results go to.
            session.note(state.outputPath.map { "results go to \($0)" } ?? "results go to standard output")
            return .none
        }
        if !backslash, args.consumeKeyword("off") || args.consumeKeyword("stdout") {
            try args.expectEnd(usageLine)
            state.closeOutput()
            return .none
        }
        if !backslash {
            try args.expectKeyword("to", after: "output (output to FILE, or output off)")
        }
        guard !args.atEnd else { throw SyntaxError(message: "expected the file to write results to", position: args.position) }
        let file = args.gluedValue()
        try args.expectEnd(usageLine)
        let path = expandTilde(file.text)
        if let database = (session.store as? SQLiteStore)?.path, Self.sameFile(path, database) || Self.sameFile(path, database + "-wal") {
            throw Located(ScriptError("output to \(file.text): that is the database; results would overwrite it"), position: file.position)
        }
        do {
            try state.redirect(to: path)
        } catch let error as PrivateFileError {
            throw Located(ScriptError(error.description), position: file.position)
        }
        session.note("results go to \(file.text) (output off to see them here again)")
        return .none
    }

    /// True when both paths name one existing file (a link or another spelling of it).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}
