import CEditline
import Foundation

/// Line editing for the interactive prompt, on libedit's readline interface: history
/// kept in a file, Tab completion through a Swift callback, CJK input, and Ctrl-C
/// that abandons the line instead of killing the shell.
public final class LineEditor {
    /// What one `readLine` got.
    public enum ReadResult: Equatable {
        case line(String)
        /// Ctrl-C: the line was abandoned.
        case interrupted
        /// Ctrl-D on an empty line, or the terminal went away.
        case endOfInput
    }

    /// Completion: given the text before the cursor, the Character offset where the
    /// word being completed starts, and the candidates for that word.
    public typealias Completer = (_ textBeforeCursor: String) -> (wordStart: Int, candidates: [String])

    public var completer: Completer? {
        didSet { LineEditor.activeCompleter = completer }
    }
    let historyPath: String?
    let historyLimit: Int
    var lastEntry: String?

    nonisolated(unsafe) static var activeCompleter: Completer?

    /// Sets up libedit and loads the history file if there is one.
    public init(name: String, historyPath: String?, historyLimit: Int = 2000) {
        self.historyPath = historyPath
        self.historyLimit = historyLimit
        rl_catch_signals = 0
        rl_catch_sigwinch = 1
        rl_getc_function = crm_getc
        rl_attempted_completion_function = lineEditorComplete
        rl_completion_append_character = 0
        let breaks = strdup(" \t\n=(,<>~!")
        rl_completer_word_break_characters = breaks
        rl_initialize()
        stifle_history(Int32(historyLimit))
        if let path = historyPath, FileManager.default.fileExists(atPath: path) {
            read_history(path)
        }
    }

    /// Makes CJK text safe in libedit: uses the environment's locale, and C.UTF-8 when
    /// that is not UTF-8 (LANG unset, as under cron or in a bare container), where a
    /// prompt with Chinese in it would otherwise crash. Call before the first read.
    public static func prepareLocale() {
        setlocale(LC_CTYPE, "")
        if isUTF8() { return }
        for candidate in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, candidate) != nil {
            if isUTF8() { return }
        }
    }

    /// True when the current LC_CTYPE codeset is UTF-8.
    public static func isUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    /// Shows the prompt and reads one line. SIGHUP or SIGTERM while waiting ends input
    /// (the caller leaves cleanly, as on Ctrl-D).
    public func readLine(prompt: String) -> ReadResult {
        var old = sigaction()
        var oldHangup = [sigaction(), sigaction()]
        crm_install_sigint(&old)
        crm_install_hangup(&oldHangup)
        defer {
            crm_restore_sigint(&old)
            crm_restore_hangup(&oldHangup)
        }
        _ = crm_take_interrupt()
        let raw = readline(prompt)
        if crm_take_hangup() != 0 {
            free(raw)
            return .endOfInput
        }
        if crm_take_interrupt() != 0 {
            free(raw)
            return .interrupted
        }
        guard let raw else { return .endOfInput }
        defer { free(raw) }
        return .line(String(cString: raw))
    }

    /// Adds a line to the history (not empty lines, not a repeat of the last one) and
    /// saves the history file at once, so a closed terminal or a kill loses nothing typed.
    public func addHistory(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty, line != lastEntry else { return }
        add_history(line)
        lastEntry = line
        saveHistory()
    }

    /// The entries in memory, oldest first.
    public var historyEntries: [String] {
        var out: [String] = []
        guard history_length > 0 else { return out }
        for i in 0..<history_length {
            if let e = history_get(history_base + i), let l = e.pointee.line { out.append(String(cString: l)) }
        }
        return out
    }

    /// Writes the history file (its last `historyLimit` entries, in libedit's own format
    /// with its header, so it loads again), creating the folder (0700) and file (0600).
    public func saveHistory() {
        guard let path = historyPath else { return }
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        // stifle_history keeps the newest entries; write_history rewrites the file whole,
        // header included (history_truncate_file would drop the header in some versions).
        // Written beside the file and renamed over it: a kill at any moment leaves the old
        // history or the new one, never an empty or half-written file.
        stifle_history(Int32(historyLimit))
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        close(fd)
        if write_history(temporary) == 0, rename(temporary, path) == 0 { return }
        unlink(temporary)
    }
}

/// libedit's completion hook: asks the Swift completer and hands back malloc'd matches.
private func lineEditorComplete(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    rl_attempted_completion_over = 1
    guard let completer = LineEditor.activeCompleter, let buffer = rl_line_buffer else { return nil }
    // libedit's `start`/`end` count characters (code points), not bytes: with Chinese
    // before the cursor a byte count would cut the line in the wrong place.
    let line = String(cString: buffer)
    let before = String(String.UnicodeScalarView(line.unicodeScalars.prefix(Int(end))))
    let (wordStart, candidates) = completer(before)
    guard !candidates.isEmpty else { return nil }
    // libedit replaces the word it found (from `start`); our word starts at wordStart.
    let ours = String(before.dropFirst(wordStart))
    let theirs = text.map { String(cString: $0) } ?? ""
    let prefixToKeep = theirs.count > ours.count ? String(theirs.dropLast(ours.count)) : ""
    let full = candidates.map { prefixToKeep + $0 }
    var common = full[0]
    for c in full.dropFirst() {
        while !c.hasPrefix(common) { common.removeLast() }
    }
    let single = full.count == 1
    let count = single ? 2 : full.count + 2
    // Allocated with malloc: libedit frees the array and the strings.
    let array = malloc(MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * count)!
        .bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: count)
    // A finished word gets a space; `field=` does not, so the value follows directly.
    array[0] = strdup(single && !full[0].hasSuffix("=") ? full[0] + " " : common)
    if single {
        array[1] = nil
    } else {
        for (i, c) in full.enumerated() { array[i + 1] = strdup(c) }
        array[full.count + 1] = nil
    }
    return array
}
