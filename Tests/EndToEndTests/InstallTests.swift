import CRMTestSupport
import XCTest

/// crm installed like a real tool: scripts/install lays out bin, plugins, man page and
/// completions; the installed binary finds its plugins from anywhere; `man crm` and the
/// completion scripts work in the programs that read them.
final class InstallTests: XCTestCase {
    var sandbox: CRMSandbox!

    override func setUpWithError() throws { sandbox = try CRMSandbox(for: self) }
    override func tearDown() { sandbox?.remove() }

    /// The package root, from this file's path (Tests/EndToEndTests/InstallTests.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs a program (not crm) in the sandbox's working directory.
    func runProgram(_ executable: String, _ arguments: [String], environment changes: [String: String?] = [:],
                    stdin: String? = nil) throws -> CommandResult {
        var env = sandbox.environment
        for (k, v) in changes { env[k] = v }
        return try CommandRunner.run(executable: executable, arguments: arguments, environment: env,
                                     workingDirectory: sandbox.workingDirectory, stdin: stdin.map { Data($0.utf8) },
                                     scratch: sandbox.root)
    }

    func which(_ program: String) -> String? {
        for dir in (sandbox.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// scripts/install --binary <the built crm> PREFIX, into the sandbox.
    func install() throws -> String {
        let prefix = sandbox.root + "/prefix"
        let r = try runProgram(Self.packageRoot + "/scripts/install", ["--binary", try CRMBinary.path(), prefix])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(r.stdout.contains("installed \(prefix)/bin/crm"), r.stdout)
        return prefix
    }

    /// The verbs `help` lists (the overview's indented lines), as a user sees them.
    func helpVerbs() throws -> [String] {
        let help = try sandbox.crm(commands: "help", options: ["-X"])
        XCTAssertEqual(help.status, 0, help.description)
        return help.stdoutLines.filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    // MARK: install

    func testInstallLaysOutEverything_andTheInstalledBinaryFindsItsPlugins() throws {
        let prefix = try install()
        let fm = FileManager.default
        for file in ["bin/crm", "share/man/man1/crm.1", "share/bash-completion/completions/crm",
                     "share/zsh/site-functions/_crm", "share/fish/vendor_completions.d/crm.fish",
                     "share/crm/plugins/example/plugin.lua", "share/crm/plugins/realestate/plugin.lua"] {
            XCTAssertTrue(fm.fileExists(atPath: prefix + "/" + file), "missing \(file)")
        }
        XCTAssertTrue(fm.isExecutableFile(atPath: prefix + "/bin/crm"))
        // From another folder, through a symlink on PATH as a user would have it.
        try fm.createDirectory(atPath: sandbox.root + "/elsewhere/bin", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: sandbox.root + "/elsewhere/bin/crm", withDestinationPath: prefix + "/bin/crm")
        let db = sandbox.path("installed.sqlite")
        let crm = sandbox.root + "/elsewhere/bin/crm"
        let enable = try runProgram(crm, ["--db", db, "-X", "-c", "plugin enable example"])
        XCTAssertEqual(enable.status, 0, enable.description)
        let r = try runProgram(crm, ["--db", db, "-X", "--format", "csv", "-c", "plugins", "-c", "count referral"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(r.stdout.contains("example,"), r.stdout)
        XCTAssertTrue(r.stdout.contains(prefix + "/share/crm/plugins/example"), "loaded from the install: \(r.stdout)")
        XCTAssertEqual(r.stdoutLines.last, "0")
        XCTAssertFalse(r.stderr.contains("skipped"), r.stderr)
    }

    func testInstallAgainReplacesAPluginWhole() throws {
        let prefix = try install()
        let stale = prefix + "/share/crm/plugins/example/stale.lua"
        XCTAssertTrue(FileManager.default.createFile(atPath: stale, contents: Data("x".utf8)))
        _ = try install()
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
    }

    func testInstallRefusesAnUnknownOption() throws {
        let r = try runProgram(Self.packageRoot + "/scripts/install", ["--prefx", "/tmp/x"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("unknown option --prefx"), r.stderr)
    }

    // MARK: man page

    func testManPageHasEveryVerb_andManRendersIt() throws {
        let page = try sandbox.crm(["man"])
        XCTAssertEqual(page.status, 0, page.description)
        let verbs = try helpVerbs()
        XCTAssertGreaterThan(verbs.count, 20, "help lists the verbs")
        for verb in verbs {
            XCTAssertTrue(page.stdout.contains(".SS \(verb.replacingOccurrences(of: "-", with: "\\-"))\n"),
                          "crm man has no section for \(verb)")
        }
        XCTAssertTrue(page.stdout.hasPrefix(".TH CRM 1"), page.stdout)
        guard let man = which("man") else { throw skipTest("man is not installed (Debian: man-db)") }
        try sandbox.write(page.stdout, to: "crm.1")
        let rendered = try runProgram(man, ["-l", sandbox.path("crm.1")], environment: ["MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat"])
        XCTAssertEqual(rendered.status, 0, rendered.description)
        XCTAssertGreaterThan(rendered.stdout.count, 1000, rendered.description)
        let text = rendered.stdout.replacingOccurrences(of: #".\x{08}"#, with: "", options: .regularExpression)
        for heading in ["NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "FILES", "EXIT STATUS"] {
            XCTAssertTrue(text.contains("\n" + heading + "\n"), "no \(heading) in man's page")
        }
        XCTAssertTrue(text.contains("update <entity> where <filter> set field=value"), text)
        XCTAssertTrue(text.contains("--dry-run"), "options as typed (no hyphen turned into a dash)")
        XCTAssertTrue(text.contains("张伟"), "the Chinese of the examples survives")
        XCTAssertFalse(rendered.stderr.contains("warning"), rendered.stderr)
    }

    // MARK: completion

    /// Sources `crm completion bash` in bash, sets COMP_WORDS/COMP_CWORD as bash does on Tab,
    /// calls the completion function and returns COMPREPLY, one a line.
    func bashComplete(_ words: [String], database: String? = nil) throws -> [String] {
        let quoted = words.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let crmFolder = (try CRMBinary.path() as NSString).deletingLastPathComponent
        let script = """
            source <(crm completion bash) || exit 9
            complete -p crm >/dev/null || exit 8
            COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
            _crm
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        var env: [String: String?] = ["PATH": crmFolder + ":" + (sandbox.environment["PATH"] ?? "")]
        if let database { env["CRM_DB"] = database }
        let r = try runProgram("/bin/bash", ["-c", script], environment: env)
        XCTAssertEqual(r.status, 0, r.description)
        return r.stdoutLines.filter { !$0.isEmpty }
    }

    func testBashCompletesVerbsEntitiesFieldsAndOptions() throws {
        // Inside -c the command needs quotes: the first word opens them, and a single match
        // comes twice (one and two spaces) so that bash inserts it without closing them.
        XCTAssertEqual(try bashComplete(["crm", "-c", "li"]), ["'list "])
        XCTAssertEqual(try bashComplete(["crm", "-c", "'list cu"]), ["list customer ", "list customer  "])
        XCTAssertEqual(try bashComplete(["crm", "-c", "'add customer na"]), ["add customer name=", "add customer name= "])
        XCTAssertTrue(try bashComplete(["crm", "-c", "\"count customer where ci"]).contains("count customer where city "))
        XCTAssertEqual(Set(try bashComplete(["crm", "-c", "'count customer where stage = g"])), ["count customer where stage = growth ",
                                                                                              "count customer where stage = growth  "])
        XCTAssertEqual(Set(try bashComplete(["crm", "--f"])), ["--format", "--file"])
        XCTAssertEqual(try bashComplete(["crm", "--format", "ve"]), ["vertical"])
        XCTAssertEqual(try bashComplete(["crm", "compl"]), ["completion"])
        // File names after run, -f and --db.
        try sandbox.write("count customer\n", to: "monthly.crm")
        XCTAssertEqual(try bashComplete(["crm", "run", "mon"]), ["monthly.crm"])
        XCTAssertEqual(try bashComplete(["crm", "-f", "mon"]), ["monthly.crm"])
    }

    /// As a user types it: an interactive bash with the script loaded, Tab twice inside
    /// -c, then Enter runs the completed command.
    func testTabInInteractiveBashCompletesACommandThatRuns() throws {
        let crmFolder = (try CRMBinary.path() as NSString).deletingLastPathComponent
        var env = sandbox.environment
        env["PATH"] = crmFolder + ":" + (env["PATH"] ?? "")
        env["PS1"] = "$ "
        env["TERM"] = "xterm"
        env["CRM_DB"] = sandbox.database
        env["INPUTRC"] = "/dev/null"
        let t = try PseudoTerminal(executable: "/bin/bash", arguments: ["--norc", "--noprofile", "-i"], environment: env,
                                   workingDirectory: sandbox.workingDirectory)
        defer { t.terminate() }
        try t.expect("$ ")
        t.sendLine("source <(crm completion bash)")
        try t.expect("$ ")
        t.send("crm -X -c li")
        t.send(.tab)
        try t.expect("'list ")
        t.send("cu")
        t.send(.tab)
        try t.expect("customer ")
        t.send("limit 1'")
        t.send(.enter)
        let seen = try t.expect("$ ")
        XCTAssertTrue(seen.contains("(0 rows)"), seen)
        XCTAssertFalse(seen.contains("crm:"), seen)
        t.sendLine("exit")
    }

    func testBashCompletesEntitiesOfTheUsersPlugins_andCreatesNoDatabase() throws {
        XCTAssertEqual(try sandbox.crm(commands: "plugin enable example", options: ["-X"]).status, 0)
        XCTAssertEqual(try bashComplete(["crm", "--db", sandbox.database, "-c", "'list refer"]).first, "list referral ")
        XCTAssertEqual(try bashComplete(["crm", "-c", "'list refer"], database: sandbox.database).first, "list referral ")
        XCTAssertEqual(try bashComplete(["crm", "-c", "'list refer"]), [], "no referral without the plugin")
        let missing = sandbox.path("not-made.sqlite")
        XCTAssertEqual(try bashComplete(["crm", "--db", missing, "-c", "'count cust"]).first, "count customer ")
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "Tab must not create a database")
    }

    func testFishCompletesVerbs() throws {
        guard let fish = which("fish") else { throw skipTest("fish is not installed") }
        let crmFolder = (try CRMBinary.path() as NSString).deletingLastPathComponent
        let r = try runProgram(fish, ["--no-config", "-c", "crm completion fish | source; complete -C 'crm -c li'; complete -C 'crm --form'"],
                               environment: ["PATH": crmFolder + ":" + (sandbox.environment["PATH"] ?? "")])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(r.stdoutLines.contains("list"), r.stdout)
        XCTAssertTrue(r.stdoutLines.contains("--format"), r.stdout)
    }

    /// The same in an interactive zsh with compinit: Tab opens the quote, keeps it open.
    func testTabInInteractiveZshCompletesACommandThatRuns() throws {
        guard let zsh = which("zsh") else { throw skipTest("zsh is not installed") }
        let crmFolder = (try CRMBinary.path() as NSString).deletingLastPathComponent
        try sandbox.write("PS1='%% '\n", to: sandbox.root + "/zdot/.zshrc")
        var env = sandbox.environment
        env["PATH"] = crmFolder + ":" + (env["PATH"] ?? "")
        env["TERM"] = "xterm"
        env["CRM_DB"] = sandbox.database
        env["ZDOTDIR"] = sandbox.root + "/zdot"
        let t = try PseudoTerminal(executable: zsh, arguments: ["-i"], environment: env, workingDirectory: sandbox.workingDirectory)
        defer { t.terminate() }
        try t.expect("% ")
        t.sendLine("autoload -Uz compinit && compinit -u && source <(crm completion zsh) && echo ready")
        try t.expect("ready")
        try t.expect("% ")
        t.send("crm -X -c li")
        t.send(.tab)
        try t.expect("'list ")
        t.send("cu")
        t.send(.tab)
        try t.expect("customer ")
        t.send("limit 1'")
        t.send(.enter)
        let seen = try t.expect("(0 rows)")
        XCTAssertFalse(seen.contains("unexpected argument"), seen)
        t.sendLine("exit")
    }

    func testZshScriptParses() throws {
        guard let zsh = which("zsh") else { throw skipTest("zsh is not installed") }
        let script = try sandbox.crm(["completion", "zsh"])
        XCTAssertTrue(script.stdout.hasPrefix("#compdef crm\n"), script.stdout)
        try sandbox.write(script.stdout, to: "_crm")
        let r = try runProgram(zsh, ["-n", sandbox.path("_crm")])
        XCTAssertEqual(r.status, 0, r.description)
    }

    /// The options Tab offers and the ones `crm --help` documents are the same set.
    func testCompletedOptionsAreTheDocumentedOnes() throws {
        let completed = try sandbox.run(["__complete", "1", "crm", "-"]).stdoutLines
        let help = try sandbox.run(["--help"]).stdout
        XCTAssertGreaterThan(completed.count, 10)
        for flag in completed {
            XCTAssertNotNil(help.range(of: "(^|[ ,])\(flag)([ ,=]|$)", options: .regularExpression), "\(flag) is completed but not in crm --help")
        }
        for documented in ["--db", "--format", "--dry-run", "-f", "-X", "--no-plugins"] {
            XCTAssertTrue(completed.contains(documented), "\(documented) is not completed")
        }
    }

    func testCompletionForAnUnknownShell_isAUsageError() throws {
        let r = try sandbox.crm(["completion", "tcsh"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.hasPrefix("crm: completion is for bash, zsh or fish, not 'tcsh'\n"), r.stderr)
    }
}
