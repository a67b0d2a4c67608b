import Foundation

/// Whether output at the prompt goes through a pager (`pager auto|on|off`).
public enum PagerMode: String, CaseIterable, Sendable {
    /// Only output taller than the screen.
    case auto
    /// Every result (a `less -F` pager still prints short output directly).
    case on
    /// Never.
    case off
}

/// Shows long output through `$PAGER` (default `less -FRSX`), only when stdout is a
/// terminal: piped or redirected output is written as it is.
enum Pager {
    static let defaultCommand = "less -FRSX"

    /// Writes `text` to stdout, through the pager when `mode` and the screen call for it.
    static func write(_ text: String, mode: PagerMode,
                      environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let command = command(for: text, mode: mode, environment: environment),
              run(command, input: text) else {
            Terminal.write(text, to: STDOUT_FILENO)
            return
        }
    }

    /// The pager command to use for `text`, or nil to print it directly.
    static func command(for text: String, mode: PagerMode, environment: [String: String]) -> String? {
        guard mode != .off, !text.isEmpty, Terminal.isTerminal(STDOUT_FILENO) else { return nil }
        let configured = environment["PAGER"] ?? defaultCommand
        // An empty PAGER turns paging off, as in psql.
        guard !configured.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        if mode == .auto {
            guard let size = Terminal.size() else { return nil }
            guard screenLines(text, columns: size.columns) >= size.rows else { return nil }
        }
        return configured
    }

    /// How many screen lines `text` takes on a terminal `columns` wide (long lines wrap).
    static func screenLines(_ text: String, columns: Int) -> Int {
        var total = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
            let width = DisplayWidth.of(String(line))
            total += max(1, (width + columns - 1) / max(columns, 1))
        }
        return total
    }

    /// Runs `sh -c command` with `input` on its stdin and waits for it; false if it could
    /// not start or the command was not found. Ctrl-C while the pager is open belongs to the pager, not to the shell.
    static func run(_ command: String, input: String) -> Bool {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return false }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], STDIN_FILENO)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGQUIT, SIGPIPE, SIGTSTP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))

        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        var oldInt = sigaction(), oldQuit = sigaction(), oldPipe = sigaction()
        sigaction(SIGINT, &ignore, &oldInt)
        sigaction(SIGQUIT, &ignore, &oldQuit)
        sigaction(SIGPIPE, &ignore, &oldPipe)
        defer {
            sigaction(SIGINT, &oldInt, nil)
            sigaction(SIGQUIT, &oldQuit, nil)
            sigaction(SIGPIPE, &oldPipe, nil)
        }

        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (s: String) in strdup(s) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, environ)
        close(pipeEnds[0])
        guard rc == 0 else {
            close(pipeEnds[1])
            return false
        }
        // A pager quit early closes the pipe: the rest is dropped (EPIPE), not an error.
        Terminal.write(input, to: pipeEnds[1])
        close(pipeEnds[1])
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        // 127: the shell found no such program (a PAGER naming one not installed); the
        // output is then printed directly rather than lost.
        let exited = status & 0x7F == 0
        return !(exited && (status >> 8) & 0xFF == 127)
    }
}
