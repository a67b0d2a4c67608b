import CRMCore
import Foundation

/// Lines of commands with a name for error messages: a file, `-c` text, or stdin.
public struct ScriptSource {
    /// How errors name it: the file path, `-c`, or `<stdin>`.
    public var name: String
    /// The line number the first line has in `name` (for the n-th `-c`, n).
    public var firstLine: Int
    /// Lines read lazily, so stdin and large files stream.
    public var nextLine: () -> String?
    /// True for `-c` text: each `-c` counts as one line for error messages.
    public var isArgument: Bool
    /// How an error at `line` names where it is (`FILE:LINE`, `-c:2`, or just the name).
    public var location: (Int) -> String

    public init(name: String, firstLine: Int = 1, isArgument: Bool = false, nextLine: @escaping () -> String?) {
        self.name = name
        self.firstLine = firstLine
        self.isArgument = isArgument
        self.nextLine = nextLine
        self.location = { line in "\(name):\(isArgument ? firstLine : line)" }
    }

    /// A command the program runs for a mode (`crm demo`): errors name the mode, no line.
    public static func mode(_ text: String, name: String) -> ScriptSource {
        var source = argument(text, index: 1)
        source.name = name
        source.location = { _ in name }
        return source
    }

    /// A `-c` argument; `index` is its 1-based position among the `-c`s.
    public static func argument(_ text: String, index: Int) -> ScriptSource {
        var lines = text.components(separatedBy: "\n")[...]
        return ScriptSource(name: "-c", firstLine: index, isArgument: true) { lines.popFirst() }
    }

    /// A file, read line by line (lines capped at `LineReader.maxLineBytes`).
    public static func file(_ path: String) throws -> ScriptSource {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ScriptError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        let reader = LineReader(fd: fd, closeAtEnd: true)
        return ScriptSource(name: path) { reader.next() }
    }

    /// Standard input, read line by line (lines capped at `LineReader.maxLineBytes`).
    public static func standardInput() -> ScriptSource {
        let reader = LineReader(fd: STDIN_FILENO, closeAtEnd: false)
        return ScriptSource(name: "<stdin>") { reader.next() }
    }
}

/// A problem with the script itself (unreadable file), not with a command in it.
public struct ScriptError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}
