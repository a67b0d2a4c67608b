import CRMShell
import Foundation

/// What the command line asked for.
struct Options {
    var databasePath: String?
    var user: String?
    var format: String?
    var commands: [String] = []
    var scripts: [String] = []
    /// Words after `run FILE.lua`, handed to the script as `...`.
    var scriptArguments: [String] = []
    var keepGoing = false
    var atomic = false
    var dryRun = false
    var demo = false
    var demoCustomers: Int?
    var help = false
    var version = false
    /// Extra folders of plugins (`--plugins DIR`, repeatable), searched after the defaults.
    var pluginFolders: [String] = []
    var trace = false
    var noPlugins = false
    /// `crm test plugins/NAME`: the plugin folders whose tests to run.
    var testFolders: [String] = []
    /// `crm copy FROM TO`: the source and target databases (file paths or postgresql:// URLs).
    var copy: (from: String, to: String)?
    /// `crm copy … --replace`: overwrite a target that is not empty.
    var replace = false
    /// `-X`: do not run the start-up file (crmrc).
    var noStartupFile = false
    /// `crm man`: print the manual page (roff).
    var manPage = false
    /// `crm completion bash|zsh|fish`: print that shell's completion script.
    var completionShell: String?
    /// `crm __complete INDEX WORD…`: what the completion scripts call back for candidates.
    var completeRequest: (index: Int, words: [String])?

    static let usage = """
        usage: crm [options]                 interactive shell (commands from stdin when it is not a terminal)
               crm [options] -c CMD [-c CMD …] run commands and exit
               crm [options] run FILE …      run command files (- for stdin)
               crm [options] demo [N]        fill the database with N sample customers (default 300)
               crm [options] run FILE.lua [ARG …]  run a Lua script with the crm API (ARGs as ...)
               crm [options] jobs run [NAME] run the plugins' jobs that are due (for cron)
               crm test plugins/NAME …       run a plugin's tests on a fresh temporary database
               crm copy FROM TO [--replace]  copy a whole database between SQLite files and postgresql:// URLs
               crm man                       print the manual page (man -l <(crm man))
               crm completion bash|zsh|fish  print a shell completion script

        options:
          --db PATH        database file (default $CRM_DB, else $XDG_DATA_HOME/crm/crm.sqlite); :memory: works;
                           postgresql://user@host:port/db opens a PostgreSQL server
          --user NAME      who the audit history names (default $CRM_USER, else the login name)
          --format MODE    table, vertical, csv, json, ndjson or markdown
          --keep-going     run every command even after one fails (exit 1 at the end)
          --atomic         run the whole input in one transaction: all or nothing
          --dry-run        run everything, report what would change, then roll back
          --plugins DIR    also load plugins from DIR (repeatable)
          --no-plugins     start without loading any plugin
          --trace          print which rules run on each write and what they change
          -f, --file FILE  run the commands in FILE, like run FILE (repeatable)
          -X, --no-crmrc   do not run the start-up file ($XDG_CONFIG_HOME/crm/crmrc)
          -h, --help       this help;  --version  the version
        """

    /// The options, for shell completion (kept in the order `usage` lists them).
    static let flags: [CommandLineCompletion.Flag] = [
        .init("--db", .file), .init("--user", .word), .init("--format", .format),
        .init("-c", .command),
        .init("--keep-going"), .init("--atomic"), .init("--dry-run"),
        .init("--plugins", .directory), .init("--no-plugins"), .init("--trace"),
        .init("-f", .file), .init("--file", .file), .init("-X"), .init("--no-crmrc"),
        .init("-h"), .init("--help"), .init("--version"),
    ]

    struct UsageError: Error { var message: String }

    static func parse(_ arguments: [String]) throws -> Options {
        var o = Options()
        var i = 0
        func value(_ flag: String) throws -> String {
            i += 1
            guard i < arguments.count else { throw UsageError(message: "\(flag) needs a value") }
            return arguments[i]
        }
        while i < arguments.count {
            let a = arguments[i]
            if a.hasPrefix("--"), let eq = a.firstIndex(of: "=") {
                let flag = String(a[..<eq]), rest = String(a[a.index(after: eq)...])
                switch flag {
                case "--db": o.databasePath = rest
                case "--user": o.user = rest
                case "--format": o.format = rest
                case "--plugins": o.pluginFolders.append(rest)
                default: throw UsageError(message: "unknown option \(flag)")
                }
                i += 1
                continue
            }
            switch a {
            case "--db": o.databasePath = try value(a)
            case "--user": o.user = try value(a)
            case "--format": o.format = try value(a)
            case "-c", "--command": o.commands.append(try value(a))
            case "--plugins": o.pluginFolders.append(try value(a))
            case "-f", "--file":
                guard !o.demo else { throw UsageError(message: "demo cannot be combined with -c or run") }
                guard i + 1 < arguments.count else { throw UsageError(message: "\(a) needs a file: crm -f FILE.crm") }
                let file = try value(a)
                guard !file.hasSuffix(".lua") else { throw UsageError(message: "\(a) takes command files; run a Lua script with: crm run \(file)") }
                o.scripts.append(file)
            case "-X", "--no-crmrc": o.noStartupFile = true
            case "man": o.manPage = true
            case "completion":
                guard i + 1 < arguments.count else { throw UsageError(message: "completion needs a shell: crm completion bash|zsh|fish") }
                let shell = try value(a)
                guard ["bash", "zsh", "fish"].contains(shell) else {
                    throw UsageError(message: "completion is for bash, zsh or fish, not '\(shell)'")
                }
                o.completionShell = shell
            case "__complete":
                // `crm __complete INDEX crm WORD…`: everything after is the command line being completed.
                let rest = Array(arguments[(i + 1)...])
                guard let first = rest.first, let index = Int(first), index >= 0 else {
                    throw UsageError(message: "__complete needs the index of the word to complete, then the words")
                }
                o.completeRequest = (index, Array(rest.dropFirst()))
                return o
            case "--trace": o.trace = true
            case "--no-plugins": o.noPlugins = true
            case "jobs":
                // `crm jobs run [NAME] [force]` is the command `jobs run …`, for cron.
                var words = ["jobs"]
                i += 1
                while i < arguments.count, !arguments[i].hasPrefix("-") {
                    // Keep a job name with spaces one word: crm jobs run "expire referrals"
                    let word = arguments[i]
                    words.append(word.contains(" ") ? "'" + word.replacingOccurrences(of: "'", with: "\\'") + "'" : word)
                    i += 1
                }
                o.commands.append(words.joined(separator: " "))
                continue
            case "test":
                i += 1
                while i < arguments.count, !arguments[i].hasPrefix("--") { o.testFolders.append(arguments[i]); i += 1 }
                guard !o.testFolders.isEmpty else { throw UsageError(message: "test needs a plugin folder: crm test plugins/NAME") }
                continue
            case "copy":
                guard i + 2 < arguments.count, !arguments[i + 1].hasPrefix("-"), !arguments[i + 2].hasPrefix("-") else {
                    throw UsageError(message: "copy needs a source and a target: crm copy FROM TO [--replace]")
                }
                o.copy = (arguments[i + 1], arguments[i + 2])
                i += 3
                continue
            case "--replace": o.replace = true
            case "--keep-going": o.keepGoing = true
            case "--atomic": o.atomic = true
            case "--dry-run": o.dryRun = true
            case "-h", "--help": o.help = true
            case "--version": o.version = true
            case "run":
                guard o.scripts.isEmpty, !o.demo else { throw UsageError(message: "run takes files: crm run FILE …") }
                i += 1
                guard i < arguments.count else { throw UsageError(message: "run needs a file: crm run FILE.crm") }
                while i < arguments.count, !arguments[i].hasPrefix("--") || arguments[i] == "-" {
                    // A Lua script takes the words after it as its arguments (`...`).
                    if o.scripts.first?.hasSuffix(".lua") == true { o.scriptArguments.append(arguments[i]) } else { o.scripts.append(arguments[i]) }
                    i += 1
                }
                continue
            case "demo":
                o.demo = true
                if i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
                    guard n > 0 else { throw UsageError(message: "demo takes a positive number of customers") }
                    o.demoCustomers = n
                    i += 1
                }
            default:
                if a.hasPrefix("-") { throw UsageError(message: "unknown option \(a)") }
                throw UsageError(message: "unexpected argument '\(a)' (commands go in -c '…' or a file: crm run FILE)")
            }
            i += 1
        }
        if o.demo && (!o.commands.isEmpty || !o.scripts.isEmpty) {
            throw UsageError(message: "demo cannot be combined with -c or run")
        }
        if !o.commands.isEmpty && !o.scripts.isEmpty {
            throw UsageError(message: "use either -c or run (-f), not both")
        }
        return o
    }
}
