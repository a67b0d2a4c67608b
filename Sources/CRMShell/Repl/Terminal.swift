import CRMCore
import Foundation

/// Facts about the terminal the shell runs in.
public enum Terminal {
    /// True when the file descriptor is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The width in columns of the terminal on stdout, or nil when it is not one.
    public static func width() -> Int? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// The size of the terminal on stdout (columns and rows), or nil when it is not one.
    public static func size() -> (columns: Int, rows: Int)? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
    public static func colorAllowed(_ fd: Int32) -> Bool {
        if let v = ProcessInfo.processInfo.environment["NO_COLOR"], !v.isEmpty { return false }
        if ProcessInfo.processInfo.environment["TERM"] == "dumb" { return false }
        return isTerminal(fd)
    }

    /// Writes text to stdout or stderr unbuffered with respect to each other.
    public static func write(_ text: String, to fd: Int32) {
        _ = writeAll(fd, Array(text.utf8))
    }
}
