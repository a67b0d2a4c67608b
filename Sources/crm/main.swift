import CRMCore
import CRMPostgres
import CRMLua
import CRMShell
import Foundation

/// Exit codes: 0 success, 1 a command failed, 2 a usage error.
let environment = ProcessEnvironment.current()

// Bulk imports allocate on two threads (see WriteBehind). By default glibc grows the second
// thread's heap a page range at a time and trims it back on free: thousands of mprotect
// calls per import. Padding and a higher trim threshold leave the address space reserved
// (untouched pages cost no memory).
// (mallopt and M_TOP_PAD, M_TRIM_THRESHOLD are in <malloc.h>, which Swift's Glibc lacks.)
if let symbol = dlsym(nil, "mallopt") {
    let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    _ = mallopt(-2, 32 << 20)
    _ = mallopt(-1, 64 << 20)
}

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
if options.version { print("crm \(crmVersion)"); exit(0) }
if options.manPage { Terminal.write(ManPage.render(verbs: VerbRegistry.builtIn, usage: Options.usage, version: crmVersion), to: STDOUT_FILENO); exit(0) }
if let shell = options.completionShell { Terminal.write(CompletionScript.text(for: shell), to: STDOUT_FILENO); exit(0) }
if let request = options.completeRequest { exit(completeCommandLine(request, environment: environment)) }

var format = OutputFormat.table
if let f = options.format {
    guard let parsed = OutputFormat(text: f) else {
        fail("unknown format '\(f)'; use one of: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))", code: 2)
    }
    format = parsed
}

let databasePath = DatabaseLocation.resolve(flag: options.databasePath, environment: environment)
let osUser = DatabaseLocation.loginName()
let claimedUser = options.user ?? environment["CRM_USER"].flatMap { $0.isEmpty ? nil : $0 }
let user = claimedUser ?? osUser

// CRM_NOW pins the clock (UTC, 2026-11-22T10:00:00Z): for tests and rehearsing scripts.
var clock = Clock.system
if let pinned = environment["CRM_NOW"] {
    guard let t = DateCodec.epochSeconds(utc: pinned) else { fail("CRM_NOW must look like 2026-11-22T10:00:00Z", code: 2) }
    clock = .fixed(t)
}

func warn(_ message: String) {
    Terminal.write(message + "\n", to: STDERR_FILENO)
}

// `crm test plugins/NAME`: each plugin's tests on a fresh in-memory database.
if !options.testFolders.isEmpty {
    var passed = 0, failed = 0
    for folder in options.testFolders {
        var runner = PluginTestRunner(folder: folder, log: warn)
        if let url = options.databasePath, ServerURL.redacted(url) != nil {
            runner.makeStore = { try PostgresStore(url: url, user: "test") }
            runner.afterEachTest = { try ($0 as? PostgresStore)?.resetIdentities() }
        }
        do {
            for outcome in try runner.run(parseFilter: Session.parseFilter, parseOrder: Session.parseOrder) {
                if let failure = outcome.failure {
                    failed += 1
                    warn("FAIL \(outcome.name)\n     \(failure)")
                } else {
                    passed += 1
                }
            }
        } catch {
            failed += 1
            warn("crm: \(folder): \(ErrorPresenter.describe(error).message)")
        }
    }
    print("\(passed) passed, \(failed) failed")
    exit(failed == 0 ? 0 : 1)
}

// `crm copy FROM TO`: a whole database into another, in one transaction on the target.
if let copy = options.copy {
    func open(_ location: String) throws -> CopyableStore {
        ServerURL.redacted(location) != nil
            ? try PostgresStore(url: location, user: user, clock: clock)
            : try SQLiteStore(path: location, user: user, clock: clock)
    }
    func name(_ location: String) -> String { ServerURL.redacted(location) ?? location }
    if ServerURL.redacted(copy.from) == nil, copy.from != ":memory:", !FileManager.default.fileExists(atPath: copy.from) {
        fail("copy: \(copy.from): no such database file", code: 1)
    }
    guard name(copy.from) != name(copy.to) || copy.from == ":memory:" else { fail("copy: source and target are the same database", code: 2) }
    let source: CopyableStore, target: CopyableStore
    // A target file this copy creates is removed again when the copy fails: nothing half-made stays.
    let newTargetFile = ServerURL.redacted(copy.to) == nil && copy.to != ":memory:" && !FileManager.default.fileExists(atPath: copy.to)
    func closeAndFail(_ message: String) -> Never {
        source.close(); target.close()
        if newTargetFile { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy.to + suffix) } }
        fail(message, code: 1)
    }
    do { source = try open(copy.from) } catch { fail("copy: source \(name(copy.from)): \(ErrorPresenter.describe(error).message)", code: 1) }
    do { target = try open(copy.to) } catch { source.close(); fail("copy: target \(name(copy.to)): \(ErrorPresenter.describe(error).message)", code: 1) }
    // Who copies: under access control on either side, only an admin may (StoreCopier).
    for (store, location) in [(source, copy.from), (target, copy.to)] {
        do {
            if let controlled = store as? AccessControlled,
               let warning = try controlled.resolveIdentity(osUser: osUser, claimed: claimedUser) { warn("crm: " + warning) }
        } catch {
            closeAndFail("copy: \(name(location)): \(ErrorPresenter.describe(error).message)")
        }
    }
    var copier = StoreCopier(source: source, target: target)
    copier.replace = options.replace
    copier.describe = { ErrorPresenter.describe($0).message }
    do {
        let lines = try copier.run(targetName: name(copy.to))
        for line in lines { print(line) }
        print("copied \(name(copy.from)) (\(source.copyKind)) to \(name(copy.to)) (\(target.copyKind))")
    } catch {
        closeAndFail("copy: \(ErrorPresenter.describe(error).message)")
    }
    source.close(); target.close()
    exit(0)
}

let executable = ProcessEnvironment.executablePath() ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
let interactive = options.commands.isEmpty && options.scripts.isEmpty && !options.demo && Terminal.isTerminal(STDIN_FILENO)
let luaScripts = !options.scripts.isEmpty && options.scripts.allSatisfy { $0.hasSuffix(".lua") }
let store: CRMStore
let host: PluginHost?
// Start-up: when the last clean start of the plugins read what a start would read now,
// commands that need only stored records (`count`, `list` …) run without Lua; any other
// starts it. The core entities are then installed already too: that start ran after
// installing them, with this executable, on this stored schema. The prompt and Lua scripts
// start the plugins at once (completion and scripts use them), as does access control.
// (SQLite only: on PostgreSQL the plugins always start.)
var deferPlugins = false
do {
    if ServerURL.redacted(databasePath) != nil {
        // A PostgreSQL server (docs/postgresql.md): libpq reads the URL, PG* variables,
        // ~/.pgpass and service files; errors name host, port and database, never the password.
        store = try PostgresStore(url: databasePath, user: user, clock: clock)
    } else {
        store = try SQLiteStore(path: databasePath, user: user, clock: clock, installingCore: false)
    }
    host = options.noPlugins ? nil
        : PluginHost(store: store,
                     searchPaths: PluginHost.defaultSearchPaths(executable: executable, environment: environment) + options.pluginFolders,
                     parseFilter: Session.parseFilter, parseOrder: Session.parseOrder, log: warn)
    if let sqlite = store as? SQLiteStore {
        if let host, !interactive, !luaScripts, !options.demo, !sqlite.accessEnabled,
           host.startStampMatches(executable: executable, version: crmVersion) {
            deferPlugins = true
        } else {
            try sqlite.installCore()
        }
    }
    // With access control on, the caller is the OS user unless an admin allowed overrides.
    if let controlled = store as? AccessControlled,
       let warning = try controlled.resolveIdentity(osUser: osUser, claimed: claimedUser) { warn("crm: " + warning) }
} catch {
    fail(ErrorPresenter.describe(error).message, code: 1)
}

/// Leaves with the database closed cleanly: the WAL checkpointed into the file.
func finish(_ code: Int32) -> Never {
    store.close()
    exit(code)
}

let session = Session(store: store, format: format, interactive: interactive, atomic: options.atomic) { note in
    Terminal.write(note + "\n", to: STDERR_FILENO)
}
// A dry run writes no file either (exports, reject files, reports to files).
session.dryRun = options.dryRun

if let host {
    func start() throws {
        try host.start()
        for problem in host.problems { warn("crm: plugin \(problem.plugin ?? "?") skipped: \(problem)") }
        if options.trace { host.trace = warn }
        // (A dry run writes nothing, this cache of the start either.)
        if !options.dryRun { host.recordStartStamp(executable: executable, version: crmVersion) }
    }
    if deferPlugins {
        session.attach(deferred: host) {
            do { try start() } catch {
                throw PluginError(plugin: nil, message: "plugins: \(ErrorPresenter.describe(error).message)")
            }
        }
    } else {
        do {
            try start()
            try session.attach(host)
        } catch {
            store.close(); fail("plugins: \(ErrorPresenter.describe(error).message)", code: 1)
        }
    }
}

/// A result of -c, run or stdin: to stdout, or to the `output to` file; then its time under `timing on`.
func renderResult(_ output: Output) {
    let state = session.prompt
    state.writeResult(Renderer.render(output, options: RenderOptions(format: session.format, terminalWidth: nil, color: false)))
    if state.timing { warn(state.timingLine) }
}

// The start-up file, like psql's .psqlrc: before the prompt, -c and run, unless -X. Its
// results show at the prompt; in batch runs only its errors do (stdout is for what -c and
// run print, stderr for their problems). Under --dry-run whatever it writes is rolled back.
if !options.noStartupFile, !options.demo, let rc = StartupFile.path(environment: environment) {
    let render: (Output) -> Void = { output in
        guard interactive else { return }
        let options = RenderOptions(format: session.format, terminalWidth: Terminal.width(), color: Terminal.colorAllowed(STDOUT_FILENO))
        session.prompt.writeResult(Renderer.render(output, options: options))
    }
    if options.dryRun { try? store.begin() }
    StartupFile.run(rc, session: session, render: render, report: warn)
    if options.dryRun { while store.transactionDepth > 0 { try? store.rollback() } }
}

// `crm run FILE.lua`: Lua scripts with the crm API.
if !options.scripts.isEmpty, options.scripts.allSatisfy({ $0.hasSuffix(".lua") }) {
    guard let host = session.plugins else { store.close(); fail("Lua scripts need plugins on (drop --no-plugins)", code: 2) }
    let render = { (output: Output) in
        Terminal.write(Renderer.render(output, options: RenderOptions(format: session.format, color: false)), to: STDOUT_FILENO)
    }
    do {
        if options.dryRun || options.atomic {
            try store.begin()
        }
        // A script's reads and writes are one write transaction, like a command's: what it
        // read cannot change under it, and a failure keeps nothing of it.
        for path in options.scripts {
            render(try store.atomically { try host.runScript(path: path, arguments: options.scriptArguments) })
        }
        if options.dryRun {
            try store.rollback()
            warn("dry run: rolled back")
        } else if options.atomic {
            try store.commit()
        }
    } catch {
        while store.transactionDepth > 0 { try? store.rollback() }
        warn(ErrorPresenter.describe(error).message)
        finish(1)
    }
    finish(0)
}

if interactive {
    LineEditor.prepareLocale()
    finish(Repl(session: session, historyPath: Repl.defaultHistoryPath()).run())
}

var batch = BatchRunner.Options()
batch.keepGoing = options.keepGoing
batch.atomic = options.atomic
batch.dryRun = options.dryRun
session.prompt.emit = renderResult
let runner = BatchRunner(session: session, options: batch, render: renderResult, report: { line in
    Terminal.write(line + "\n", to: STDERR_FILENO)
})

var sources: [ScriptSource] = []
if options.demo {
    sources = [.mode("demo \(options.demoCustomers ?? 300)", name: "crm demo")]
} else if !options.commands.isEmpty {
    sources = options.commands.enumerated().map { ScriptSource.argument($0.element, index: $0.offset + 1) }
} else if !options.scripts.isEmpty {
    for path in options.scripts {
        if path == "-" { sources.append(.standardInput()); continue }
        do { sources.append(try .file(path)) } catch { store.close(); fail("\(error)", code: 1) }
    }
} else {
    sources = [.standardInput()]
}
finish(runner.run(sources))
