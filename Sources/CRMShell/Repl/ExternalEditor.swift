import Foundation

/// The user's text editor, run on a file and waited for (`edit`, `\e`).
public enum ExternalEditor {
    /// `$VISUAL`, else `$EDITOR`, else `vi`, as a shell command (so `code --wait` works).
    public static func command(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        for key in ["VISUAL", "EDITOR"] {
            if let v = environment[key], !v.trimmingCharacters(in: .whitespaces).isEmpty { return v }
        }
        return "vi"
    }

    /// Runs the editor on `path` on this terminal and waits; throws when it cannot start
    /// or exits with an error (nothing should run then).
    public static func open(_ path: String) throws {
        let editor = command()
        // The shell splits the editor's words; the path goes in as $1, never re-split.
        let argv = ["/bin/sh", "-c", editor + " \"$1\"", "sh", path]
        var pid: pid_t = 0
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        let status = posix_spawn(&pid, "/bin/sh", nil, nil, &cArgs, environ)
        guard status == 0 else {
            throw EditorError("cannot start the editor '\(editor)': \(String(cString: strerror(status)))")
        }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 {
            if errno != EINTR { throw EditorError("lost the editor '\(editor)': \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as functions.
        let exited = waitStatus & 0x7f == 0
        let code = (waitStatus >> 8) & 0xff
        guard exited, code == 0 else {
            if exited && code == 127 { throw EditorError("the editor '\(editor)' was not found (set $EDITOR); nothing was run") }
            let how = exited ? "exited with status \(code)" : "was stopped by signal \(waitStatus & 0x7f)"
            throw EditorError("the editor '\(editor)' \(how); nothing was run")
        }
    }
}

/// The editor could not run, or did not finish cleanly.
public struct EditorError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
