import CRMCore
import CRMShell
import Foundation

/// Exit codes: 0 success, 1 a command failed, 2 a usage error.
let environment = ProcessInfo.processInfo.environment

func fail(_ message: String, code: Int32) -> Never {
    Terminal.write("crm: \(message)\n", to: STDERR_FILENO)
    exit(code)
}

let options: Options
do {
    options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
} catch let error as Options.UsageError {
    Terminal.write("crm: \(error.message)\n\(Options.usage)\n", to: STDERR_FILENO)
    exit(2)
}
if options.help { print(Options.usage); exit(0) }
if options.version { print("crm 0.1.0"); exit(0) }

var format = OutputFormat.table
if let f = options.format {
    guard let parsed = OutputFormat(text: f) else {
        fail("unknown format '\(f)'; use one of: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))", code: 2)
    }
    format = parsed
}

let databasePath = DatabaseLocation.resolve(flag: options.databasePath, environment: environment)
let user = options.user ?? environment["CRM_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? DatabaseLocation.loginName()

// CRM_NOW pins the clock (UTC, 2026-11-22T10:00:00Z): for tests and rehearsing scripts.
var clock = Clock.system
if let pinned = environment["CRM_NOW"] {
    guard let t = DateCodec.epochSeconds(utc: pinned) else { fail("CRM_NOW must look like 2026-11-22T10:00:00Z", code: 2) }
    clock = .fixed(t)
}

let store: SQLiteStore
do {
    store = try SQLiteStore(path: databasePath, user: user, clock: clock)
} catch {
    fail(ErrorPresenter.describe(error).message, code: 1)
}

let interactive = options.commands.isEmpty && options.scripts.isEmpty && !options.demo && Terminal.isTerminal(STDIN_FILENO)
let session = Session(store: store, format: format, interactive: interactive, atomic: options.atomic) { note in
    Terminal.write(note + "\n", to: STDERR_FILENO)
}

if interactive {
    LineEditor.prepareLocale()
    exit(Repl(session: session, historyPath: Repl.defaultHistoryPath()).run())
}

var batch = BatchRunner.Options()
batch.keepGoing = options.keepGoing
batch.atomic = options.atomic
batch.dryRun = options.dryRun
let renderOptions = RenderOptions(format: format, terminalWidth: nil, color: false)
let runner = BatchRunner(session: session, options: batch, render: { output in
    let options = RenderOptions(format: session.format, terminalWidth: renderOptions.terminalWidth, color: false)
    Terminal.write(Renderer.render(output, options: options), to: STDOUT_FILENO)
}, report: { line in
    Terminal.write(line + "\n", to: STDERR_FILENO)
})

var sources: [ScriptSource] = []
if options.demo {
    sources = [.argument("demo \(options.demoCustomers ?? 300)", index: 1)]
} else if !options.commands.isEmpty {
    sources = options.commands.enumerated().map { ScriptSource.argument($0.element, index: $0.offset + 1) }
} else if !options.scripts.isEmpty {
    for path in options.scripts {
        if path == "-" { sources.append(.standardInput()); continue }
        do { sources.append(try .file(path)) } catch { fail("\(error)", code: 1) }
    }
} else {
    sources = [.standardInput()]
}
exit(runner.run(sources))
