import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// What one run of the `crm` binary did.
public struct CommandResult: CustomStringConvertible {
    public var status: Int32
    public var stdoutData: Data
    public var stderrData: Data

    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    public var stderr: String { String(decoding: stderrData, as: UTF8.self) }
    /// stdout split into lines, without the empty piece after the final newline.
    public var stdoutLines: [String] {
        var lines = stdout.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
    public var stderrLines: [String] {
        var lines = stderr.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// For assertion messages.
    public var description: String {
        "exit \(status)\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)"
    }
}

public struct CommandRunnerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Finds the built `crm` executable the tests run.
public enum CRMBinary {
    /// `$CRM_BINARY` when set; else the `crm` beside the running test bundle
    /// (`<scratch>/<config>/crmPackageTests.xctest` → `<scratch>/<config>/crm`); else the
    /// `crm` in the package's usual build folders.
    public static func path() throws -> String {
        if let cached = cache.path { return cached }
        let fm = FileManager.default
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["CRM_BINARY"], !env.isEmpty { candidates.append(env) }
        // The test runner itself: on Linux the .xctest is the executable; on macOS it is a bundle
        // whose executable sits deeper, so walk up to the folder that holds the .xctest.
        var runners: [String] = []
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") { runners.append(exe) }
        if let first = CommandLine.arguments.first { runners.append(first) }
        runners += Bundle.allBundles.map(\.bundlePath)
        runners.append(Bundle.main.bundlePath)
        for runner in runners {
            var url = URL(fileURLWithPath: runner).standardizedFileURL
            while url.path != "/" {
                if url.pathExtension == "xctest" {
                    candidates.append(url.deletingLastPathComponent().appendingPathComponent("crm").path)
                    break
                }
                url.deleteLastPathComponent()
            }
            candidates.append(URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent("crm").path)
        }
        // Last resort: the package root from this file's path, and its usual build folders.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for scratch in [".build", ".build-e2e"] {
            for config in ["debug", "release"] {
                candidates.append(root.appendingPathComponent("\(scratch)/\(config)/crm").path)
            }
        }
        for c in candidates where fm.isExecutableFile(atPath: c) {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: c, isDirectory: &isDirectory), !isDirectory.boolValue {
                cache.path = c
                return c
            }
        }
        throw CommandRunnerError("cannot find the built crm executable; tried:\n  " + candidates.joined(separator: "\n  ")
                                 + "\nbuild it first (swift build --build-tests) or set CRM_BINARY")
    }

    private final class Cache: @unchecked Sendable { var path: String? }
    private static let cache = Cache()
}

/// A throwaway folder for one test: HOME and the XDG folders point inside it, commands run
/// with it as their working directory, and the clock is pinned with `CRM_NOW`, so a run of
/// `crm` never touches the real home or depends on the time of day. Remove it with `remove()`.
public final class CRMSandbox {
    /// The instant `CRM_NOW` pins: the same as `TestSupport.now`.
    public static let now = "2026-11-22T10:00:00Z"

    public let root: String
    public var home: String { root + "/home" }
    public var dataHome: String { root + "/xdg-data" }
    public var stateHome: String { root + "/xdg-state" }
    public var configHome: String { root + "/xdg-config" }
    /// Where commands run; relative paths in commands land here.
    public var workingDirectory: String { root + "/work" }
    /// The database `crm(…)` uses: a SQLite file in the working directory, or in the
    /// PostgreSQL pass (`CRMSandbox(for:)`, see PostgresPass) a fresh database's URL.
    public let database: String
    /// True when `database` is a PostgreSQL database of this sandbox's own.
    public let isPostgres: Bool
    /// What the prompt names the database by (`crm:NAME> `): the file's name without
    /// `.sqlite`, or for PostgreSQL `host:port/database`.
    public var promptName: String {
        guard isPostgres, let parts = URLComponents(string: database) else { return "test" }
        return "\(parts.host ?? "localhost"):\(parts.port.map(String.init) ?? "5432")\(parts.path)"
    }
    /// The environment every run gets (before per-run changes).
    public var environment: [String: String]

    /// A sandbox whose database is always a SQLite file (tests about SQLite, or that make
    /// their own PostgreSQL databases).
    public convenience init() throws { try self.init(postgres: false) }

    /// The sandbox of one test: in the PostgreSQL pass its database is a fresh PostgreSQL
    /// database, and a test PostgresPass lists as not running there is skipped (XCTSkip).
    public convenience init(for test: XCTestCase) throws {
        if let reason = PostgresPass.skipReason(for: test) { throw XCTSkip(reason) }
        try self.init(postgres: PostgresPass.isActive)
    }

    init(postgres: Bool) throws {
        let fm = FileManager.default
        let base = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        root = base + "crm-e2e-" + UUID().uuidString
        // Only the home folder and the working directory exist at first: crm must create the
        // XDG folders it needs itself.
        for folder in [root, root + "/home", root + "/work"] {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let parent = ProcessInfo.processInfo.environment
        var env: [String: String] = [
            "HOME": root + "/home",
            "XDG_DATA_HOME": root + "/xdg-data",
            "XDG_STATE_HOME": root + "/xdg-state",
            "XDG_CONFIG_HOME": root + "/xdg-config",
            "XDG_CACHE_HOME": root + "/xdg-cache",
            "CRM_NOW": CRMSandbox.now,
            "CRM_USER": "tester",
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "PATH": parent["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
        ]
        for key in ["LD_LIBRARY_PATH", "TMPDIR"] { if let v = parent[key] { env[key] = v } }
        environment = env
        isPostgres = postgres
        database = postgres ? try PostgresPass.createDatabase() : root + "/work/test.sqlite"
    }

    /// Deletes the folder and everything in it (and drops a PostgreSQL database).
    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
        if isPostgres { PostgresPass.drop(database) }
    }

    /// A path in the working directory.
    public func path(_ name: String) -> String {
        name.hasPrefix("/") ? name : workingDirectory + "/" + name
    }

    /// Writes a file in the working directory (folders created) and returns its path.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> String {
        let p = path(name)
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// The text of a file in the working directory, or nil when it does not exist.
    public func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: path(name)).map { String(decoding: $0, as: UTF8.self) }
    }

    public func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: path(name))
    }

    /// Runs `crm --db <sandbox database> args…`.
    @discardableResult
    public func crm(_ args: [String], stdin: String? = nil, environment changes: [String: String?] = [:],
                    timeout: TimeInterval = 120) throws -> CommandResult {
        try run(["--db", database] + args, stdin: stdin, environment: changes, timeout: timeout)
    }

    /// Runs `crm --db <sandbox database> -c c1 -c c2 …`.
    @discardableResult
    public func crm(commands: String..., options: [String] = [], stdin: String? = nil,
                    environment changes: [String: String?] = [:]) throws -> CommandResult {
        try crm(options + commands.flatMap { ["-c", $0] }, stdin: stdin, environment: changes)
    }

    /// Runs the `crm` binary with exactly these arguments. `stdin` is fed as standard input
    /// (else /dev/null); `environment` adds or (with nil) removes variables for this run.
    public func run(_ args: [String], stdin: String? = nil, environment changes: [String: String?] = [:],
                    timeout: TimeInterval = 120) throws -> CommandResult {
        var env = environment
        for (k, v) in changes { env[k] = v }
        var args = args
        // `crm test plugins/NAME` runs each plugin's tests on a database of their own: in the
        // PostgreSQL pass, on this sandbox's.
        if isPostgres, args.first == "test", !args.contains("--db") { args = ["--db", database] + args }
        return try CommandRunner.run(executable: try CRMBinary.path(), arguments: args, environment: env,
                                     workingDirectory: workingDirectory, stdin: stdin.map { Data($0.utf8) },
                                     scratch: root, timeout: timeout)
    }
}

/// Runs a program to completion with Foundation.Process. stdout and stderr go to files in a
/// scratch folder (no pipe can fill up and deadlock), stdin comes from a file or /dev/null.
public enum CommandRunner {
    public static func run(executable: String, arguments: [String], environment: [String: String],
                           workingDirectory: String, stdin: Data?, scratch: String,
                           timeout: TimeInterval = 120) throws -> CommandResult {
        let fm = FileManager.default
        let id = UUID().uuidString
        let outPath = scratch + "/.stdout-" + id, errPath = scratch + "/.stderr-" + id, inPath = scratch + "/.stdin-" + id
        defer { for p in [outPath, errPath, inPath] { try? fm.removeItem(atPath: p) } }
        guard fm.createFile(atPath: outPath, contents: nil), fm.createFile(atPath: errPath, contents: nil) else {
            throw CommandRunnerError("cannot create output files in \(scratch)")
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? out.close(); try? err.close() }
        let input: FileHandle
        if let stdin {
            guard fm.createFile(atPath: inPath, contents: stdin) else { throw CommandRunnerError("cannot write \(inPath)") }
            input = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        } else {
            input = FileHandle(forReadingAtPath: "/dev/null")!
        }
        defer { try? input.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw CommandRunnerError("crm \(arguments.joined(separator: " ")) did not finish in \(Int(timeout)) s")
        }
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return CommandResult(status: status,
                             stdoutData: fm.contents(atPath: outPath) ?? Data(),
                             stderrData: fm.contents(atPath: errPath) ?? Data())
    }
}

extension CRMSandbox {
    /// Starts `crm args…` on a pseudo-terminal with the sandbox environment plus TERM=xterm
    /// and PAGER=cat;
    /// `environment` adds or (with nil) removes variables.
    public func terminal(_ args: [String], environment changes: [String: String?] = [:],
                         columns: UInt16 = 120, rows: UInt16 = 40) throws -> PseudoTerminal {
        var env = environment
        env["TERM"] = "xterm"
        // Long output at the prompt goes through $PAGER (default less, which would wait for
        // a key): tests get cat unless they set PAGER themselves (or remove it with nil).
        env["PAGER"] = "cat"
        for (k, v) in changes { env[k] = v }
        return try PseudoTerminal(executable: try CRMBinary.path(), arguments: args, environment: env,
                                  workingDirectory: workingDirectory, columns: columns, rows: rows)
    }
}
