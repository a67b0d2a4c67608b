import CRMCore
import Foundation

/// `run FILE` (psql's `\i FILE`): the commands of a file, as `crm run FILE` runs them.
struct RunVerb: Verb {
    let name = "run"
    let aliases = ["\\i"]
    let summary = "run the commands in a file (or a Lua script): run FILE"
    let usage = ["run <file>", "run <file.lua> [arg …]", "\\i <file>"]
    let details = """
        Runs the file's commands one after another, as `crm run FILE` does: each result is
        shown as it comes, and the first command that fails stops the file, naming
        FILE:LINE. What ran before it stays (wrap the file in begin … commit to make it all
        or nothing); a transaction the file leaves open is rolled back. A .lua file runs as
        a Lua script with the crm API, the words after it as its arguments (...).

        Examples:
          run monthly-cleanup.crm
          run scripts/fix-phones.lua 上海
        """
    let completion = CompletionShape.keywordThenFile([])

    func run(_ args: inout TokenCursor, _ session: Session) throws -> Output {
        guard !args.atEnd else { throw SyntaxError(message: "expected the file to run (run FILE)", position: args.position) }
        let file = args.gluedValue()
        let path = expandTilde(file.text)
        let state = session.prompt
        guard state.runDepth < PromptState.maxRunDepth else {
            throw Located(ScriptError("run \(file.text): files run inside each other more than \(PromptState.maxRunDepth) deep (does it run itself?)"),
                          position: file.position)
        }
        state.runDepth += 1
        defer { state.runDepth -= 1 }
        if path.hasSuffix(".lua") {
            var arguments: [String] = []
            while !args.atEnd { arguments.append(args.gluedValue().text) }
            let host = try session.pluginHost()
            return try session.store.atomically { try host.runScript(path: path, arguments: arguments) }
        }
        try args.expectEnd(usageLine)
        let source: ScriptSource
        do { source = try .file(path) } catch { throw Located(error, position: file.position) }
        return try Self.runStatements(source, session)
    }

    /// Runs a script's commands through the batch runner: results shown as they come (or
    /// gathered when nothing shows them), the first failure thrown as `FILE:LINE: message`.
    static func runStatements(_ source: ScriptSource, _ session: Session) throws -> Output {
        var gathered: [Output] = []
        var problems: [String] = []
        let emit = session.prompt.emit
        let runner = BatchRunner(session: session, options: BatchRunner.Options(), render: { output in
            if let emit { emit(output) } else if output != .none { gathered.append(output) }
        }, report: { problems.append($0) })
        let status = runner.run([source])
        if status != 0 || !problems.isEmpty {
            throw ScriptError(problems.isEmpty ? "\(source.name): stopped" : problems.joined(separator: "\n"))
        }
        switch gathered.count {
        case 0: return .none
        case 1: return gathered[0]
        default: return .sections(gathered)
        }
    }
}
