import CRMCore
import CRMLua
import CRMPostgres
import CRMShell
import Foundation

/// `crm __complete INDEX WORD…`, what the bash, zsh and fish scripts call on Tab: prints
/// the candidates for word INDEX of the command line WORD…, one a line (`__files__` for
/// "complete file names"). Entities, fields and plugin commands come from the database the
/// line names (--db, else the default); a database that does not exist yet is not created,
/// and a PostgreSQL one is only read (`copyServerDefinitions`).
func completeCommandLine(_ request: (index: Int, words: [String]), environment: [String: String]) -> Int32 {
    let words = request.words
    var dbFlag: String?
    var plugins = true
    var extraPlugins: [String] = []
    for (i, w) in words.enumerated() where i != request.index {
        let next = i + 1 < words.count && i + 1 != request.index ? words[i + 1] : nil
        if w == "--db" { dbFlag = next } else if w.hasPrefix("--db=") { dbFlag = String(w.dropFirst(5)) }
        if w == "--plugins", let next { extraPlugins.append(next) }
        if w == "--no-plugins" { plugins = false }
    }
    let path = DatabaseLocation.resolve(flag: dbFlag, environment: environment)
    let onServer = ServerURL.redacted(path) != nil
    let usable = !onServer && (path == ":memory:" || FileManager.default.fileExists(atPath: path)) ? path : ":memory:"
    guard let store = (try? SQLiteStore(path: usable, user: "completion")) ?? (try? SQLiteStore(path: ":memory:", user: "completion")) else {
        return 1
    }
    defer { store.close() }
    if onServer { copyServerDefinitions(from: path, into: store) }
    let session = Session(store: store)
    if plugins {
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let host = PluginHost(store: store,
                              searchPaths: PluginHost.defaultSearchPaths(executable: executable, environment: environment) + extraPlugins,
                              parseFilter: Session.parseFilter, parseOrder: Session.parseOrder, log: { _ in })
        if (try? host.start()) != nil { try? session.attach(host) }
    }
    let completion = CommandLineCompletion(session: session, flags: Options.flags)
    let out = completion.complete(words: words, index: request.index)
    if !out.isEmpty { Terminal.write(out.joined(separator: "\n") + "\n", to: STDOUT_FILENO) }
    return 0
}

/// A PostgreSQL `--db`'s entities and plugin settings, copied into the in-memory store the
/// candidates come from: the server is read, never written, and one that does not answer
/// within two seconds (unless PGCONNECT_TIMEOUT says otherwise) leaves the core entities.
private func copyServerDefinitions(from url: String, into store: SQLiteStore) {
    if ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil { setenv("PGCONNECT_TIMEOUT", "2", 1) }
    guard let snapshot = try? PostgresSnapshot.read(url: url) else { return }
    for (key, value) in snapshot.meta { try? store.setMeta(key, value) }
    for entity in snapshot.entities { try? store.install([entity]) }
}
